"""Search latency benchmark: the full search call on 10,000 generated resources.

    .venv/bin/python bench/search_latency.py [--count 10000] [--runs 5] [--backend database|elasticsearch|stock|all]
                                             [--database-url postgres://user:pass@host:5432/name]

Builds a fresh database (a SQLite file in a temporary folder; with --database-url, a temporary
database created on that PostgreSQL server and dropped afterwards), loads the demo, then generates
`--count` resources (fixed seed): micro-courses, cases and notices with Chinese titles, summaries and
bodies of about 300-1500 characters assembled from the demo's sentences and the field's vocabulary,
spread over the six centers, nine capability areas, three stages, course types, requirements, tiers
and tags, a few percent of them drafts. Pages are created with treebeard's add_child in batched
transactions, with Wagtail's search auto-update and reference index switched off meanwhile.

Then it builds the indexes (timed) and times, for every query of bench/search_queries.json plus some
one-word and three-word ones, each (a) by relevance, (b) by relevance with one facet filter and
(c) sorted by newest, `--runs` warm runs of:
  database / elasticsearch  search.service.search(...): the results page, facet counts and highlights;
  stock                     list(ResourcePage.objects.live().public().search(q, backend="stock")[:10])
                            for (a) and (c); Wagtail's stock backend has no facet counts, highlights or
                            facet filters, so its numbers are for a lighter job.
Prints median, p95 and max per backend and variant, the index build times, the database size and
the goal: p95 ≤ 50 ms for the database backend on SQLite."""

import argparse
import contextlib
import datetime
import json
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _searchbench as sb  # noqa: E402

SEED = 20240415
GOAL_P95_MS = 50
GOAL_MB_PER_10K = 50
GOAL_REBUILD_S = 600  # for 100,000 resources
DRAFT_SHARE = 0.03
KIND_SHARES = [("microcourse", 0.62), ("case", 0.26), ("policy", 0.12)]
EXTRA_QUERIES = ["辅导员", "学生", "党建", "安全", "心理健康", "新生 军训 中暑", "网络 舆情 处置", "学业 预警 帮扶",
                 "心理 危机 家长", "就业 困难 学生"]  # fmt: skip
FILTERS = [
    {"capability": ["mental_health"]},
    {"kind": ["case"]},
    {"stage": ["new"]},
    {"center": ["whu"]},
    {"requirement": ["essential"]},
    {"capability": ["career_guidance"]},
]
SPREAD_WORDS = ["辅导员", "学生", "心理", "危机", "就业", "网络", "三会一课"]
MANIFEST = sb.ROOT / "site" / "resources" / "demo" / "manifest.jsonl"
USERDICT = sb.ROOT / "search" / "dict" / "userdict.txt"
SENTENCE = re.compile(r"[^。！？\n]+[。！？]")

COURSE_TITLES = ["{t}的{a}", "{t}：{a}", "{t}{a}", "新时代{t}的{a}", "辅导员{t}{a}", "{t}工作中的{a}"]
COURSE_ASPECTS = ["基本方法", "实务要点", "常见问题与对策", "组织实施", "案例研讨", "工作流程", "能力提升",
                  "理论与实践", "专题讲座", "入门", "进阶研讨", "经验分享"]  # fmt: skip
CASE_TITLES = ["一起{t}事件的处置与反思", "{t}中的辅导员工作案例", "以{t}促进学生成长的实践", "{t}：一名学生的转变",
               "{area}某高校{t}工作案例", "从{t}看院系协同育人"]  # fmt: skip
AREAS = ["华北地区", "华东地区", "华中地区", "华南地区", "西南地区", "西北地区", "东北地区"]
POLICY_TITLES = ["关于做好{y}年{t}工作的通知", "关于开展{y}年{t}专题培训的通知", "{y}年{t}工作要点",
                 "关于加强{t}工作的指导意见", "关于{y}年{t}资源征集的通知"]  # fmt: skip
ISSUERS = ["教育部思想政治工作司", "教育部办公厅", "高校辅导员培训研修资源库"]


class Corpus:
    """The demo's live resources, to assemble realistic ones from. A generated resource retells one
    demo resource of its capability area (most of its sentences, shuffled), with sentences of other
    resources of the area and a few of any: words keep roughly the demo's spread (心理 in about half
    the resources, not in all of them)."""

    PARTS = ("background", "process", "analysis", "reflection")

    def __init__(self, rng):
        self.rng = rng
        self.docs = []
        self.sentences = defaultdict(list)  # capability code ("" for any) -> sentences
        self.tags = defaultdict(set)
        for line in MANIFEST.read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            if d["kind"] not in ("microcourse", "case", "policy") or not d.get("live", True):
                continue
            texts = [d.get("summary", ""), d.get("body", ""), *(d.get(part, "") for part in self.PARTS)]
            doc = {
                "kind": d["kind"],
                "capabilities": d.get("capability") or [],
                "sentences": [s.strip() for s in SENTENCE.findall("\n".join(texts))],
                "parts": {part: [s.strip() for s in SENTENCE.findall(d.get(part, ""))] for part in self.PARTS},
                "tags": d.get("tags", []),
            }
            self.docs.append(doc)
            for code in [*doc["capabilities"], ""]:
                self.sentences[code].extend(doc["sentences"])
                self.tags[code].update(doc["tags"])
        self.words = [ln.split()[0] for ln in USERDICT.read_text(encoding="utf-8").splitlines()
                      if ln.strip() and not ln.startswith("#") and len(ln.split()[0]) > 1]  # fmt: skip
        self.capabilities = sorted(c for c in self.sentences if c)
        self.tags = {code: sorted(tags) for code, tags in self.tags.items()}

    def sources(self, capability, kind):
        """The demo resource to retell: one of the capability area's (a notice: one of the demo's notices)."""
        same = [d for d in self.docs if d["kind"] == "policy"] if kind == "policy" else []
        return [self.rng.choice(same or [d for d in self.docs if capability in d["capabilities"]])]

    def topic(self, capability, sources):
        r = self.rng.random()
        if r < 0.6:
            pool = [t for d in sources for t in d["tags"]]
        elif r < 0.9:
            pool = self.tags.get(capability, [])
        else:
            pool = self.words
        return self.rng.choice(pool or self.words)

    def text(self, sources, capability, low, high, part=None):
        """Paragraphs (a blank line between) of about low..high characters."""
        target = self.rng.randint(low, high)
        primary = [s for d in sources for s in ((d["parts"][part] or d["sentences"]) if part else d["sentences"])]
        self.rng.shuffle(primary)
        out, paragraph, length = [], [], 0
        while length < target:
            r = self.rng.random()
            if primary and r < 0.7:
                sentence = primary.pop()
            elif r < 0.95:
                sentence = self.rng.choice(self.sentences[capability])
            else:
                sentence = self.rng.choice(self.sentences[""])
            paragraph.append(sentence)
            length += len(sentence)
            if len(paragraph) >= self.rng.randint(3, 5):
                out.append("".join(paragraph))
                paragraph = []
        if paragraph:
            out.append("".join(paragraph))
        return "\n\n".join(out)


def generate(count, rng, progress):
    """Create `count` resources under the demo's site structure. Returns {kind: count} and drafts."""
    from django.db import transaction

    from wagtail.models import Locale

    from cases.models import CaseIndexPage, CasePage
    from microcourses.models import MicroCoursePage
    from resources.blocks import paragraphs_from_text
    from resources.models import (
        CapabilityArea,
        CareerStage,
        CenterSectionPage,
        CourseType,
        Expert,
        LibraryIndexPage,
        NoticeIndexPage,
        PolicyDocumentPage,
        Requirement,
        Tier,
    )

    corpus = Corpus(rng)
    sections = list(CenterSectionPage.objects.select_related("center").order_by("path"))
    library = LibraryIndexPage.objects.order_by("path").first()
    case_index = CaseIndexPage.objects.order_by("path").first()
    notices = NoticeIndexPage.objects.order_by("path").first()
    capabilities = {c.code: c for c in CapabilityArea.objects.all()}
    stages = list(CareerStage.objects.all())
    course_types, requirements, tiers = (
        list(CourseType.objects.all()),
        list(Requirement.objects.all()),
        list(Tier.objects.all()),
    )
    experts = list(Expert.objects.all())
    locale = Locale.get_default()
    start = datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC)
    span = (datetime.datetime(2025, 6, 30, tzinfo=datetime.UTC) - start).total_seconds()
    kinds = [k for k, _ in KIND_SHARES]
    weights = [w for _, w in KIND_SHARES]
    counts, drafts, batch = defaultdict(int), 0, 250

    def html(text):
        return "".join(block.source for _, block in paragraphs_from_text(text))

    for first in range(0, count, batch):
        with transaction.atomic():
            for n in range(first, min(first + batch, count)):
                kind = rng.choices(kinds, weights)[0]
                caps = rng.sample(corpus.capabilities, rng.choice([1, 1, 1, 2]))
                sources = corpus.sources(caps[0], kind)
                topic = corpus.topic(caps[0], sources)
                when = start + datetime.timedelta(seconds=rng.random() * span)
                live = rng.random() >= DRAFT_SHARE
                section = rng.choice(sections)
                common = {
                    "slug": f"gen-{kind}-{n:05d}",
                    "summary": corpus.text(sources, caps[0], 40, 110).replace("\n\n", "")[:160],
                    "live": live,
                    "has_unpublished_changes": not live,
                    "first_published_at": when if live else None,
                    "last_published_at": when if live else None,
                }
                tags = sorted({topic, *rng.sample(corpus.tags.get(caps[0]) or corpus.words, 2)})
                if kind == "microcourse":
                    title = rng.choice(COURSE_TITLES).format(t=topic, a=rng.choice(COURSE_ASPECTS))
                    page = MicroCoursePage(
                        title=title, body=paragraphs_from_text(corpus.text(sources, caps[0], 300, 1500)),
                        center=section.center if rng.random() < 0.9 else None,
                        lecturer=rng.choice(experts), course_type=rng.choice(course_types),
                        requirement=rng.choice(requirements), tier=rng.choice(tiers),
                        duration_seconds=rng.randint(5, 20) * 60, **common,
                    )  # fmt: skip
                    page.stages = rng.sample(stages, rng.randint(1, 3))
                    parent = section if page.center_id else library
                elif kind == "case":
                    title = rng.choice(CASE_TITLES).format(t=topic, area=rng.choice(AREAS))
                    parts = {p: html(corpus.text(sources, caps[0], 80, 400, part=p))
                             for p in ("background", "process", "analysis", "reflection")}  # fmt: skip
                    page = CasePage(title=title, center=section.center if rng.random() < 0.9 else None,
                                    school=f"{rng.choice(AREAS)}某高校", **parts, **common)  # fmt: skip
                    parent = section if page.center_id else case_index
                else:
                    title = rng.choice(POLICY_TITLES).format(t=topic, y=when.year)
                    page = PolicyDocumentPage(
                        title=title, body=paragraphs_from_text(corpus.text(sources, caps[0], 300, 1500)),
                        issuer=rng.choice(ISSUERS), publication_date=when.date(), category="通知公告", **common,
                    )  # fmt: skip
                    parent = notices
                page.capabilities = [capabilities[c] for c in caps] if kind != "policy" else []  # as the demo's
                page.tags.set(tags)
                page.locale = locale
                # Valid by construction (unique slugs, existing foreign keys): skip Wagtail's full_clean,
                # a third of the time per page (a query per foreign key and one for the slug).
                page.full_clean = page._set_core_field_defaults
                parent.add_child(instance=page)
                counts[kind] += 1
                drafts += not live
                progress(1)
    return dict(counts), drafts


@contextlib.contextmanager
def quiet_indexing():
    """No per-save work while generating: Wagtail's search auto-update and reference index off
    (the indexes are rebuilt afterwards, as after a bulk import)."""
    from modelsearch import signal_handlers as modelsearch_handlers
    from modelsearch.index import get_indexed_models

    from django.db.models.signals import post_delete, post_save

    from wagtail.signal_handlers import disable_reference_index_auto_update

    models = [m for m in get_indexed_models() if getattr(m, "search_auto_update", True)]
    for model in models:
        post_save.disconnect(modelsearch_handlers.post_save_signal_handler, sender=model)
        post_delete.disconnect(modelsearch_handlers.post_delete_signal_handler, sender=model)
    try:
        with disable_reference_index_auto_update():
            yield
    finally:
        for model in models:
            post_save.connect(modelsearch_handlers.post_save_signal_handler, sender=model)
            post_delete.connect(modelsearch_handlers.post_delete_signal_handler, sender=model)


def variants(queries):
    """(label, query, filters, sort) for every query: plain, one facet filter, newest."""
    out = []
    for i, q in enumerate(queries):
        out.append(("relevance", q, {}, "relevance"))
        out.append(("relevance + filter", q, FILTERS[i % len(FILTERS)], "relevance"))
        out.append(("newest", q, {}, "newest"))
    return out


def time_backend(name, cases, runs):
    """{variant label: [seconds]}, and per case (median seconds, label, query, filters, total hits)."""
    timings, per_case = defaultdict(list), []
    for label, q, filters, sort in cases:
        if name == "stock":
            if filters:
                continue

            def call(q=q, sort=sort):
                return len(sb.stock_search(q, 10, order_by="-first_published_at" if sort == "newest" else None))
        else:

            def call(q=q, filters=filters, sort=sort):
                return sb.service_search(q, backend=name, filters=filters, sort=sort).total

        total = call()  # warm-up run, not counted
        seconds = []
        for _ in range(runs):
            t0 = time.perf_counter()
            call()
            seconds.append(time.perf_counter() - t0)
        timings[label].extend(seconds)
        per_case.append((statistics.median(seconds), label, q, filters, total))
    return timings, per_case


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="resources to generate (default 10000)")
    parser.add_argument("--runs", type=int, default=5, help="timed warm runs of each search (default 5)")
    parser.add_argument("--backend", choices=["database", "elasticsearch", "stock", "all"], default="all")
    parser.add_argument("--database-url", help="a PostgreSQL server (dj-database-url format) to run on instead of "
                        "SQLite: a temporary database is created there and dropped afterwards")  # fmt: skip
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--slowest", type=int, default=10, help="list this many slowest searches per backend")
    parser.add_argument("--keep", action="store_true", help="keep the generated database (its path is printed)")
    parser.add_argument("--skip-build", action="store_true", help="with --reuse: measure the kept index as it is")
    parser.add_argument("--reuse", metavar="FOLDER|URL", help="measure again on a database kept by --keep (a SQLite "
                        "folder, or the postgres:// URL of the kept database): migrate, no generation")  # fmt: skip
    args = parser.parse_args()
    started = time.perf_counter()

    with sb.workdir("bench-search-latency-", args.keep) as tmp, contextlib.ExitStack() as stack:
        if args.reuse:
            reused = args.reuse if "://" in args.reuse else None
            tmp = tmp if reused else args.reuse
            sb.setup_django(tmp, reused)
            from django.core.management import call_command

            call_command("migrate", verbosity=0, interactive=False)
            return measure(args, started, generate_s=0)
        if args.database_url:
            database_url = stack.enter_context(sb.temporary_postgres(args.database_url, keep=args.keep))
        else:
            database_url = None
        sb.setup_django(tmp, database_url)
        from django.db import connection

        print(f"fresh {connection.vendor} database ({'temporary on the given server' if database_url else tmp}); "
              "migrate + load_demo …", flush=True)  # fmt: skip
        migrate_s, demo_s = sb.migrate_and_load_demo()
        print(f"migrate {migrate_s:.1f} s, load_demo {demo_s:.1f} s")

        from tqdm import tqdm

        rng = random.Random(args.seed)
        t0 = time.perf_counter()
        with quiet_indexing(), tqdm(total=args.count, unit="page", desc="generating", mininterval=1) as bar:
            counts, drafts = generate(args.count, rng, bar.update)
        generate_s = time.perf_counter() - t0

        from resources.models import ResourcePage

        live = sb.stock_queryset().count()
        total = ResourcePage.objects.count()
        print(f"generated {args.count} resources in {generate_s:.0f} s ({args.count / generate_s:.0f}/s): "
              + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
              + f", {drafts} drafts; with the demo {total} resources, {live} live and public")  # fmt: skip
        describe_text()
        return measure(args, started, generate_s)


def describe_text():
    from django.utils.html import strip_tags

    from resources.models import ResourcePage

    sample = ResourcePage.objects.filter(slug__startswith="gen-").specific()[:500]
    lengths = sorted(len(strip_tags(" ".join(p.search_body()))) for p in sample)
    if lengths:
        print(f"generated text per resource (summary and body, first {len(lengths)}): median "
              f"{lengths[len(lengths) // 2]}, min {lengths[0]}, max {lengths[-1]} characters")  # fmt: skip
        texts = [" ".join([p.title, *p.search_body()]) for p in sample]
        demo = [" ".join([p.title, *p.search_body()]) for p in sb.stock_queryset().exclude(slug__startswith="gen-")
                .specific()]  # fmt: skip
        print("share of resources containing a word, generated (demo): " + ", ".join(
            f"{w} {sum(w in t for t in texts) / len(texts):.0%} ({sum(w in t for t in demo) / len(demo):.0%})"
            for w in SPREAD_WORDS))  # fmt: skip


def measure(args, started, generate_s):
    from django.db import connection

    from resources.models import ResourcePage

    live = sb.stock_queryset().count()
    total = ResourcePage.objects.count()
    wanted = ["database", "elasticsearch", "stock"] if args.backend == "all" else [args.backend]
    backends, skipped, builds = [], {}, {}
    available, reason = sb.service()
    if {"database", "elasticsearch"} & set(wanted):
        if available is None:
            skipped.update({n: f"skipped: {reason}" for n in ("database", "elasticsearch") if n in wanted})
        else:
            if "elasticsearch" in wanted and not sb.elasticsearch_configured():
                skipped["elasticsearch"] = "skipped: ELASTICSEARCH_URL not set"
            if args.reuse and args.skip_build:
                print("measuring the index the kept database holds (--skip-build)")
                backends += [n for n in ("database", "elasticsearch") if n in wanted and n not in skipped]
                wanted = [n for n in wanted if n == "stock"]
        if {"database", "elasticsearch"} & set(wanted) and available is not None:
            print("building the search index (indexing.rebuild) …", flush=True)
            engines = "database + Elasticsearch" if sb.elasticsearch_configured() else "database"
            memory = []
            builds[f"search index (indexing.rebuild, {engines})"] = sb.rebuild_service_index(memory)
            print("resident memory while rebuilding (documents done: memory): " + ", ".join(
                f"{done}: {sb.human_bytes(rss)}" for _, done, rss in memory))  # fmt: skip
            backends += [n for n in ("database", "elasticsearch") if n in wanted and n not in skipped]
    if "stock" in wanted and args.reuse and args.skip_build:
        backends.append("stock")
    elif "stock" in wanted:
        print("building the stock Wagtail index (update_index --backend stock) …", flush=True)
        builds["stock Wagtail index (update_index --backend stock)"] = sb.rebuild_stock_index()
        backends.append("stock")
    for label, seconds in builds.items():
        print(f"built {label} in {seconds:.1f} s")
    size, what = sb.database_size()
    print(f"database size: {sb.human_bytes(size)} ({what})")
    tables = sb.table_sizes()
    for table, n in sorted(tables.items(), key=lambda i: -i[1])[:8]:
        print(f"  {table:40} {sb.human_bytes(n):>10}")
    from search.models import IndexEntry

    indexed = IndexEntry.objects.count()
    ours = sum(n for table, n in tables.items() if table.startswith("search_"))
    if indexed and ours:
        print(f"search index (search_* tables): {sb.human_bytes(ours)} for {indexed} documents, "
              f"{sb.human_bytes(ours * 10_000 / indexed)} per 10,000 "
              f"(goal ≤ {GOAL_MB_PER_10K} MB per 10,000 on SQLite)")  # fmt: skip

    queries = list(dict.fromkeys([e["query"] for e in sb.load_queries()] + EXTRA_QUERIES))
    cases = variants(queries)
    print(f"\ntiming {len(queries)} queries × 3 variants, {args.runs} warm runs each (after one warm-up)")
    results = {}
    for name in backends:
        t0 = time.perf_counter()
        timings, per_case = time_backend(name, cases, args.runs)
        results[name] = timings
        print(f"{name}: {sum(len(v) for v in timings.values())} timed calls in {time.perf_counter() - t0:.0f} s; "
              f"slowest searches (median of {args.runs} runs):")  # fmt: skip
        for seconds, label, q, filters, found in sorted(per_case, key=lambda c: c[0], reverse=True)[: args.slowest]:
            hits = f"{found} hits" if name != "stock" else f"{found} shown"
            print(f"  {seconds * 1000:8.1f} ms  {q!r} {label} {json.dumps(filters) if filters else ''} ({hits})")

    print(f"\n{'backend':14} {'variant':20} {'calls':>6} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    for name, timings in results.items():
        everything = [s for values in timings.values() for s in values]
        for label, values in [*timings.items(), ("all", everything)]:
            s = sb.summarize_ms(values)
            print(f"{name:14} {label:20} {s['n']:6d} {s['median']:10.1f} {s['p95']:8.1f} {s['max']:8.1f}")
    if "stock" in results:
        print("stock: the results page only (no facet counts, no highlights, no facet filters: Wagtail's stock "
              "backend has no equivalent), so it does less work than the service")  # fmt: skip
    for name, message in skipped.items():
        print(f"{name}: {message}")
    for label, seconds in builds.items():
        print(f"index build: {label} {seconds:.1f} s")
    print(f"database: {connection.vendor}, {sb.human_bytes(size)}, {total} resources ({live} live and public)")
    if "database" in results:
        p95 = sb.summarize_ms([s for v in results["database"].values() for s in v])["p95"]
        verdict = "met" if p95 <= GOAL_P95_MS else "NOT met"
        print(f"goal: p95 ≤ {GOAL_P95_MS} ms for the database backend ({connection.vendor}): {p95:.1f} ms ({verdict})")
    if "elasticsearch" in results:
        p95 = sb.summarize_ms([s for v in results["elasticsearch"].values() for s in v])["p95"]
        verdict = "met" if p95 <= GOAL_P95_MS else "NOT met"
        print(f"goal: p95 ≤ {GOAL_P95_MS} ms for Elasticsearch: {p95:.1f} ms ({verdict})")
    for label, seconds in builds.items():
        if label.startswith("search index"):
            scaled = seconds * 100_000 / max(live, 1)
            print(f"goal: rebuild of 100,000 resources < {GOAL_REBUILD_S // 60} min: {seconds:.0f} s for {live} "
                  f"({scaled:.0f} s per 100,000: {'met' if scaled < GOAL_REBUILD_S else 'NOT met'})")  # fmt: skip
    print(f"benchmark took {time.perf_counter() - started:.0f} s (generation {generate_s:.0f} s)")


if __name__ == "__main__":
    main()
