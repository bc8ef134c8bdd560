"""The embedded backend: the project's own database, no server.

Matching and ranking run in the database's full-text engine over pre-segmented words (SQLite
FTS5 with bm25, or PostgreSQL tsvector with ts_rank); the engine returns every matching row
with its facet values, and filtering, disjunctive facet counts, sorting and paging happen in
one pass in Python. Over 10,000 resources that pass is a few milliseconds (bench/search_latency.py),
and it keeps the facet logic in one place for both engines.
"""

import heapq
import json
from collections import Counter
from itertools import chain

from django.db import connection

from .. import analysis
from ..models import IndexEntry
from .base import BIGRAM_WEIGHT, FACET_NAMES, FIELD_WEIGHTS, TOP_TAGS, BackendResult, Hit, SearchBackend, SearchQuery

WORD_COLUMNS = list(FIELD_WEIGHTS)

# PostgreSQL: four weight classes. Title A, keywords and summary B, body C, bigrams D.
PG_WEIGHTS = {"title_words": "A", "keywords": "B", "summary_words": "B", "body_words": "C", "bigrams": "D"}
# ts_rank takes the weights in the order D, C, B, A.
_rank = [BIGRAM_WEIGHT, FIELD_WEIGHTS["body_words"], FIELD_WEIGHTS["summary_words"], FIELD_WEIGHTS["title_words"]]
PG_RANK_WEIGHTS = "{" + ",".join(str(w / 10) for w in _rank) + "}"
PG_MAX_POSITION = 16383

_facet_cache = (None, {})


def fts5_string(text):
    """`text` as an FTS5 string (one token, or a phrase of the tokens inside it)."""
    return '"' + text.replace('"', '""') + '"'


def fts5_query(terms, match_all=True):
    """FTS5 MATCH expression: each term's words in the word columns only, its bigram phrases in
    the bigram column only (so 心理 never matches the bigram 心理 inside 用心理解)."""
    columns = "{" + " ".join(WORD_COLUMNS) + "}"
    parts = []
    for term in terms:
        options = [f"({columns} : ({' OR '.join(fts5_string(a) for a in term.alternatives)}))"]
        options += [f"(bigrams : {fts5_string(p)})" for p in term.phrases]
        parts.append("(" + " OR ".join(options) + ")")
    return (" AND " if match_all else " OR ").join(parts)


def tsquery_lexeme(text):
    """`text` as one quoted lexeme of a tsquery or tsvector literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery(terms, match_all=True):
    parts = []
    for term in terms:
        options = [f"{tsquery_lexeme(a)}:ABC" for a in term.alternatives]
        options += ["(" + " <-> ".join(f"{tsquery_lexeme(g)}:D" for g in p.split()) + ")" for p in term.phrases]
        parts.append("(" + " | ".join(options) + ")")
    return (" & " if match_all else " | ").join(parts)


def tsvector(document):
    """A tsvector literal with our own words, weights and positions: PostgreSQL's text parser
    would throw Chinese away or keep whole runs, so nothing of it is used."""
    positions = {}
    for column, weight in PG_WEIGHTS.items():
        for i, word in enumerate(document[column].split()[:PG_MAX_POSITION], start=1):
            positions.setdefault((word, weight), []).append(i)
    return " ".join(
        f"{tsquery_lexeme(word)}:{','.join(f'{p}{weight}' for p in ps[:256])}"
        for (word, weight), ps in positions.items()
    )


class DatabaseBackend(SearchBackend):
    name = "database"

    # -- matching ------------------------------------------------------------

    def _rows(self, query):
        """(id, score, date as a number, popularity) of every document matching the terms. Only
        narrow columns, read from a covering index: the wide text columns are never touched."""
        postgres = connection.vendor == "postgresql"
        epoch = "EXTRACT(EPOCH FROM e.date)" if postgres else "julianday(e.date)"
        columns = f"e.page_id, {{score}}, COALESCE({epoch}, 0), e.popularity"
        if not query.terms:
            sql, params = f"SELECT {columns.format(score='0')} FROM search_indexentry e", []
        elif postgres:
            sql = (
                f"SELECT {columns.format(score='ts_rank(%s, e.search_vector, q)')} "
                "FROM search_indexentry e, CAST(%s AS tsquery) q WHERE e.search_vector @@ q"
            )
            params = [PG_RANK_WEIGHTS, tsquery(query.terms, query.match_all)]
        else:
            weights = ", ".join(str(w) for w in [*FIELD_WEIGHTS.values(), BIGRAM_WEIGHT])
            sql = (
                f"SELECT {columns.format(score=f'-bm25(search_fts, {weights})')} "
                "FROM search_fts JOIN search_indexentry e ON e.page_id = search_fts.rowid WHERE search_fts MATCH %s"
            )
            params = [fts5_query(query.terms, query.match_all)]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def match_ids(self, terms):
        """Ids of every document matching all the terms: no counting, sorting or paging."""
        return [row[0] for row in self._rows(SearchQuery(terms=terms))]

    def _facets(self):
        """page id -> (its facet values as (name, code) pairs, {name: set of codes}), parsed once
        per process and read again only when the index has changed since (any write moves
        the count or the latest indexed_at)."""
        global _facet_cache
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*), MAX(indexed_at) FROM search_indexentry")
            version = (connection.alias, connection.settings_dict["NAME"], *cursor.fetchone())
            if _facet_cache[0] != version:
                cursor.execute("SELECT page_id, facets FROM search_indexentry")
                table = {}
                for pk, facets in cursor.fetchall():
                    facets = facets if isinstance(facets, dict) else json.loads(facets)
                    table[pk] = (
                        tuple((name, code) for name, codes in facets.items() for code in codes),
                        {name: set(codes) for name, codes in facets.items()},
                    )
                _facet_cache = (version, table)
        return _facet_cache[1]

    def search(self, query: SearchQuery) -> BackendResult:
        selected = {name: set(codes) for name, codes in query.filters.items() if codes}
        counts = Counter()  # (facet name, code) -> documents
        facets = self._facets()
        none = ((), {})
        rows = self._rows(query)
        if connection.vendor == "postgresql":
            rows = [(pk, score, float(date), popularity) for pk, score, date, popularity in rows]
        if not selected:
            # The common case, in one C-level pass: every matching row counts for every facet.
            matched = rows
            counts = Counter(chain.from_iterable(facets.get(row[0], none)[0] for row in rows))
        else:
            matched = []
            for row in rows:
                pairs, by_name = facets.get(row[0], none)
                failed = [name for name, codes in selected.items() if codes.isdisjoint(by_name.get(name, ()))]
                if not failed:
                    matched.append(row)
                    counts.update(pairs)
                elif len(failed) == 1:
                    # Counts of a facet ignore its own selection: this row counts for that facet only.
                    counts.update((failed[0], code) for code in by_name.get(failed[0], ()))
        by_facet = {name: {} for name in FACET_NAMES}
        for (name, code), n in counts.items():
            by_facet.setdefault(name, {})[code] = n

        key = {  # ties: newer first, then the higher page id, so that paging is stable
            "relevance": lambda r: (-r[1], -r[2], -r[0]),
            "newest": lambda r: (-r[2], -r[1], -r[0]),
            "popular": lambda r: (-r[3], -r[1], -r[2], -r[0]),
        }[query.sort]
        page = heapq.nsmallest(query.offset + query.limit, matched, key=key)[query.offset :]

        tags = by_facet["tag"]
        top = {tag for tag, _ in sorted(tags.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_TAGS]}
        top |= selected.get("tag", set()) & set(tags)
        by_facet["tag"] = {tag: tags[tag] for tag in top}
        return BackendResult(
            total=len(matched),
            hits=[Hit(pk, float(score)) for pk, score, _, _ in page],
            facets={name: by_facet[name] for name in FACET_NAMES},
        )

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
        fields = [f.name for f in IndexEntry._meta.concrete_fields if f.name not in ("page", "indexed_at")]
        for doc in documents:
            values = {name: doc[name] for name in fields if name in doc}
            IndexEntry.objects.update_or_create(page_id=doc["id"], defaults=values)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "UPDATE search_indexentry SET search_vector = CAST(%s AS tsvector) WHERE page_id = %s",
                        [tsvector(doc), doc["id"]],
                    )

    def delete(self, ids):
        IndexEntry.objects.filter(page_id__in=list(ids)).delete()

    def rebuild(self, documents, total, progress=None):
        # One transaction: readers see the old index until the new one is complete.
        from django.db import transaction

        count = 0
        with transaction.atomic():
            IndexEntry.objects.all().delete()
            batch = []
            for doc in documents:
                batch.append(doc)
                if len(batch) >= 200:
                    self.index(batch)
                    count += len(batch)
                    batch = []
                    if progress:
                        progress(count)
            self.index(batch)
            count += len(batch)
            if progress:
                progress(count)
        return count

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
