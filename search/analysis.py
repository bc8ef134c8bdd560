"""Chinese text analysis, done in Python so that neither backend needs a server plugin.

Both backends receive text already cut into words (jieba with this field's dictionary, run by
jieba-rs through rjieba: the same dictionary, cuts and HMM as Python jieba 0.42, 5-6x faster) and,
as a second signal, into overlapping character bigrams; both receive queries cut the same way.

- Index time: `index_words` also emits the dictionary words inside a longer word
  (心理危机干预 → 心理, 危机, 干预, 心理危机, …), so a query for any of them matches.
- Query time: `parse_query` cuts precisely, drops stop words and question words (怎么, 如何, 吗,
  呢: `dict/question_words.txt`), and gives each term its synonyms. A term jieba does not know
  (an out-of-vocabulary word, or a run of single characters) may also match as a phrase of
  bigrams, i.e. as an exact substring; a known word never does, which is what keeps 用心理解学生
  out of the results for 心理. A single character left alone (新 in 新辅导员入职培训, 年 in
  2024年) is a weak term: it is not searched for (it would narrow nothing, or match 不 anywhere),
  unless the query has nothing else. Queries of three words or more need most of their words, not all
  (`minimum_should_match`): a natural-language question rarely uses the text's exact words.
"""

import operator
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib.metadata import version
from itertools import chain
from pathlib import Path

import rjieba

DICT_DIR = Path(__file__).resolve().parent / "dict"
SEGMENTER = f"rjieba {version('rjieba')}"

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RUN = re.compile(f"[{CJK}]+")
IS_CJK = re.compile(f"^[{CJK}]+$")
WORD_CHAR = re.compile(rf"[{CJK}\w]")
# Python jieba cuts a run of Latin letters and digits it does not know at its punctuation
# (moe.edu.cn → moe . edu . cn, gpt-4o → gpt - 4o, but 3.5% and v1.2 stay); jieba-rs keeps the
# whole run. The cut is made as jieba made it, so that indexes and queries keep their words.
LATIN_PUNCT = re.compile(r"[a-z0-9][+#&._%-]|[+#&._%-][a-z0-9]")
LATIN_RUN = re.compile(r"^[a-z0-9+#&._%-]*[+#&._%-][a-z0-9+#&._%-]*$")
LATIN_PART = re.compile(r"([a-z0-9]+(?:\.\d+)?%?)")
USERDICT_LINE = re.compile(r"^(.+?)(?: ([0-9]+))?(?: ([a-z]+))?$")

_lock = threading.Lock()
_tokenizer = None


class Segmenter:
    """jieba-rs (rjieba, the Rust port of jieba: the same dictionary, the same DAG and HMM) with
    the field dictionary. Read-only once built: `cut` releases the GIL and is safe from any thread."""

    def __init__(self):
        self.jieba = rjieba.Jieba()  # jieba's own dictionary, built into the package (about 0.2 s)
        freqs = {}
        for line in _read_list("userdict.txt"):  # jieba's format: word [frequency] [tag]
            word, freq, tag = USERDICT_LINE.match(line).groups()
            freqs[word] = self.jieba.add_word(word, int(freq) if freq else None, tag)
        for group in synonym_groups():
            for word in group:
                if len(word) > 1:
                    known = freqs.get(word) or (self.jieba.suggest_freq(word) if self.jieba.has_word(word) else 0)
                    freqs[word] = self.jieba.add_word(word, max(known, 1000), None)
        self.known = self.jieba.has_word

    def cut(self, text):
        """jieba's precise cut, with the HMM for unknown words."""
        words = self.jieba.cut(text, True)
        if not LATIN_PUNCT.search(text):
            return words
        out = []
        for word in words:
            if len(word) > 1 and LATIN_RUN.match(word) and not self.known(word):
                out.extend(part for part in LATIN_PART.split(word) if part)
            else:
                out.append(word)
        return out

    def inner_words(self, word):
        """The dictionary words of two characters or more inside `word`, shortest first."""
        n = len(word)
        return sorted((w for w in self.jieba.cut_all(word) if 1 < len(w) < n), key=len)


def tokenizer():
    """The segmenter with the field dictionary, built once per process (about 0.2 s)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                _tokenizer = Segmenter()
    return _tokenizer


def _read_list(name):
    lines = (DICT_DIR / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@cache
def stopwords():
    return frozenset(_read_list("stopwords.txt"))


@cache
def question_words():
    return frozenset(_read_list("question_words.txt"))


def _synonym_lines():
    """(sources, targets) per line of synonyms.txt: a group `a, b, c` is its own sources and
    targets; `a => b, c` has the source a only (a query for b does not find a)."""
    for line in _read_list("synonyms.txt"):
        left, arrow, right = line.partition("=>")
        split = lambda text: tuple(dict.fromkeys(w.strip() for w in text.split(",") if w.strip()))  # noqa: E731
        if arrow:
            yield split(left), split(left) + split(right)
        else:
            yield split(line), split(line)


@cache
def synonym_groups():
    """Every word of each line (the segmenter keeps each as one word)."""
    return [targets for _, targets in _synonym_lines()]


@cache
def synonyms():
    """word -> every word it also finds (itself first)."""
    table = {}
    for sources, targets in _synonym_lines():
        for word in sources:
            table.setdefault(word, [word])
            table[word].extend(w for w in targets if w not in table[word])
    return table


def normalize(text):
    """Full-width letters and digits to half-width, lower case: ＡＩ and ai are one word."""
    return unicodedata.normalize("NFKC", text or "").lower()


def _is_word(token):
    return bool(WORD_CHAR.search(token)) and token not in stopwords()


def index_words(text):
    """Words for the index: jieba's precise cut, plus every dictionary word inside a longer word
    (北京师范大学 → 北京, 师范, 大学, 师范大学, …), so that a query for any of them matches. jieba's
    own search mode only looks inside for two- and three-character words, and misses 师范大学."""
    return list(chain.from_iterable(map(_index_forms, tokenizer().cut(normalize(text)))))


@lru_cache(maxsize=100_000)
def _index_forms(token):
    """What one token of the cut puts in the index (a text repeats its words: computed once)."""
    word = token.strip()
    if not word or not _is_word(word):
        return ()
    if len(word) > 2 and IS_CJK.match(word):
        return (*tokenizer().inner_words(word), word)
    return (word,)


def bigrams(text):
    """Overlapping character bigrams of each run of Chinese characters; a lone character stays
    a unigram. Latin words and numbers are left to the word signal."""
    grams = []
    for run in CJK_RUN.findall(normalize(text)):
        if len(run) == 1:
            grams.append(run)
        else:
            grams.extend(map(operator.add, run, run[1:]))
    return grams


def is_known(word):
    """In jieba's dictionary or ours: such a word is matched as a word, never as a substring."""
    return tokenizer().known(word)


@dataclass
class Term:
    text: str
    alternatives: list[str] = field(default_factory=list)  # the term and its synonyms
    known: bool = True
    # A lone single character (新, 年): not searched for, nor highlighted.
    weak: bool = False

    @property
    def phrases(self):
        """Bigram phrases that may also match this term: only for unknown Chinese words."""
        if self.known:
            return []
        return [" ".join(bigrams(alt)) for alt in self.alternatives if IS_CJK.match(alt) and len(alt) > 1]


def _dropped():
    return stopwords() | question_words()


def _cut_query(text):
    words = [w.strip() for w in tokenizer().cut(normalize(text))]
    words = [w for w in words if w and WORD_CHAR.search(w)]
    # A run of single Chinese characters is a word jieba does not know (刷单 → 刷, 单): join it.
    merged = []
    dropped = _dropped()
    for word in words:
        single = len(word) == 1 and IS_CJK.match(word) and word not in dropped
        if single and merged and merged[-1][1]:
            merged[-1] = (merged[-1][0] + word, True)
        else:
            merged.append((word, single))
    return [w for w, _ in merged]


def parse_query(text, max_terms=12):
    """The terms of a query (each matched through one of its alternatives). Stop words and question
    words are dropped; a lone single character is weak (see Term), unless every term is."""
    words = _cut_query(text)
    dropped = _dropped()
    kept = [w for w in words if w not in dropped] or words  # a query of stop words only keeps them
    terms = []
    for word in dict.fromkeys(kept):
        alternatives = synonyms().get(word, [word])
        single = len(word) == 1 and bool(IS_CJK.match(word)) and len(alternatives) == 1
        terms.append(Term(word, list(alternatives), known=len(word) == 1 or is_known(word), weak=single))
    terms = terms[:max_terms]
    if all(term.weak for term in terms):
        for term in terms:
            term.weak = False
    return terms


def searched_terms(terms):
    """The terms a backend matches: the weak ones are left out."""
    return [term for term in terms if not term.weak]


def minimum_should_match(count):
    """How many of `count` searched terms a result needs: all of one or two words (two words with
    nothing in common fall back to either, see search.service); of three or more, three quarters,
    at least two. A natural-language question (挂科 学生 帮扶) then finds the text that says it
    differently, while one shared common word (计划 of 火星殖民计划) is never enough."""
    if count <= 2:
        return count
    return max(2, count * 3 // 4)


def highlight_words(terms):
    """The strings to mark in a snippet: every alternative of every term, longest first."""
    words = {alt for term in terms for alt in term.alternatives}
    return sorted(words, key=len, reverse=True)
