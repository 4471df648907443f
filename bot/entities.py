"""Entity extraction: the amounts, places, programmes, jobs, ages and counts in a message."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping

from rapidfuzz import fuzz, process

from bot.numbers import find_amounts, find_numbers
from bot.places import Gazetteer, Place, region_ids
from core.entities import Entities
from knowledge.model import Region
from knowledge.places import fold_place

PROGRAMME_WORDS: dict[str, str] = {
    "jht": "jht",
    "jaminan hari tua": "jht",
    "hari tua": "jht",
    "jkm": "jkm",
    "jaminan kematian": "jkm",
    "santunan kematian": "jkm",
    "jkk": "jkk",
    "jaminan kecelakaan kerja": "jkk",
    "kecelakaan kerja": "jkk",
    "jp": "jp",
    "jaminan pensiun": "jp",
    "jkp": "jkp",
    "jaminan kehilangan pekerjaan": "jkp",
    "kehilangan pekerjaan": "jkp",
}

# The word every place name becomes for matching (see EntityExtractor.mask_places).
PLACE_TOKEN = "daerah"  # noqa: S105 - a word, not a secret

RISK_WORDS: dict[str, str] = {
    "sangat rendah": "I",
    "rendah": "II",
    "sedang": "III",
    "sangat tinggi": "V",
    "tinggi": "IV",
}
ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV", "5": "V",
         "i": "I", "ii": "II", "iii": "III", "iv": "IV", "v": "V"}  # fmt: skip

SCHOOL_LEVELS: dict[str, str] = {
    "paud": "tk", "tk": "tk", "sd": "sd", "smp": "smp", "sma": "sma", "smk": "sma",
    "kuliah": "pt", "kuliahnya": "pt", "universitas": "pt", "perguruan tinggi": "pt",
    "s1": "pt", "sarjana": "pt", "mahasiswa": "pt", "pelatihan kerja": "pt",
}  # fmt: skip

_RISK_GROUP = re.compile(
    r"\b(?:kelompok|golongan|kel|grup|group)\s*(?:risiko\s*)?(iii|ii|iv|v|i|[1-5])\b"
)
_RISK_LEVEL = re.compile(r"\brisiko\s+(sangat rendah|rendah|sedang|sangat tinggi|tinggi)\b")
_AGE = re.compile(r"\b(?:umur|usia|berumur|berusia|umurnya|usianya)\s+(?:saya\s+)?(\d{1,3})\b")
_AGE_SELF = re.compile(
    r"\b(?:saya|aku)\s+(\d{2})\s+tahun\b(?!\s+(?:ikut|jadi|bayar|iur|kerja|bekerja|menjadi))"
)
_BIRTH = re.compile(r"\b(?:lahir|kelahiran)\s+(?:tahun\s+|thn\s+)?((?:19|20)\d{2})\b")
_YEARS = re.compile(
    r"\b(?:masa\s+iur(?:an)?|kepesertaan|ikut|jadi\s+peserta|menjadi\s+peserta|terdaftar|"
    r"bayar(?:\s+iuran)?|iuran|peserta|membayar)\D{0,20}?(\d{1,2})\s+tahun\b"
)
_YEARS_AFTER = re.compile(
    r"\b(\d{1,2})\s+tahun\s+(?:ikut|jadi\s+peserta|menjadi\s+peserta|bayar|iur|iuran|kepesertaan|terdaftar|membayar)"
)
_MONTHS_CONTRACT = re.compile(
    r"\bkontrak\D{0,12}?(\d{1,2})\s+bulan\b|\b(\d{1,2})\s+bulan\s+kontrak\b"
)
_DIGIT = re.compile(r"\d")
_WORKERS = re.compile(
    r"\b(\d{1,4})\s+(?:(?:mama|bapak|ibu|ibu-ibu|bapak-bapak|anak|pemuda)\s+)?"
    r"(?:orang|pekerja|karyawan|anggota|tukang|peserta|org|petani|nelayan|warga|"
    r"buruh|pedagang|sopir|driver|kuli|ojek|penenun|pengrajin|peternak|art|jemaat|kader)\b"
)


class EntityExtractor:
    def __init__(
        self,
        regions: Mapping[str, Region],
        occupations: Mapping[str, tuple[str, str]],
        gazetteer: Gazetteer | None = None,
    ) -> None:
        self._gazetteer = gazetteer or Gazetteer(())
        self._region_ids = region_ids(regions)
        # Words the bot knows from its examples: such a word is a place only after "di", "kota"...
        self.vocabulary: set[str] = set()
        self._aliases: dict[str, set[str]] = defaultdict(set)
        for region in regions.values():
            names = {region.name.lower(), *region.aliases}
            base = re.sub(r"^(kabupaten|kota|provinsi)\s+", "", region.name.lower())
            if region.kind in ("kabupaten", "kota"):
                names.add(base)
            for name in names:
                self._aliases[" ".join(name.split())].add(region.id)
        self._max_words = max((len(a.split()) for a in self._aliases), default=1)
        self._single_aliases = [a for a in self._aliases if " " not in a and len(a) >= 5]
        self._occupations = dict(occupations)
        self._occ_max_words = max((len(t.split()) for t in self._occupations), default=1)
        self._starts: dict[int, tuple[Mapping[str, object], int, dict[str, frozenset[int]]]] = {}
        # mask_places runs several times on one message (ranking, follow-up checks).
        self._masked: dict[str, str] = {}
        self._near_alias: dict[str, str | None] = {}
        self._union: tuple[set[str], set[str], set[str]] | None = None
        self._alias_words: frozenset[str] | None = None

    def is_place_word(self, word: str) -> bool:
        """True for a word a place name begins with, or an alias holds: a name, not words run
        together (the gazetteer's table is looked in, not copied: the bot's memory is tight)."""
        if self._alias_words is None:
            self._alias_words = frozenset(w for alias in self._aliases for w in alias.split())
        return word in self._alias_words or self._gazetteer.begins_a_name(word)

    def _ngram_lookup(
        self, words: list[str], table: Mapping[str, object], max_words: int
    ) -> list[tuple[int, int, str]]:
        """Longest-first, non-overlapping exact phrase matches as (start, end, phrase)."""
        # Only positions whose word starts some phrase of the table, and only the lengths of
        # those phrases: most words of a message start none.
        firsts = self._phrase_starts(table)
        found: list[tuple[int, int, str]] = []
        if firsts.keys().isdisjoint(words):  # found in C: no word starts one (most tables)
            return found
        starts = [(i, sizes) for i, w in enumerate(words) if (sizes := firsts.get(w))]
        taken = [False] * len(words)
        for size in range(min(max_words, len(words)), 0, -1):
            for start, sizes in starts:
                if size not in sizes or start + size > len(words):
                    continue
                if any(taken[start : start + size]):
                    continue
                phrase = " ".join(words[start : start + size])
                if phrase in table:
                    found.append((start, start + size, phrase))
                    for i in range(start, start + size):
                        taken[i] = True
        return sorted(found)

    def _phrase_starts(self, table: Mapping[str, object]) -> dict[str, frozenset[int]]:
        """First word -> lengths (in words) of the table's phrases, computed once per table."""
        key = id(table)
        cached = self._starts.get(key)
        if cached is not None and cached[0] is table and cached[1] == len(table):
            return cached[2]
        sizes: dict[str, set[int]] = defaultdict(set)
        for phrase in table:
            parts = phrase.split()
            if parts:
                sizes[parts[0]].add(len(parts))
        starts = {w: frozenset(n) for w, n in sizes.items()}
        self._starts[key] = (table, len(table), starts)
        return starts

    def _our_region(self, place: Place) -> str | None:
        """The curated region a place lies in, when it is in NTT, NTB or Bangka Belitung."""
        if place.regency:
            return self._region_ids.get(fold_place(place.regency).replace(" ", ""))
        return self._region_ids.get(fold_place(place.province).replace(" ", ""))

    def _regions(
        self, words: list[str], vocabulary: set[str]
    ) -> tuple[list[str], list[tuple[str, ...]], list[tuple[str, str]]]:
        matches = self._ngram_lookup(words, self._aliases, self._max_words)
        covered = {i for s, e, _ in matches for i in range(s, e)}
        outside: list[tuple[str, str]] = []
        gazetteer_ids: list[str] = []
        for start, end, places in self._gazetteer.find(words, covered, self._known(vocabulary)):
            covered.update(range(start, end))
            ours = [r for r in (self._our_region(p) for p in places) if r is not None]
            if ours:
                gazetteer_ids.append(ours[0])
            else:
                outside.append((places[0].label, places[0].province))
        phrases = [p for _, _, p in matches]
        # A misspelt place ("mangarai", "lombok tengh"): fuzzy, but only for words the bot does
        # not otherwise know, so ordinary words never turn into places.
        for i, word in enumerate(words):
            if i in covered or len(word) < 5 or word in vocabulary:
                continue
            if (hit := self._misspelt_place(word)) is not None:
                phrases.append(hit)
        found: list[str] = []
        ambiguous: list[tuple[str, ...]] = []
        for phrase in phrases:
            ids = self._aliases[phrase]
            if len(ids) == 1:
                found.extend(ids)
            else:
                ambiguous.append(tuple(sorted(ids)))
        found.extend(gazetteer_ids)
        return list(dict.fromkeys(found)), ambiguous, list(dict.fromkeys(outside))

    def _known(self, vocabulary: set[str]) -> set[str]:
        """The caller's words and the examples' words, united once rather than per message."""
        cached = self._union
        if cached is None or cached[0] is not vocabulary or cached[1] is not self.vocabulary:
            cached = self._union = (vocabulary, self.vocabulary, vocabulary | self.vocabulary)
        return cached[2]

    def _misspelt_place(self, word: str) -> str | None:
        if word not in self._near_alias:
            if len(self._near_alias) > 4096:  # bounded: random words must not grow memory
                self._near_alias.clear()
            hit = process.extractOne(word, self._single_aliases, scorer=fuzz.ratio, score_cutoff=86)
            self._near_alias[word] = hit[0] if hit is not None else None
        return self._near_alias[word]

    def mask_places(self, normalized: str) -> str:
        """Replace every place name with one word, so that matching learns "berapa peserta di
        <place>" rather than which places happened to appear in which examples. Only the curated
        regions: a place elsewhere stays a word, so that "jual sapi bali" does not become a
        question about a region."""
        masked = self._masked.get(normalized)
        if masked is None:
            if len(self._masked) > 4096:  # bounded: every message is new text
                self._masked.clear()
            masked = self._masked[normalized] = self._mask(normalized)
        return masked

    def _mask(self, normalized: str) -> str:
        words = normalized.split()
        matches = self._ngram_lookup(words, self._aliases, self._max_words)
        if not matches:
            return normalized
        out: list[str] = []
        position = 0
        for start, end, _phrase in matches:
            out.extend(words[position:start])
            out.append(PLACE_TOKEN)
            position = end
        out.extend(words[position:])
        return " ".join(out)

    def extract(self, raw: str, normalized: str, vocabulary: set[str] | None = None) -> Entities:
        words = normalized.split()
        amounts = tuple(a.value for a in find_amounts(raw[:2000]))
        regions, ambiguous, outside = self._regions(words, vocabulary or set())
        programmes = [
            PROGRAMME_WORDS[p] for _, _, p in self._ngram_lookup(words, PROGRAMME_WORDS, 4)
        ]
        occupation = sector = None
        occ = self._ngram_lookup(words, self._occupations, self._occ_max_words)
        if occ:
            occupation, sector = self._occupations[occ[0][2]]
        levels = self._ngram_lookup(words, SCHOOL_LEVELS, 2)
        risk: str | None = None
        if m := _RISK_GROUP.search(normalized):
            risk = ROMAN[m.group(1)]
        elif m := _RISK_LEVEL.search(normalized):
            risk = RISK_WORDS[m.group(1)]
        age = birth_year = years = months = None
        if _DIGIT.search(normalized):
            # Each of these patterns reads digits: without one, none of them can match.
            age = _int(_AGE.search(normalized) or _AGE_SELF.search(normalized))
            birth_year = _int(_BIRTH.search(normalized))
            years = _int(_YEARS.search(normalized) or _YEARS_AFTER.search(normalized))
            months = _int(_MONTHS_CONTRACT.search(normalized))
        return Entities(
            amounts=amounts,
            regions=tuple(regions),
            ambiguous_regions=tuple(ambiguous),
            outside=tuple(outside),
            programmes=tuple(dict.fromkeys(programmes)),
            occupation=occupation,
            sector=sector,
            age=age,
            birth_year=birth_year,
            years=years,
            workers=_workers(normalized, words),
            risk_group=risk,
            months=months,
            school_level=SCHOOL_LEVELS[levels[0][2]] if levels else None,
        )


def _int(match: re.Match[str] | None) -> int | None:
    if match is None:
        return None
    for group in match.groups():
        if group:
            return int(group)
    return None


# The nouns after which a number word is a head count ("lima orang").
_HEAD_NOUNS = ("orang", "pekerja", "karyawan", "anggota", "tukang")


# "bayar berdua brp", "kami bertiga": a head count in one word.
_TOGETHER_COUNTS = {"berdua": 2, "bertiga": 3, "berempat": 4, "berlima": 5, "berenam": 6}


def _workers(normalized: str, words: list[str]) -> int | None:
    if m := _WORKERS.search(normalized):
        return int(m.group(1))
    if together := next((_TOGETHER_COUNTS[w] for w in words if w in _TOGETHER_COUNTS), None):
        return together
    if not any(noun in words for noun in _HEAD_NOUNS):
        return None  # no count noun, no count: the number parser need not read the message
    # "lima orang": number words, via the shared number parser.
    for value, _start, end in find_numbers(normalized):
        following = normalized[end:].split()[:1]
        if following and following[0] in _HEAD_NOUNS:
            return value
    return None
