"""Find the places named in a message, anywhere in Indonesia, and say where they are.

Provinces, kabupaten/kota, their capitals, kecamatan and curated aliases are held in memory
(about 9,000 names). The 85,000 desa/kelurahan names stay in the knowledge database and are
looked up only after the word "desa" or "kelurahan", so they cost nothing for other messages.

A place name that is also an everyday word ("batu", "malang", "padang", "medan") counts as a
place only after a word that introduces one ("di", "kota", "kabupaten", "dari"...).
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

from knowledge.model import Region
from knowledge.places import fold_place

# Kinds in the order a name is read when it is several things at once ("ruteng": a capital and
# a kecamatan of the same kabupaten; "lombok": an island and some villages).
PRECEDENCE = ("alias", "provinsi", "kota", "kabupaten", "ibukota", "kecamatan", "desa")
IN_MEMORY = ("alias", "provinsi", "kota", "kabupaten", "ibukota", "kecamatan")
MARKERS = frozenset(
    [
        "di",
        "ke",
        "dari",
        "kota",
        "kab",
        "kabupaten",
        "provinsi",
        "prov",
        "propinsi",
        "daerah",
        "wilayah",
        "kec",
        "kecamatan",
        "cabang",
        "asal",
        "tinggal",
        "sekitar",
        "area",
        "kawasan",
        "pulau",
    ]
)
VILLAGE_MARKERS = frozenset(["desa", "kelurahan", "kel", "dusun", "kampung", "dsn", "ds"])
DISTRICT_MARKERS = frozenset(["kec", "kecamatan", "distrik"])
# Everyday words that are also names of places: a marker must come first.
COMMON_WORDS = frozenset(
    [
        "batu",
        "bone",
        "buru",
        "muna",
        "pati",
        "kudus",
        "lebak",
        "agam",
        "banjar",
        "siak",
        "karo",
        "tual",
        "raha",
        "luwu",
        "baru",
        "kota",
        "kaur",
        "lahat",
        "tebo",
        "bungo",
        "dairi",
        "asahan",
        "deli",
        "tanjung",
        "pangkalan",
        "sungai",
        "muara",
        "teluk",
        "tanah",
        "pulau",
        "laut",
        "air",
        "bukit",
        "gunung",
        "metro",
        "landak",
        "ketapang",
        "kapuas",
        "seram",
        "barat",
        "timur",
        "utara",
        "selatan",
        "tengah",
        "jaya",
        "indah",
        "makmur",
        "sari",
        "mulia",
        "sejahtera",
        "merdeka",
        "harapan",
        "baru",
        "baik",
        "bersatu",
        "mandiri",
        "sentosa",
        "damai",
        "maju",
        "tani",
        "nelayan",
        "pasar",
        "kampung",
        "desa",
        "dusun",
        "lima",
        "satu",
        "dua",
        "tiga",
        "empat",
        "enam",
        "tujuh",
        "delapan",
        "sembilan",
        "sepuluh",
        "ratus",
        "ribu",
        "besar",
        "kecil",
        "tua",
        "muda",
        "lama",
        "mati",
        "hidup",
        "rejo",
        "rejeki",
        "sumber",
        "mekar",
        "jati",
        "alam",
        "gadang",
        "panjang",
        "bantan",
        "biak",
        "bima",
        "tanjung",
        "manggar",
        "koba",
        "soe",
        "baa",
        "sabu",
        "rote",
        "ende",
        "alor",
        "belu",
        "kupang",
        "mataram",
        "dompu",
        "sumbawa",
        "praya",
        "selong",
        "gerung",
        "taliwang",
        "woha",
        "bajawa",
        "mbay",
        "betun",
        "sikka",
        "lembata",
    ]
)
# Names of the three provinces whose regions the bot has data for are matched by the curated
# regions table first; these everyday words are not refused there (see COMMON_WORDS use).
_MAX_WORDS = 4


@dataclass(frozen=True, slots=True)
class Place:
    """Where a named place lies: its kabupaten/kota (empty for a province or an island that
    spans several) and its province, as Indonesians write them."""

    name: str
    kind: str
    regency: str
    province: str

    @property
    def label(self) -> str:
        if self.regency:
            return self.regency
        if self.kind == "alias":
            return self.name.title()
        return f"Provinsi {self.province}"


# (kind, regency, province): one place a name may mean. A name's entry holds its places in
# order of precedence.
Fields = tuple[str, str, str]
Entry = tuple[Fields, ...]
_T = TypeVar("_T")
# Names kept as Place objects once met; past this many the memo starts again.
_PLACES_MET = 2048


class _Shared:
    """One object for each distinct value: the 8,000 names in memory share about 1,600
    (kind, regency, province) triples and 1,900 entries, and their 5,000 first words 16 sets of
    name lengths, so a name costs its string and its slot in a dict (some 1 MB in all, where a
    list per name and a string per field took 4.5 MB)."""

    def __init__(self) -> None:
        self._seen: dict[object, object] = {}

    def one(self, value: _T) -> _T:
        return cast(_T, self._seen.setdefault(value, value))

    def fields(self, kind: str, regency: str, province: str) -> Fields:
        return self.one((self.one(kind), self.one(regency), self.one(province)))


def _precedence(fields: Fields) -> int:
    return PRECEDENCE.index(fields[0])


class Gazetteer:
    def __init__(self, rows: Iterable[tuple[str, str, str, str]], db_path: Path | None = None):
        shared = _Shared()
        by_name: dict[str, list[Fields]] = defaultdict(list)
        for name, kind, regency, province in rows:
            by_name[name].append(shared.fields(kind, regency, province))
        self._entries: dict[str, Entry] = {
            name: shared.one(tuple(sorted(places, key=_precedence)))
            for name, places in by_name.items()
        }
        self._db_path = db_path
        self._places: dict[str, list[Place]] = {}
        self._village_memo: dict[str, list[Place]] = {}
        self._starts: dict[str, frozenset[int]] | None = None

    @classmethod
    def load(cls, db_path: Path) -> Gazetteer:
        """The in-memory part of the places table; an older database without one gives none."""
        try:
            conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
            try:
                marks = ",".join("?" for _ in IN_MEMORY)
                rows = conn.execute(
                    f"SELECT name, kind, regency, province FROM places WHERE kind IN ({marks})",
                    IN_MEMORY,
                ).fetchall()
            finally:
                conn.close()
        except sqlite3.Error:
            return cls(())
        return cls(rows, db_path)

    def rows(self) -> dict[str, list[Any]]:
        """The in-memory names as plain data, for `bot build` to store (bot.prepared): each
        distinct place once (`places`: [kind, regency, province]) and each distinct entry once
        with the names that have it (`entries`: [[place numbers in order of precedence],
        name, name...])."""
        numbers: dict[Fields, int] = {}
        names: dict[Entry, list[str]] = defaultdict(list)
        for name, entry in self._entries.items():
            for fields in entry:
                numbers.setdefault(fields, len(numbers))
            names[entry].append(name)
        return {
            "places": [list(fields) for fields in numbers],
            "entries": [[[numbers[f] for f in entry], *group] for entry, group in names.items()],
        }

    def starts(self) -> list[list[Any]]:
        """The lengths in words of the names each first word starts, for `bot build` to store:
        [[lengths], word, word...] for each distinct set of lengths."""
        words: dict[frozenset[int], list[str]] = defaultdict(list)
        for word, sizes in self._name_starts().items():
            words[sizes].append(word)
        return [[sorted(sizes), *group] for sizes, group in words.items()]

    @classmethod
    def from_rows(
        cls, rows: Mapping[str, list[Any]], starts: list[list[Any]], db_path: Path | None = None
    ) -> Gazetteer:
        """A gazetteer from `rows()` and `starts()` as stored."""
        gazetteer = cls((), db_path)
        shared = _Shared()
        places = [shared.fields(*fields) for fields in rows["places"]]
        for numbers, *names in rows["entries"]:
            entry = tuple(places[n] for n in numbers)
            gazetteer._entries.update((shared.one(name), entry) for name in names)
        gazetteer._starts = {}
        for sizes, *words in starts:  # a one-word name and its first word: one string
            lengths = frozenset(sizes)
            gazetteer._starts.update((shared.one(word), lengths) for word in words)
        return gazetteer

    def _lookup(self, phrase: str) -> list[Place] | None:
        places = self._places.get(phrase)
        if places is None and (entry := self._entries.get(phrase)):
            if len(self._places) >= _PLACES_MET:
                self._places.clear()
            places = self._places[phrase] = [Place(phrase, *fields) for fields in entry]
        return places

    def __len__(self) -> int:
        return len(self._entries)

    def _villages(self, name: str) -> list[Place]:
        if self._db_path is None:
            return []
        # Remembered: "di desa ..." looks up every phrase after the marker, message after message.
        if (known := self._village_memo.get(name)) is not None:
            return known
        if len(self._village_memo) > 4096:  # bounded: random words must not grow memory
            self._village_memo.clear()
        found = self._village_memo[name] = self._read_villages(self._db_path, name)
        return found

    @staticmethod
    def _read_villages(db_path: Path, name: str) -> list[Place]:
        try:
            conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
            try:
                # By name only, so that SQLite uses the name index (the kind index would
                # scan every village).
                rows = conn.execute(
                    "SELECT name, kind, regency, province FROM places INDEXED BY places_name "
                    "WHERE name = ? LIMIT 50",
                    (name,),
                ).fetchall()
            finally:
                conn.close()
        except sqlite3.Error:
            return []
        return [Place(*row) for row in rows if row[1] == "desa"][:20]

    def find(
        self, words: list[str], taken: set[int], vocabulary: set[str] | frozenset[str] = frozenset()
    ) -> list[tuple[int, int, list[Place]]]:
        """Non-overlapping place names in `words` (folded), longest first, as
        (start, end, candidate places); positions in `taken` are already something else."""
        found: list[tuple[int, int, list[Place]]] = []
        used = set(taken)
        # Only where a name could start: after a village marker, or at a word some name
        # starts with, for that name's length in words.
        starts = self._name_starts()
        # Those (size, start) pairs, found in one pass over the words, longest first.
        tried: list[tuple[int, int]] = []
        last = len(words)
        for start, word in enumerate(words):
            if start and words[start - 1] in VILLAGE_MARKERS:
                sizes: Iterable[int] = range(1, _MAX_WORDS + 1)
            elif word in starts:
                sizes = starts[word]
            else:
                continue
            tried.extend(
                (-size, start) for size in sizes if size <= _MAX_WORDS and start + size <= last
            )
        tried.sort()
        for negative, start in tried:
            size = -negative
            span = range(start, start + size)
            if any(i in used for i in span):
                continue
            phrase = " ".join(words[start : start + size])
            before = words[start - 1] if start else ""
            places = self._candidates(phrase, size, before, vocabulary)
            if places:
                found.append((start, start + size, places))
                used.update(span)
        return sorted(found, key=lambda item: item[0])

    def begins_a_name(self, word: str) -> bool:
        """True for a word a place name begins with ("tanjungpandan", "kalimantan")."""
        return word in self._name_starts()

    def _name_starts(self) -> dict[str, frozenset[int]]:
        if self._starts is None:
            sizes: dict[str, set[int]] = defaultdict(set)
            for name in self._entries:
                parts = name.split()
                if parts:
                    sizes[parts[0]].add(len(parts))
            shared = _Shared()
            self._starts = {w: shared.one(frozenset(n)) for w, n in sizes.items()}
        return self._starts

    def _candidates(
        self, phrase: str, size: int, before: str, vocabulary: set[str] | frozenset[str]
    ) -> list[Place]:
        if before in VILLAGE_MARKERS:
            villages = self._villages(phrase)
            if villages:
                return villages
        places = self._lookup(phrase)
        if not places:
            return []
        marked = before in MARKERS or before in VILLAGE_MARKERS
        everyday = phrase in COMMON_WORDS or phrase in vocabulary or len(phrase) < 4
        if size == 1 and everyday and not marked:
            return []
        top = places[0].kind
        if top == "kecamatan" and not (marked or before in DISTRICT_MARKERS):
            return []
        return [p for p in places if p.kind == top]


def region_ids(regions: Mapping[str, Region]) -> dict[str, str]:
    """Our curated regions by their folded, space-free name: "kotapangkalpinang" -> id."""
    ids: dict[str, str] = {}
    for region in regions.values():
        key = fold_place(region.name).replace(" ", "")
        ids[key] = region.id
        if region.kind == "provinsi":
            ids[key.removeprefix("provinsi")] = region.id
    return ids
