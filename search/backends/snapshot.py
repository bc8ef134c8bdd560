"""What the database backend keeps in memory per process between searches: the facet values of
every indexed resource as compressed bitmaps (Roaring), and the resources in date order.

Facet counts, filters and date sorting then cost set operations in C, whatever the number of
matches: a query that matches nearly every resource (学生, 辅导员) no longer walks 100,000 rows
in Python. The snapshot is read again whenever the index has changed (any write moves its
`IndexVersion`), as Lucene reopens a reader after a commit.
"""

import heapq
import json
import threading
from dataclasses import dataclass, field

from pyroaring import BitMap

from django.db import connection

# Below this many matches, counting row by row is cheaper than a bitmap per facet value.
SMALL = 2_000


@dataclass
class Snapshot:
    version: tuple
    everything: BitMap = field(default_factory=BitMap)
    # (facet name, code) -> documents having it
    values: dict = field(default_factory=dict)
    # facet name -> its codes, most frequent first (the tag facet shows the most frequent only)
    codes: dict = field(default_factory=dict)
    # page id -> ((name, code), ...) and {name: set of codes}, for small result sets
    per_page: dict = field(default_factory=dict)
    # page id -> date as a number; and every id newest first (ties: the higher id first)
    dates: dict = field(default_factory=dict)
    newest: list = field(default_factory=list)

    def union(self, name, codes):
        found = BitMap()
        for code in codes:
            found |= self.values.get((name, code), BitMap())
        return found


_lock = threading.Lock()
_current = None


def _version(cursor):
    from ..models import IndexVersion

    return (connection.alias, connection.settings_dict["NAME"], IndexVersion.current())


def current():
    """The snapshot of the index as it is now (loaded again only if it changed)."""
    global _current
    with connection.cursor() as cursor:
        version = _version(cursor)
        snapshot = _current
        if snapshot is not None and snapshot.version == version:
            return snapshot
        epoch = "EXTRACT(EPOCH FROM date)" if connection.vendor == "postgresql" else "julianday(date)"
        cursor.execute(f"SELECT page_id, facets, COALESCE({epoch}, 0) FROM search_indexentry")
        rows = cursor.fetchall()
    snapshot = Snapshot(version)
    members = {}
    for pk, facets, date in rows:
        facets = facets if isinstance(facets, dict) else json.loads(facets)
        pairs = tuple((name, code) for name, codes in facets.items() for code in codes)
        snapshot.per_page[pk] = (pairs, {name: set(codes) for name, codes in facets.items()})
        snapshot.dates[pk] = float(date)
        for pair in pairs:
            members.setdefault(pair, []).append(pk)
    snapshot.everything = BitMap(snapshot.dates)
    snapshot.values = {pair: BitMap(ids) for pair, ids in members.items()}
    by_name = {}
    for (name, code), ids in members.items():
        by_name.setdefault(name, []).append((-len(ids), code))
    snapshot.codes = {name: [code for _, code in sorted(codes)] for name, codes in by_name.items()}
    snapshot.newest = sorted(snapshot.dates, key=lambda pk: (-snapshot.dates[pk], -pk))
    with _lock:
        _current = snapshot
    return snapshot


def facet_counts(snapshot, matched_before_filters, selected, top_tags):
    """{name: {code: documents}} for the matches, each facet counted with the *other* facets'
    selections applied (disjunctive faceting), and the matches with every selection applied."""
    unions = {name: snapshot.union(name, codes) for name, codes in selected.items()}
    matched = BitMap(matched_before_filters)
    for bits in unions.values():
        matched &= bits
    counts = {}
    for name, codes in snapshot.codes.items():
        base = BitMap(matched_before_filters)
        for other, bits in unions.items():
            if other != name:
                base &= bits
        if name == "tag":
            counts[name] = _top(snapshot, base, codes, top_tags, selected.get(name, ()))
        else:
            found = {}
            for code in codes:
                n = base.intersection_cardinality(snapshot.values[(name, code)])
                if n:
                    found[code] = n
            counts[name] = found
    return counts, matched


def _top(snapshot, base, codes, k, selected):
    """The k most frequent codes within `base` (ties: the smaller code), and the selected ones.
    Codes are visited by their overall frequency; the visit stops once no later code can enter
    the top k (a code's count within `base` is at most its overall count)."""
    found, threshold = {}, []  # threshold: min-heap of the k best counts so far
    for code in codes:
        bits = snapshot.values[("tag", code)]
        if len(threshold) == k and len(bits) < threshold[0]:
            break
        n = base.intersection_cardinality(bits)
        if n:
            found[code] = n
            (heapq.heappushpop if len(threshold) == k else heapq.heappush)(threshold, n)
    top = dict(sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[:k])
    for code in selected:
        if code in found:
            top[code] = found[code]
        elif ("tag", code) in snapshot.values:
            n = base.intersection_cardinality(snapshot.values[("tag", code)])
            if n:
                top[code] = n
    return top


def newest_first(snapshot, matched, count, skip=()):
    """The first `count` ids of `matched` newest first (ties: the higher id), leaving out `skip`."""
    out = []
    if len(matched) * 20 >= len(snapshot.everything):  # dense: walk the global order
        for pk in snapshot.newest:
            if pk in matched and pk not in skip:
                out.append(pk)
                if len(out) == count:
                    break
        return out
    ids = [pk for pk in matched if pk not in skip]
    return heapq.nsmallest(count, ids, key=lambda pk: (-snapshot.dates.get(pk, 0), -pk))
