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


@dataclass(frozen=True)
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


class Gazetteer:
    def __init__(self, rows: Iterable[tuple[str, str, str, str]], db_path: Path | None = None):
        self._names: dict[str, list[Place]] = defaultdict(list)
        for name, kind, regency, province in rows:
            self._names[name].append(Place(name, kind, regency, province))
        for places in self._names.values():
            places.sort(key=lambda p: PRECEDENCE.index(p.kind))
        self._db_path = db_path
        self._village_memo: dict[str, list[Place]] = {}
        self._starts: dict[str, frozenset[int]] | None = None
        self._rows: dict[str, list[list[str]]] = {}

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

    def rows(self) -> dict[str, list[list[str]]]:
        """The in-memory names as plain data (name -> [kind, regency, province] in order of
        precedence), for `bot build` to store (bot.prepared)."""
        return {
            name: [[p.kind, p.regency, p.province] for p in places]
            for name, places in self._names.items()
        }

    def starts(self) -> dict[str, list[int]]:
        """First word -> lengths of the names it starts, for `bot build` to store."""
        return {w: sorted(n) for w, n in self._name_starts().items()}

    @classmethod
    def from_rows(
        cls,
        rows: dict[str, list[list[str]]],
        starts: dict[str, list[int]],
        db_path: Path | None = None,
    ) -> Gazetteer:
        """A gazetteer from `rows()` and `starts()` as stored: a name's Places are made when it
        is first met."""
        gazetteer = cls((), db_path)
        gazetteer._rows = rows
        gazetteer._starts = {w: frozenset(n) for w, n in starts.items()}
        return gazetteer

    def _lookup(self, phrase: str) -> list[Place] | None:
        places = self._names.get(phrase)
        if places is None and (row := self._rows.get(phrase)):
            places = self._names[phrase] = [Place(phrase, *fields) for fields in row]
        return places

    def __len__(self) -> int:
        return len(self._rows) if self._rows else len(self._names)

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

    def _name_starts(self) -> dict[str, frozenset[int]]:
        if self._starts is None:
            sizes: dict[str, set[int]] = defaultdict(set)
            for name in self._rows or self._names:
                parts = name.split()
                if parts:
                    sizes[parts[0]].add(len(parts))
            self._starts = {w: frozenset(n) for w, n in sizes.items()}
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
