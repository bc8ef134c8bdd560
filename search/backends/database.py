"""The embedded backend: the project's own database, no server.

Matching and ranking run in the database's full-text engine over pre-segmented words (SQLite
FTS5 with bm25, or PostgreSQL tsvector with ts_rank); the engine returns every matching row
with its facet values, and filtering, disjunctive facet counts, sorting and paging happen in
one pass in Python. Over 10,000 resources that pass is a few milliseconds (bench/search_latency.py),
and it keeps the facet logic in one place for both engines.
"""

import heapq
import re
import unicodedata
from collections import Counter

from pyroaring import BitMap

from django.db import connection, transaction

from .. import analysis
from ..models import IndexEntry, IndexVersion
from .base import BIGRAM_WEIGHT, FACET_NAMES, FIELD_WEIGHTS, TOP_TAGS, BackendResult, Hit, SearchBackend, SearchQuery
from .snapshot import SMALL, facet_counts, newest_first
from .snapshot import current as current_snapshot

WORD_COLUMNS = list(FIELD_WEIGHTS)

# PostgreSQL: four weight classes. Title A, keywords and summary B, body C, bigrams D.
PG_WEIGHTS = {"title_words": "A", "keywords": "B", "summary_words": "B", "body_words": "C", "bigrams": "D"}
# ts_rank takes the weights in the order D, C, B, A.
_rank = [BIGRAM_WEIGHT, FIELD_WEIGHTS["body_words"], FIELD_WEIGHTS["summary_words"], FIELD_WEIGHTS["title_words"]]
PG_RANK_WEIGHTS = "{" + ",".join(str(w / 10) for w in _rank) + "}"
PG_MAX_POSITION = 16383

# Above this many matches, relevance is ranked in tiers (DatabaseBackend._ranked).
RANK_ALL = 10_000
# PostgreSQL's ts_rank reads each scored tsvector from TOAST: a tenth of bm25's budget.
RANK_ALL_POSTGRES = 2_000
BIGRAM_MARK = "~"  # PostgreSQL: bigram lexemes are "~心理", never the word 心理


_CJK_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def bigram_text(title, keyword_text, text):
    """The bigram column of a document from its stored text: SQLite's triggers call it as
    hub_bigrams_v1() on every insert and delete, so it must never change its output (what a delete
    removes from the contentless full-text table must be what the insert put in). Frozen here, not
    shared with `analysis.bigrams` (a test checks they agree): a new version gets a new name
    (hub_bigrams_v2), a migration and a rebuild."""
    grams = []
    joined = "\n".join(part.strip() for part in (title, keyword_text, text) if part and part.strip())
    for run in _CJK_RUN.findall(unicodedata.normalize("NFKC", joined).lower()):
        grams.extend([run] if len(run) == 1 else (run[i : i + 2] for i in range(len(run) - 1)))
    return " ".join(grams)


def register_sqlite_functions(sender, connection, **kwargs):
    """connection_created: hub_bigrams_v1() on every SQLite connection (the index triggers use it;
    the sqlite3 shell has no such function, so it cannot write to search_indexentry)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("hub_bigrams_v1", 3, bigram_text, deterministic=True)


def fts5_string(text):
    """`text` as an FTS5 string (one token, or a phrase of the tokens inside it)."""
    return '"' + text.replace('"', '""') + '"'


def fts5_query(terms, match_all=True, title_only=False):
    """FTS5 MATCH expression: each term's words in the word columns only, its bigram phrases in
    the bigram column only (so 心理 never matches the bigram 心理 inside 用心理解). `title_only`:
    the words in the title."""
    columns = "{" + " ".join(["title_words"] if title_only else WORD_COLUMNS) + "}"
    parts = []
    for term in terms:
        options = [f"({columns} : ({' OR '.join(fts5_string(a) for a in term.alternatives)}))"]
        if not title_only:
            options += [f"(bigrams : {fts5_string(p)})" for p in term.phrases]
        parts.append("(" + " OR ".join(options) + ")")
    return (" AND " if match_all else " OR ").join(parts)


def tsquery_lexeme(text):
    """`text` as one quoted lexeme of a tsquery or tsvector literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery(terms, match_all=True, title_only=False):
    """Words without weight labels: a label, like a phrase, makes PostgreSQL check every matching
    row's tsvector again (reading it from TOAST), which took a second for 25,000 matches. Bigrams
    carry a mark of their own instead, so that a word never matches a bigram."""
    parts = []
    for term in terms:
        options = [tsquery_lexeme(a) for a in term.alternatives]
        if not title_only:
            options += [
                "(" + " <-> ".join(tsquery_lexeme(BIGRAM_MARK + g) for g in p.split()) + ")" for p in term.phrases
            ]
        parts.append("(" + " | ".join(options) + ")")
    return (" & " if match_all else " | ").join(parts)


def tsvector(document, columns=PG_WEIGHTS):
    """A tsvector literal with our own words, weights and positions: PostgreSQL's text parser
    would throw Chinese away or keep whole runs, so nothing of it is used."""
    positions = {}
    for column, weight in columns.items():
        mark = BIGRAM_MARK if column == "bigrams" else ""
        for i, word in enumerate(document[column].split()[:PG_MAX_POSITION], start=1):
            positions.setdefault((mark + word, weight), []).append(i)
    return " ".join(
        f"{tsquery_lexeme(word)}:{','.join(f'{p}{weight}' for p in ps[:256])}"
        for (word, weight), ps in positions.items()
    )


_ENTRY_FIELDS = [f.name for f in IndexEntry._meta.concrete_fields if f.name not in ("page", "indexed_at")]


def entry_values(document):
    """The IndexEntry columns of a document (its id apart), for the live index and a rebuild's."""
    return {name: document[name] for name in _ENTRY_FIELDS if name in document}


def write_vectors(table, documents, only_missing=False):
    """PostgreSQL: the tsvectors of these documents' rows in `table` (`only_missing`: rows that have
    none yet, so that a rebuild's batch never overwrites a change written meanwhile)."""
    condition = " AND search_vector IS NULL" if only_missing else ""
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET search_vector = CAST(%s AS tsvector), title_vector = CAST(%s AS tsvector) "
            f"WHERE page_id = %s{condition}",
            [(tsvector(doc), title_tsvector(doc), doc["id"]) for doc in documents],
        )


def title_tsvector(document):
    """The title's words alone: small enough to stay in the row, for the title tier of `_ranked`."""
    return tsvector({"title_words": document["title_words"]}, {"title_words": "A"})


class DatabaseBackend(SearchBackend):
    name = "database"

    # -- matching ------------------------------------------------------------

    def _execute(self, sql, params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _execute_fulltext(self, sql, params):
        """A full-text query. PostgreSQL: through the GIN index even when a word is in a third of
        the resources, where the planner would rather scan the table and read every tsvector from
        TOAST (1.7 s instead of 0.2 s at 100,000 resources)."""
        if connection.vendor != "postgresql":
            return self._execute(sql, params)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _match(self, terms, required=None, title_only=False):
        """Ids of the documents matching at least `required` of the terms (None: all of them; no
        scoring: the engine only walks its index). Between one and all, each term is matched on its
        own and the ids are counted with bitmaps ("minimum should match", which neither FTS5 nor a
        tsquery can say): one more query per term, for queries of three words or more."""
        required = len(terms) if required is None else required
        if required >= len(terms) or required <= 1:
            return self._match_expression(terms, required >= len(terms), title_only)
        at_least = [BitMap() for _ in range(required + 1)]  # at_least[j]: ids matching j terms or more
        for term in terms:
            ids = self._match_expression([term], True, title_only)
            for j in range(required, 1, -1):
                at_least[j] |= at_least[j - 1] & ids
            at_least[1] |= ids
        return at_least[required]

    def _match_expression(self, terms, match_all=True, title_only=False):
        if connection.vendor == "postgresql":
            column = "title_vector" if title_only else "search_vector"
            sql = f"SELECT page_id FROM search_indexentry WHERE {column} @@ CAST(%s AS tsquery)"
            params = [tsquery(terms, match_all, title_only)]
        else:
            sql = "SELECT rowid FROM search_fts WHERE search_fts MATCH %s"
            params = [fts5_query(terms, match_all, title_only)]
        return BitMap(row[0] for row in self._execute_fulltext(sql, params))

    def _scores(self, terms, match_all=True, title_only=False):
        """{id: score} of every matching document (bm25 on SQLite, ts_rank on PostgreSQL)."""
        if connection.vendor == "postgresql":
            column = "title_vector" if title_only else "search_vector"
            sql = (
                f"SELECT page_id, ts_rank(%s, {column}, q) FROM search_indexentry, CAST(%s AS tsquery) q "
                f"WHERE {column} @@ q"
            )
            params = [PG_RANK_WEIGHTS, tsquery(terms, match_all, title_only)]
        else:
            weights = ", ".join(str(w) for w in [*FIELD_WEIGHTS.values(), BIGRAM_WEIGHT])
            sql = f"SELECT rowid, -bm25(search_fts, {weights}) FROM search_fts WHERE search_fts MATCH %s"
            params = [fts5_query(terms, match_all, title_only)]
        return {pk: float(score) for pk, score in self._execute_fulltext(sql, params)}

    def match_ids(self, terms):
        """Ids of every document matching all the terms: no counting, sorting or paging."""
        return list(self._match(terms))

    def _ranked(self, query, snapshot, found, matched, count):
        """The first `count` of `matched` (the matches `found` narrowed by the filters) by relevance,
        as (id, score).

        The engine scores every document the words match, filtered or not (FTS5 and ts_rank cannot
        be told which ids to score), about 2 µs each on SQLite. So bm25 (ts_rank) is computed when
        the words match at most RANK_ALL documents. Beyond that (a word in most resources, 学生 or
        辅导员), it is computed for the matches whose title holds every word (a word's weight there
        is ten times the body's), best first, if they are at most RANK_ALL; the other matches follow
        newest first. The cost of a search is then bounded whatever the size of the library, and
        nothing is dropped from the query: every result holds every word."""
        tiebreak = snapshot.dates
        limit = RANK_ALL_POSTGRES if connection.vendor == "postgresql" else RANK_ALL
        if len(found) <= limit:
            scores = self._scores(query.terms, query.match_all)
            ids = heapq.nsmallest(count, matched, key=lambda pk: (-scores.get(pk, 0.0), -tiebreak.get(pk, 0), -pk))
            return [(pk, scores.get(pk, 0.0)) for pk in ids]
        titled_anywhere = self._match(query.terms, query.required, title_only=True)
        titled = titled_anywhere & matched
        ranked = []
        if titled and len(titled_anywhere) <= limit:
            scores = self._scores(query.terms, query.match_all, title_only=True)
            ids = heapq.nsmallest(count, titled, key=lambda pk: (-scores.get(pk, 0.0), -tiebreak.get(pk, 0), -pk))
            ranked = [(pk, scores.get(pk, 0.0)) for pk in ids]
        elif titled:
            ranked = [(pk, 0.0) for pk in newest_first(snapshot, titled, count)]
        if len(ranked) < count:
            rest = newest_first(snapshot, matched, count - len(ranked), skip=titled)
            ranked += [(pk, 0.0) for pk in rest]
        return ranked

    # The popularity sorts (popularity.scores): their columns, most important first, each descending;
    # the date and then the id break ties (newest first). Each order has its index (IndexEntry.Meta).
    STATS_ORDERS = {
        "popular": ["viewers", "popularity"],
        "completion": ["completion_key", "viewers"],
        "rating": ["rating_score", "rating_count"],
    }

    def _by_stats(self, matched, count, sort):
        """The first `count` of `matched` in a popularity sort, read now: the numbers change without
        reindexing (page views, viewers, ratings)."""
        columns = self.STATS_ORDERS[sort]
        if len(matched) <= SMALL:
            rows = []
            ids = list(matched)
            select = ", ".join(["page_id", "date", *columns])
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                rows += self._execute(f"SELECT {select} FROM search_indexentry WHERE page_id IN ({marks})", chunk)

            def key(row):
                date = row[1].timestamp() if row[1] else 0
                return (*(-(value or 0) for value in row[2:]), -date, -row[0])

            return [row[0] for row in heapq.nsmallest(count, rows, key=key)]
        order = ", ".join(f"{column} DESC" for column in [*columns, "date", "page_id"])
        out, offset, step = [], 0, max(200, count * 4)
        while len(out) < count:
            rows = self._execute(
                f"SELECT page_id FROM search_indexentry ORDER BY {order} LIMIT %s OFFSET %s", [step, offset]
            )
            if not rows:
                break
            out += [pk for (pk,) in rows if pk in matched]
            offset += step
            step *= 2  # a few reads even for a sparse set: the offsets add up to twice the rows read
        return out[:count]

    def search(self, query: SearchQuery) -> BackendResult:
        selected = {name: list(codes) for name, codes in query.filters.items() if codes}
        snapshot = current_snapshot()
        # An entry written after the snapshot waits for the next one.
        found = self._match(query.terms, query.required) & snapshot.everything if query.terms else snapshot.everything
        if len(found) <= SMALL:
            by_facet, matched = self._count_rows(snapshot, found, selected)
        else:
            by_facet, matched = facet_counts(snapshot, found, selected, TOP_TAGS)

        count = query.offset + query.limit
        if query.sort == "relevance" and query.terms:
            page = self._ranked(query, snapshot, found, matched, count)
        elif query.sort in self.STATS_ORDERS:
            page = [(pk, 0.0) for pk in self._by_stats(matched, count, query.sort)]
        else:  # newest, and browsing without words
            page = [(pk, 0.0) for pk in newest_first(snapshot, matched, count)]
        complete = None
        if query.terms and not query.match_all:
            complete = len(self._match(query.terms) & matched) if matched else 0
        return BackendResult(
            total=len(matched),
            hits=[Hit(pk, score) for pk, score in page[query.offset :]],
            facets={name: by_facet.get(name, {}) for name in FACET_NAMES},
            complete=complete,
        )

    @staticmethod
    def _count_rows(snapshot, found, selected):
        """Facet counts for a few matches, row by row (cheaper than a bitmap per value)."""
        wanted = {name: set(codes) for name, codes in selected.items()}
        counts = Counter()
        matched = BitMap()
        none = ((), {})
        for pk in found:
            pairs, by_name = snapshot.per_page.get(pk, none)
            failed = [name for name, codes in wanted.items() if codes.isdisjoint(by_name.get(name, ()))]
            if not failed:
                matched.add(pk)
                counts.update(pairs)
            elif len(failed) == 1:
                # Counts of a facet ignore its own selection: this row counts for that facet only.
                counts.update((failed[0], code) for code in by_name.get(failed[0], ()))
        by_facet = {name: {} for name in FACET_NAMES}
        for (name, code), n in counts.items():
            by_facet.setdefault(name, {})[code] = n
        tags = by_facet["tag"]
        top = dict(sorted(tags.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_TAGS])
        top.update({tag: tags[tag] for tag in wanted.get("tag", ()) if tag in tags})
        by_facet["tag"] = top
        return by_facet, matched

    # -- autocomplete --------------------------------------------------------

    def suggest(self, prefix, limit=8):
        prefix = analysis.normalize(prefix).strip()
        if not prefix:
            return []
        rows = IndexEntry.objects.filter(title__icontains=prefix).order_by("-popularity", "title")
        titles = []
        for title, words in rows.values_list("title", "title_words")[:200]:
            # A word of the title must begin with what was typed: 心理 suggests 心理危机…, not 用心理解….
            starts = analysis.normalize(title).startswith(prefix)
            if starts or any(w.startswith(prefix) for w in words.split()):
                titles.append((not starts, title))
        titles.sort(key=lambda t: t[0])  # titles that begin with it first; stable: popularity within
        return list(dict.fromkeys(t for _, t in titles))[:limit]

    # -- writing -------------------------------------------------------------

    def index(self, documents):
        if documents:
            IndexVersion.bump()
        for doc in documents:
            IndexEntry.objects.update_or_create(page_id=doc["id"], defaults=entry_values(doc))
        if connection.vendor == "postgresql" and documents:
            write_vectors("search_indexentry", documents)

    def delete(self, ids):
        ids = list(ids)
        if ids and IndexEntry.objects.filter(page_id__in=ids).delete()[0]:
            IndexVersion.bump()

    def rebuild(self, documents, total, progress=None):
        """Not from a stream of documents: the database index is rebuilt beside the live one, from
        the pages, resumably (search.rebuild)."""
        from ..rebuild import rebuild

        return rebuild(progress=(lambda done, total: progress(done)) if progress else None)

    def health(self):
        try:
            return {
                "ok": True,
                "backend": self.name,
                "engine": connection.vendor,
                "documents": IndexEntry.objects.count(),
            }
        except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
            return {
                "ok": False,
                "backend": self.name,
                "engine": connection.vendor,
                "documents": None,
                "error": str(exc),
            }
