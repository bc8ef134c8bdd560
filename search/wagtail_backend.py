"""Wagtail's own search (admin page search, page and snippet choosers, `Page.objects.search`
and `.autocomplete`) with Chinese words: the stock database backend, but text is cut into
words by `search.analysis` before it is indexed and before a query runs.

    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "search.wagtail_backend"}}

Why: SQLite FTS5 (tokenizer unicode61) and PostgreSQL's default parser both take a whole run
of Chinese characters as ONE token, so 心理危机 never finds 大学生心理危机的识别与早期干预.

What goes into the index, for every indexed text value (title, body fields, autocomplete):
- the words of `analysis.index_words` (jieba search mode, stop words dropped, Latin words
  lower-cased), separated by spaces, so each is a token of its own;
- after them, the overlapping character bigrams of every run of Chinese characters, each
  prefixed with MARK (so 心理 the bigram is the token "ꀀ心理", never the word "心理").

What a query becomes (`plan`): each whitespace-separated chunk the user typed is parsed with
`analysis.parse_query`; all of its terms must match (AND: 大学生心理 needs 大学生 and 心理,
whatever operator the caller asked for), and the chunks are combined with the caller's
operator. A term matches through any of its alternatives (synonyms); a term jieba does not
know (an out-of-vocabulary word such as 刷单) may also match as the phrase of its bigrams,
i.e. as an exact substring. A known word never matches as a substring, which keeps
用心理解学生 out of the results for 心理. Autocomplete makes the last term a prefix (心理危
→ 心理 AND 危*). A quoted phrase ("心理危机的识别") matches as an exact substring.

Where: the narrowest points of modelsearch's database backends (modelsearch 1.3.2):
- SQLite (modelsearch/backends/database/sqlite/sqlite.py): `ObjectIndexer.prepare_field`
  (line 71) yields each indexed value; `SQLiteIndex.add_items` (line 214) builds the entries;
  `SQLiteSearchQueryCompiler.build_search_query_content` (line 374) turns PlainText and
  Phrase into the FTS5 MATCH expression.
- PostgreSQL (modelsearch/backends/database/postgres/postgres.py): `ObjectIndexer.as_vector`
  (line 196) makes the tsvectors (title_text/body_text, used by fuzzy search, stay as they
  are); `PostgresIndex.add_items` (line 371); `build_tsquery_content` (line 523) makes the
  tsquery, also used for ranking.
`add_items` refers to the module-level name ObjectIndexer: `_with_indexer` reuses the
upstream function unchanged, with that one name bound to our indexer.

Entries indexed before the switch hold unsegmented text: run `manage.py update_index` once.
"""

import re
import types
from dataclasses import dataclass
from functools import cache

from modelsearch.backends import database
from modelsearch.index import RelatedFields
from modelsearch.query import Phrase, PlainText

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Value

from . import analysis
from .backends.database import fts5_string, tsquery_lexeme

# YI SYLLABLE IT: a letter to both FTS5's unicode61 tokenizer and PostgreSQL's parser (so
# "ꀀ心理" stays one token), that nobody types here; it is removed from texts and queries.
MARK = "\ua000"
CJK_OR_OTHER = re.compile(f"([{analysis.CJK}]+)")


# Index time ---------------------------------------------------------------------------------


def index_text(text):
    """The text the index holds for one value: its words, then its marked bigrams."""
    text = (text or "").replace(MARK, "")
    return " ".join(analysis.index_words(text) + [MARK + gram for gram in analysis.bigrams(text)])


# Query time: a small tree, rendered for FTS5 or for to_tsquery ------------------------------


@dataclass
class Token:
    text: str
    prefix: bool = False


@dataclass
class Sequence:
    """Consecutive tokens (a phrase); `prefix` applies to the last one."""

    tokens: list[str]
    prefix: bool = False


@dataclass
class AnyOf:
    parts: list


@dataclass
class AllOf:
    parts: list


def _term(term, prefix):
    options = [Token(alt, prefix) for alt in term.alternatives]
    options += [Sequence([MARK + gram for gram in phrase.split()], prefix) for phrase in term.phrases]
    return AnyOf(options)


def plan_words(query_string, operator="and", prefix_last=False):
    """The tree for a plain query, or None when it has no word to look for."""
    stop = analysis.stopwords()
    chunks = []
    for chunk in query_string.replace(MARK, "").split():
        terms = [term for term in analysis.parse_query(chunk) if term.text not in stop]
        if terms:
            chunks.append(terms)
    if not chunks:
        return None
    nodes = []
    for i, terms in enumerate(chunks):
        last_chunk = i == len(chunks) - 1
        nodes.append(AllOf([_term(t, prefix_last and last_chunk and j == len(terms) - 1) for j, t in enumerate(terms)]))
    return AllOf(nodes) if operator.lower() == "and" else AnyOf(nodes)


def plan_phrase(text):
    """A quoted phrase: its Chinese runs as exact substrings (bigram phrases), its other words
    in order. None when it has no word."""
    parts = []
    for piece in CJK_OR_OTHER.split(analysis.normalize(text.replace(MARK, ""))):
        if analysis.IS_CJK.match(piece):
            parts.append(Token(piece) if len(piece) == 1 else Sequence([MARK + g for g in analysis.bigrams(piece)]))
        elif words := analysis.index_words(piece):
            parts.append(Sequence(words))
    return AllOf(parts) if parts else None


def plan(query, prefix_last=False):
    """The tree for a PlainText or a Phrase; None when it has no word to look for (only stop
    words or punctuation), which then matches nothing."""
    if isinstance(query, PlainText):
        return plan_words(query.query_string, query.operator, prefix_last)
    return plan_phrase(query.query_string)


def to_fts5(node):
    """An SQLite FTS5 MATCH expression."""
    if isinstance(node, Token | Sequence):
        text = node.text if isinstance(node, Token) else " ".join(node.tokens)
        return fts5_string(text) + ("*" if node.prefix else "")
    operator = " AND " if isinstance(node, AllOf) else " OR "
    rendered = operator.join(to_fts5(part) for part in node.parts)
    return f"({rendered})" if len(node.parts) > 1 else rendered


def _lexeme(text, prefix):
    return tsquery_lexeme(text) + (":*" if prefix else "")


def to_tsquery(node):
    """A PostgreSQL to_tsquery() expression."""
    if isinstance(node, Token):
        return _lexeme(node.text, node.prefix)
    if isinstance(node, Sequence):
        last = len(node.tokens) - 1
        lexemes = [_lexeme(token, node.prefix and i == last) for i, token in enumerate(node.tokens)]
        return "(" + " <-> ".join(lexemes) + ")" if len(lexemes) > 1 else lexemes[0]
    operator = " & " if isinstance(node, AllOf) else " | "
    rendered = operator.join(to_tsquery(part) for part in node.parts)
    return f"({rendered})" if len(node.parts) > 1 else rendered


# The backends ---------------------------------------------------------------------------------
# Built on first use, like modelsearch's own factory imports them: each upstream module only
# imports on its own database (the SQLite one needs the SQLiteFTSIndexEntry model).


def _global_names(code):
    """The global names a function's code uses, comprehensions included (their own code
    objects, which run with the function's globals)."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def _with_indexer(add_items, indexer_class):
    """The upstream `add_items`, unchanged, except that its global ObjectIndexer is ours."""
    if "ObjectIndexer" not in _global_names(add_items.__code__):
        raise ImproperlyConfigured(
            f"{add_items.__module__}.{add_items.__qualname__} no longer builds entries with ObjectIndexer: "
            "search/wagtail_backend.py must be updated for this modelsearch version."
        )
    function = types.FunctionType(
        add_items.__code__,
        {**add_items.__globals__, "ObjectIndexer": indexer_class},
        add_items.__name__,
        add_items.__defaults__,
        add_items.__closure__,
    )
    function.__kwdefaults__ = add_items.__kwdefaults__
    function.__doc__ = add_items.__doc__
    return function


@cache
def sqlite_backend():
    """Our SQLite FTS5 backend class."""
    from modelsearch.backends.database.sqlite import sqlite as lite
    from modelsearch.backends.database.sqlite.query import SearchQueryExpression

    class SQLiteObjectIndexer(lite.ObjectIndexer):
        def prepare_field(self, obj, field):
            if isinstance(field, RelatedFields):
                yield from super().prepare_field(obj, field)  # comes back here for each sub-field
                return
            for search_field, value in super().prepare_field(obj, field):
                yield search_field, index_text(value)

    class SQLiteIndex(lite.SQLiteIndex):
        add_items = _with_indexer(lite.SQLiteIndex.add_items, SQLiteObjectIndexer)

    class QueryMixin:
        def build_search_query_content(self, query, config=None):
            if not isinstance(query, PlainText | Phrase):  # And, Or, AndNot: they come back here for their parts
                return super().build_search_query_content(query, config=config)
            node = plan(query, prefix_last=self.LAST_TERM_IS_PREFIX)
            expression = to_fts5(node) if node else '""'  # an empty phrase matches nothing
            return SearchQueryExpression(Value(expression), config=config)

    class SQLiteSearchQueryCompiler(QueryMixin, lite.SQLiteSearchQueryCompiler):
        pass

    class SQLiteAutocompleteQueryCompiler(QueryMixin, lite.SQLiteAutocompleteQueryCompiler):
        pass

    class SQLiteSearchBackend(lite.SQLiteSearchBackend):
        query_compiler_class = SQLiteSearchQueryCompiler
        autocomplete_query_compiler_class = SQLiteAutocompleteQueryCompiler
        index_class = SQLiteIndex

    return SQLiteSearchBackend


@cache
def postgres_backend():
    """Our PostgreSQL full-text backend class."""
    from modelsearch.backends.database.postgres import postgres as pg

    from django.contrib.postgres.search import SearchQuery

    class PostgresObjectIndexer(pg.ObjectIndexer):
        # Only the tsvectors: title_text and body_text (fuzzy search) keep the plain text.
        def as_vector(self, texts, for_autocomplete=False):
            return super().as_vector([(index_text(text), weight) for text, weight in texts], for_autocomplete)

    class PostgresIndex(pg.PostgresIndex):
        add_items = _with_indexer(pg.PostgresIndex.add_items, PostgresObjectIndexer)

    class QueryMixin:
        def build_tsquery_content(self, query, config=None, invert=False):
            if not isinstance(query, PlainText | Phrase):  # And, Or, Not, Boost: they come back here for their parts
                return super().build_tsquery_content(query, config=config, invert=invert)
            node = plan(query, prefix_last=self.LAST_TERM_IS_PREFIX)
            if node is None:
                return SearchQuery("", search_type="plain", config=config, invert=invert)  # an empty tsquery: nothing
            return SearchQuery(to_tsquery(node), search_type="raw", config=config, invert=invert)

    class PostgresSearchQueryCompiler(QueryMixin, pg.PostgresSearchQueryCompiler):
        pass

    class PostgresAutocompleteQueryCompiler(QueryMixin, pg.PostgresAutocompleteQueryCompiler):
        pass

    class PostgresSearchBackend(pg.PostgresSearchBackend):
        query_compiler_class = PostgresSearchQueryCompiler
        autocomplete_query_compiler_class = PostgresAutocompleteQueryCompiler
        index_class = PostgresIndex

    return PostgresSearchBackend


# The upstream backend classes we replace, by module and name.
CHINESE_BACKENDS = {
    "modelsearch.backends.database.sqlite.sqlite.SQLiteSearchBackend": sqlite_backend,
    "modelsearch.backends.database.postgres.postgres.PostgresSearchBackend": postgres_backend,
}


def SearchBackend(params):  # noqa: N802 (the name Wagtail looks for in a backend module)
    """Like `wagtail.search.backends.database`: the backend for the default database, as chosen
    by modelsearch's own factory (PostgreSQL; SQLite when FTS5 is there; else MySQL or the LIKE
    fallback), with ours in place of the SQLite and the PostgreSQL one. MySQL and the fallback
    are returned unchanged (no segmentation)."""
    backend = database.SearchBackend(params)
    ours = CHINESE_BACKENDS.get(f"{type(backend).__module__}.{type(backend).__qualname__}")
    return ours()(params) if ours else backend
