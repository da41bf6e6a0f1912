"""Reference files are validated on save: types, ranges and keys, refused with row numbers, the old file kept."""

from __future__ import annotations

import shutil

import pytest

from analytics import store
from analytics.domain import definitions
from analytics.errors import InputRefused
from analytics.ingest import admin
from tests.large_compare import assert_same


@pytest.fixture
def reference(tmp_path, monkeypatch):
    """The reference files copied to a temporary folder, so a save never touches data/reference."""
    folder = tmp_path / "reference"
    shutil.copytree(definitions.REFERENCE_DIR, folder)
    monkeypatch.setattr(definitions, "REFERENCE_DIR", folder)
    admin._clear_caches()
    yield folder
    monkeypatch.undo()
    admin._clear_caches()


@pytest.fixture
def con(reference):
    c = store.connect(":memory:")
    yield c
    c.close()


def refused(con, reference, name: str, old: str, new: str) -> InputRefused:
    """Save ``name`` with ``old`` replaced by ``new``; it must be refused and leave the file and tables as they were."""
    path = reference / name
    before = path.read_bytes()
    tables = {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in definitions.reference_tables()}
    text = before.decode("utf-8")
    assert old in text
    with pytest.raises(InputRefused) as info:
        admin.replace_reference(con, name, text.replace(old, new, 1).encode("utf-8"))
    assert_same(path.read_bytes(), before)
    assert {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables} == tables
    assert "The old file is kept" in info.value.message
    return info.value


def test_population_of_zero_is_refused_with_its_row(con, reference):
    e = refused(con, reference, "population.csv", "Ashford,138283", "Ashford,0")
    assert e.title == "Reference file refused"
    assert "row 3, column population_mid_2023, value '0': must be a whole number above 0" in e.message


@pytest.mark.parametrize("value", ["-5", "12.5", "lots", "", "1e6"])
def test_population_must_be_a_positive_whole_number(con, reference, value):
    e = refused(con, reference, "population.csv", "Ashford,138283", f"Ashford,{value}")
    assert "row 3, column population_mid_2023" in e.message


def test_population_must_cover_every_district(con, reference):
    e = refused(con, reference, "population.csv", "E07000105,Ashford,138283\r\n", "")
    assert "E07000105 (Ashford)" in e.message and "no population" in e.message


def test_districts_keys(con, reference):
    e = refused(con, reference, "districts.csv", "E07000106,Canterbury", "E07000105,Canterbury")
    assert "row 4, column code, value 'E07000105': appears twice (rows 3 and 4)" in e.message
    e = refused(con, reference, "districts.csv", "E07000106,Canterbury", "E07000106,ashford")
    assert "row 4, column name, value 'ashford'" in e.message
    e = refused(con, reference, "districts.csv", "E07000106,Canterbury,", "E07000106,Canterbury,Ashford")
    assert "row 4, column synonyms, value 'Ashford'" in e.message
    e = refused(con, reference, "districts.csv", "E07000106,Canterbury", "E07000999,Canterbury")
    assert "row 4, column code, value 'E07000999': not in population.csv" in e.message
    e = refused(con, reference, "districts.csv", "E07000106,Canterbury", ",Canterbury")
    assert "row 4, column code: must not be blank" in e.message


def test_booleans_are_true_or_false(con, reference):
    e = refused(con, reference, "offence_groups.csv", "Robbery,Robbery,true", "Robbery,Robbery,yes")
    assert "row 5, column victim_based, value 'yes': must be true or false" in e.message
    e = refused(con, reference, "outcomes.csv", "1A,Charged or summonsed (alternate offence),Charge/summons,true",
                "1A,Charged or summonsed (alternate offence),Charge/summons,")
    assert "row 3, column solved: must be true or false" in e.message


def test_call_type_categories_and_unique_keys(con, reference):
    e = refused(con, reference, "asb_call_types.csv", "Neighbour dispute,Personal", "Neighbour dispute,Personnel")
    assert "row 5, column category, value 'Personnel': must be one of Personal, Nuisance, Environmental" in e.message
    e = refused(con, reference, "outcomes.csv", "1A,Charged", "1,Charged")
    assert "column outcome, value '1': appears twice (rows 2 and 3)" in e.message


def test_row_with_a_missing_field_is_refused(con, reference):
    e = refused(con, reference, "population.csv", "E07000105,Ashford,138283", "E07000105,138283")
    assert "row 3: has 2 fields, the header has 3" in e.message


def test_every_problem_listed_and_values_cut(con, reference):
    e = refused(con, reference, "population.csv", "Ashford,138283", "Ashford," + "9" * 500)
    assert "9" * 79 + "…" in e.message and "9" * 81 not in e.message


def test_a_valid_edit_is_saved_and_synced(con, reference):
    path = reference / "population.csv"
    text = path.read_text(encoding="utf-8").replace("Ashford,138283", "Ashford,140000")
    assert admin.replace_reference(con, "population.csv", text.encode("utf-8")) == 13
    assert con.execute("SELECT population FROM ref_districts WHERE name = 'Ashford'").fetchone() == (140000,)
