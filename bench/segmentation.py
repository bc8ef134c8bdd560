"""Segmentation throughput: search.analysis on the demo's texts, in Chinese characters per second.

    .venv/bin/python bench/segmentation.py [--rounds 5] [--dump FILE]

Takes every text of the demo's resources (titles, summaries, bodies, transcripts, case parts) from
site/resources/demo/manifest.jsonl, about 30,000 characters, and times (best of `--rounds`) one pass of
  index_words  the index-time words of each text (what search.documents.build does per field), once
               with cold caches, then the best of the rounds;
  bigrams      the character bigrams of each text;
  parse_query  every query of bench/search_queries.json;
after loading the dictionary once (timed separately). Characters counted are all characters of the
input. The goal it reports against: 100,000 resources of about 1,000 characters, i.e. 1e8 characters
per field pass, within the 10-minute rebuild. With --dump, writes the index words of every text
(one line per text) to FILE, to compare two segmenters' cuts."""

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search import analysis  # noqa: E402

MANIFEST = ROOT / "site" / "resources" / "demo" / "manifest.jsonl"
QUERIES = ROOT / "bench" / "search_queries.json"
TEXT_FIELDS = ("title", "summary", "body", "transcript", "background", "process", "analysis", "reflection")
RESOURCE_KINDS = ("policy", "microcourse", "case", "series")


def demo_texts():
    texts = []
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        if item.get("kind") in RESOURCE_KINDS:
            texts.extend(item[f] for f in TEXT_FIELDS if isinstance(item.get(f), str) and item[f].strip())
    return texts


def queries():
    data = json.loads(QUERIES.read_text(encoding="utf-8"))
    items = data["queries"] if isinstance(data, dict) else data
    return [q["query"] if isinstance(q, dict) else q for q in items]


def best_of(rounds, fn, inputs):
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for x in inputs:
            fn(x)
        best = min(best, time.perf_counter() - start)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dump")
    args = parser.parse_args()

    start = time.perf_counter()
    analysis.tokenizer()
    analysis.is_known("心理")
    print(f"dictionary load: {time.perf_counter() - start:.2f} s ({getattr(analysis, 'SEGMENTER', 'jieba')})")

    texts = demo_texts()
    chars = sum(len(t) for t in texts)
    print(f"{len(texts)} texts, {chars} characters")
    seconds = best_of(1, analysis.index_words, texts)
    print(f"index_words  {seconds * 1000:8.1f} ms  {chars / seconds:12,.0f} chars/s  (first pass, cold caches)")
    for name, fn in (("index_words", analysis.index_words), ("bigrams", analysis.bigrams)):
        seconds = best_of(args.rounds, fn, texts)
        rate = chars / seconds
        print(f"{name:12s} {seconds * 1000:8.1f} ms  {rate:12,.0f} chars/s  1e8 chars: {1e8 / rate / 60:5.1f} min")
    qs = queries()
    seconds = best_of(args.rounds, analysis.parse_query, qs)
    print(f"parse_query  {seconds * 1000 / len(qs):8.3f} ms per query ({len(qs)} queries)")

    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as out:
            for t in texts:
                out.write(" ".join(analysis.index_words(t)) + "\n")
            for q in qs:
                terms = " | ".join(t.text + ("" if t.known else "?") for t in analysis.parse_query(q))
                out.write(f"Q {q} → {terms}\n")


if __name__ == "__main__":
    main()
