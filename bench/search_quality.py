"""Search quality benchmark: nDCG@10 and MRR of the Chinese search on the demo content.

    .venv/bin/python bench/search_quality.py [--backend database|elasticsearch|stock|all] [--verbose]

Builds a fresh database in a temporary folder (migrations + load_demo, as the test suite does),
builds the search indexes, then runs every query of bench/search_queries.json (graded judgments:
3 exactly what the counselor wants, 2 clearly relevant, 1 partly relevant, unlisted 0) against:
  database       the project's search service on the database backend (search.service.search);
  elasticsearch  the same service on Elasticsearch (only when ELASTICSEARCH_URL is set);
  stock          Wagtail's own database backend on the same pages, for comparison
                 (ResourcePage.objects.live().public().search(q, backend="stock")).
For each query: nDCG@10 (gain 2^grade - 1, log2 discount, ideal DCG from all judgments) and the
reciprocal rank of the first result graded ≥ 2 within the first ten (0 if none); then the means
per backend, the queries with no result at all, and the top three of the five headline queries
side by side. Entries with `"expect": "none"` (nonsense such as 火星殖民计划) have no judgments: they
must find nothing at all (no relaxed results either); each result they get is counted as noise.
A result that is a draft (or not public) is flagged DRAFT and makes the script exit
with status 1; a distractor (a resource sharing only characters with the query, e.g. 用心理解学生
for 心理) is flagged DISTRACTOR. Goal: mean nDCG@10 ≥ 0.85 on the project's search."""

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _searchbench as sb  # noqa: E402

K = 10
GOAL_NDCG = 0.85


def dcg(grades):
    return sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(grades[:K]))


def ndcg(slugs, judgments):
    ideal = dcg(sorted(judgments.values(), reverse=True))
    return dcg([judgments.get(s, 0) for s in slugs]) / ideal if ideal else 0.0


def reciprocal_rank(slugs, judgments):
    for rank, slug in enumerate(slugs[:K], start=1):
        if judgments.get(slug, 0) >= 2:
            return 1 / rank
    return 0.0


class Backend:
    """Runs one query and returns (total, [(page id, slug, title)], note)."""

    def __init__(self, name):
        self.name = name

    def run(self, q):
        if self.name == "stock":
            pages = sb.stock_search(q, K)
            # The stock backend does not count without fetching; len() of a results object is the count.
            total = sb.stock_queryset().search(q, backend="stock").count()
            return total, [(p.pk, p.slug, p.title) for p in pages], ""
        response = sb.service_search(q, backend=self.name, page_size=K)
        hits = [(r.id, r.slug, r.title) for r in response.results]
        note = "" if getattr(response, "backend", self.name) == self.name else f"served by {response.backend}"
        return response.total, hits, note


def check_queries(queries, searchable_slugs):
    problems = []
    for entry in queries:
        if entry.get("expect") == "none":
            if entry.get("judgments"):
                problems.append(f"{entry['query']}: a query expected to find nothing has judgments")
            continue
        q, judgments = entry["query"], entry["judgments"]
        unknown = [s for s in judgments if s not in searchable_slugs]
        if unknown:
            problems.append(f"{q}: judged slugs that are not live resources of the demo: {', '.join(unknown)}")
        if not any(g > 0 for s, g in judgments.items() if s in searchable_slugs):
            problems.append(f"{q}: no judged live resource")
        if any(g not in (1, 2, 3) for g in judgments.values()):
            problems.append(f"{q}: grades must be 1, 2 or 3 (unlisted = 0)")
        for slug, word in sb.DISTRACTORS.items():
            if word in q and slug in judgments:
                problems.append(f"{q}: the distractor {slug} must stay unjudged")
    return problems


def flags_for(q, hits, judgments, hidden_ids, draft_ids):
    flags = []
    for rank, (pk, slug, _title) in enumerate(hits, start=1):
        if pk in draft_ids:
            flags.append(f"DRAFT #{rank} {slug}")
        elif pk in hidden_ids:
            flags.append(f"NOT-PUBLIC #{rank} {slug}")
        word = sb.DISTRACTORS.get(slug)
        if word and slug not in judgments and any(c in q for c in word):
            flags.append(f"DISTRACTOR #{rank}")
    return flags


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["database", "elasticsearch", "stock", "all"], default="all")
    parser.add_argument("--queries", type=Path, default=sb.QUERIES_PATH, help="graded query set (JSON)")
    parser.add_argument("--verbose", "-v", action="store_true", help="print the top ten of every query")
    args = parser.parse_args()
    started = time.perf_counter()
    queries = sb.load_queries(args.queries)
    nonsense = [e["query"] for e in queries if e.get("expect") == "none"]
    queries = [e for e in queries if e.get("expect") != "none"]

    with tempfile.TemporaryDirectory(prefix="bench-search-quality-") as tmp:
        sb.setup_django(tmp)
        print(f"setting up a fresh database in {tmp} (migrate + load_demo) …", flush=True)
        migrate_s, demo_s = sb.migrate_and_load_demo()

        from wagtail.models import Page

        from resources.models import ResourcePage

        searchable = {p.slug: p.pk for p in sb.stock_queryset().only("pk", "slug")}
        resource_ids = set(ResourcePage.objects.values_list("pk", flat=True))
        draft_ids = set(Page.objects.filter(live=False, pk__in=resource_ids).values_list("pk", flat=True))
        hidden_ids = resource_ids - set(searchable.values())
        print(f"demo: {len(searchable)} live public resources, {len(draft_ids)} drafts; "
              f"migrate {migrate_s:.1f} s, load_demo {demo_s:.1f} s")  # fmt: skip
        problems = check_queries(queries, set(searchable))
        if problems:
            print("the query set does not fit the demo content:\n  " + "\n  ".join(problems))
            return 2
        print(f"queries: {len(queries)} from {args.queries.name}, "
              f"{sum(len(e['judgments']) for e in queries)} judgments")  # fmt: skip

        wanted = ["database", "elasticsearch", "stock"] if args.backend == "all" else [args.backend]
        backends, skipped = [], {}
        available, reason = sb.service()
        builds = {}
        if {"database", "elasticsearch"} & set(wanted):
            if available is None:
                for name in ("database", "elasticsearch"):
                    if name in wanted:
                        skipped[name] = f"skipped: {reason}"
            else:
                if "elasticsearch" in wanted and not sb.elasticsearch_configured():
                    skipped["elasticsearch"] = "skipped: ELASTICSEARCH_URL not set"
                builds["search index (indexing.rebuild)"] = sb.rebuild_service_index()
                backends += [n for n in ("database", "elasticsearch") if n in wanted and n not in skipped]
        if "stock" in wanted:
            builds["stock Wagtail index (update_index --backend stock)"] = sb.rebuild_stock_index()
            backends.append("stock")
        for label, seconds in builds.items():
            print(f"built {label} in {seconds:.2f} s")
        for name, message in skipped.items():
            print(f"{name}: {message}")

        results, noise = {}, {}
        for name in backends:
            backend = Backend(name)
            rows = []
            for entry in queries:
                q, judgments = entry["query"], entry["judgments"]
                t0 = time.perf_counter()
                total, hits, note = backend.run(q)
                elapsed = time.perf_counter() - t0
                slugs = [slug for _, slug, _ in hits]
                rows.append({
                    "query": q, "judgments": judgments, "total": total, "hits": hits, "note": note,
                    "ndcg": ndcg(slugs, judgments), "rr": reciprocal_rank(slugs, judgments), "seconds": elapsed,
                    "flags": flags_for(q, hits, judgments, hidden_ids, draft_ids),
                })  # fmt: skip
            results[name] = rows
            print_backend(name, rows, args.verbose)
            noise[name] = {q: backend.run(q) for q in nonsense}
            print_nonsense(name, noise[name])

    if results:
        print_summary(results, noise)
        print_headlines(results)
    for name, message in skipped.items():
        print(f"{name}: {message}")
    print(f"\ngoal: mean nDCG@10 ≥ {GOAL_NDCG} on the project's search (database backend)")
    drafts = [(name, r["query"], f) for name, rows in results.items() for r in rows for f in r["flags"]
              if f.startswith(("DRAFT", "NOT-PUBLIC"))]  # fmt: skip
    print(f"benchmark took {time.perf_counter() - started:.0f} s")
    if drafts:
        print("FAILED: drafts or non-public pages appeared in results:")
        for name, q, flag in drafts:
            print(f"  {name}: {q}: {flag}")
        return 1
    return 0


def print_backend(name, rows, verbose):
    print(f"\n== {name} ==")
    print(f"{sb.pad('query', 22)} {'nDCG@10':>7} {'RR':>5} {'total':>5}  {sb.pad('top 3', 78)} flags")
    for r in rows:
        top = " | ".join(sb.clip(title, 24) for _, _, title in r["hits"][:3]) or "(no results)"
        flags = " ".join(r["flags"] + ([r["note"]] if r["note"] else []))
        print(f"{sb.pad(r['query'], 22)} {r['ndcg']:7.3f} {r['rr']:5.2f} {r['total']:5d}  {sb.pad(top, 78)} {flags}")
    mean_ndcg = sum(r["ndcg"] for r in rows) / len(rows)
    mean_rr = sum(r["rr"] for r in rows) / len(rows)
    zero = [r["query"] for r in rows if not r["total"]]
    print(f"{name}: mean nDCG@10 {mean_ndcg:.3f}, MRR {mean_rr:.3f}, zero-result queries {len(zero)}"
          + (f" ({', '.join(zero)})" if zero else ""))  # fmt: skip
    weak = [r for r in rows if verbose or r["ndcg"] < 0.7]
    if weak:
        print(f"\n{name}: {'every query' if verbose else 'queries below 0.7 nDCG@10'}, top {K} (grade, title):")
        for r in weak:
            print(f"  {r['query']}  nDCG@10 {r['ndcg']:.3f}  RR {r['rr']:.2f}  total {r['total']}")
            for rank, (_pk, slug, title) in enumerate(r["hits"], start=1):
                print(f"    {rank:2d}. [{r['judgments'].get(slug, 0)}] {title}  ({slug})")
            shown = {slug for _, slug, _ in r["hits"]}
            missing = [(g, s) for s, g in sorted(r["judgments"].items(), key=lambda i: -i[1]) if s not in shown]
            if missing:
                print("        missing: " + ", ".join(f"[{g}] {s}" for g, s in missing))


def print_nonsense(name, answers):
    """Queries that must find nothing: how many results each got (relaxed ones included)."""
    if not answers:
        return
    print(f"\n{name}: queries that must find nothing")
    for q, (total, hits, _note) in answers.items():
        top = " | ".join(sb.clip(title, 24) for _, _, title in hits[:3])
        print(f"  {sb.pad(q, 22)} {total:5d} result(s)  {'ok' if not total else 'NOISE: ' + top}")


def print_summary(results, noise=None):
    noise = noise or {}
    print("\n== summary ==")
    print(f"{'backend':14} {'nDCG@10':>8} {'MRR':>6} {'zero results':>13} {'drafts shown':>13} "
          f"{'distractors':>12} {'median ms':>10} {'nonsense answered':>18}")  # fmt: skip
    for name, rows in results.items():
        n = len(rows)
        drafts = sum(1 for r in rows for f in r["flags"] if f.startswith(("DRAFT", "NOT-PUBLIC")))
        distractors = sum(1 for r in rows for f in r["flags"] if f.startswith("DISTRACTOR"))
        ms = sorted(r["seconds"] * 1000 for r in rows)[n // 2]
        zero = sum(1 for r in rows if not r["total"])
        mean_ndcg, mrr = sum(r["ndcg"] for r in rows) / n, sum(r["rr"] for r in rows) / n
        answered = sum(1 for total, _, _ in noise.get(name, {}).values() if total)
        nonsense = f"{answered}/{len(noise.get(name, {}))}"
        print(f"{name:14} {mean_ndcg:8.3f} {mrr:6.3f} {zero:>9d}/{n:<3d} {drafts:>13d} {distractors:>12d} {ms:10.1f}"
              f" {nonsense:>18}")  # fmt: skip


def print_headlines(results):
    print("\n== headline queries: top 3 per backend ==")
    for q in sb.HEADLINE_QUERIES:
        print(q)
        for name, rows in results.items():
            row = next((r for r in rows if r["query"] == q), None)
            if row is None:
                continue
            titles = [f"{i}. [{row['judgments'].get(slug, 0)}] {title}" for i, (_, slug, title) in
                      enumerate(row["hits"][:3], start=1)]  # fmt: skip
            print(f"  {name:13} " + ("   ".join(titles) if titles else "(no results)"))


if __name__ == "__main__":
    sys.exit(main())
