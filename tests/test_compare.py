"""What a file would change (analytics/ingest/compare.py), on the real police.uk Kent files."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics import store
from analytics.ingest.compare import MonthChange, compare_counts, compare_staged
from analytics.ingest.load import load_files
from analytics.ingest.readers import read_file
from tests.kent import FEB_2025, JAN_2025


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _with_extra_asb(tmp_path: Path, extra: int) -> Path:
    """January 2025 with ``extra`` more ASB rows (copies of real ones, as a late-arriving correction would add)."""
    lines = _lines(JAN_2025)
    asb = [ln for ln in lines[1:] if ",Anti-social behaviour," in ln]
    out = tmp_path / "2025-01-kent-street-corrected.csv"
    out.write_text("\n".join(lines + asb[:extra]) + "\n", encoding="utf-8")
    return out


def _preview(con, path: Path):
    scratch = store.connect(":memory:")
    staged = read_file(scratch, path)
    return compare_staged(con, scratch, staged, path=str(path))


@pytest.fixture
def loaded(con):
    load_files(con, [JAN_2025], loaded_by="test")
    return con


def test_empty_database_every_month_is_new(con):
    comparison = _preview(con, JAN_2025)
    assert comparison.source == "police.uk"
    assert [(c.kind, c.month, c.current, c.incoming, c.status) for c in comparison.changes] == [
        ("asb", "2025-01", 0, 1560, "new"), ("crime", "2025-01", 0, 12641, "new")]
    assert comparison.sentences() == ["ASB: January 2025 is new: 1,560 ASB incidents would be added.",
                                      "Crime: January 2025 is new: 12,641 crimes would be added."]
    assert not comparison.needs_replace


def test_a_corrected_month_would_change_from_1560_to_1571(loaded, tmp_path):
    comparison = _preview(loaded, _with_extra_asb(tmp_path, 11))
    asb, crime = comparison.changes
    assert asb == MonthChange("asb", "2025-01", 1560, 1571)
    assert asb.sentence == "January 2025 would change from 1,560 to 1,571 ASB incidents (+11)."
    assert crime.sentence == "January 2025 would be replaced with the same number of crimes (12,641)."
    assert [c.month for c in comparison.replaced_months] == ["2025-01", "2025-01"]
    assert comparison.needs_replace
    assert comparison.rows()[0] == {"kind": "ASB", "month": "2025-01", "now": 1560, "after load": 1571,
                                    "change": 11, "what happens": "month replaced"}
    # nothing was written: the real database still has exactly one batch and January's 1,560
    assert loaded.execute("SELECT count(*) FROM batches").fetchone()[0] == 1
    assert loaded.execute("SELECT count(*) FROM asb").fetchone()[0] == 1560


def test_new_and_replaced_months_in_one_file(loaded, tmp_path):
    both = tmp_path / "jan-feb.csv"
    both.write_text("\n".join(_lines(JAN_2025) + _lines(FEB_2025)[1:]) + "\n", encoding="utf-8")
    comparison = _preview(loaded, both)
    assert [(c.kind, c.month, c.status) for c in comparison.changes] == [
        ("asb", "2025-01", "replace"), ("asb", "2025-02", "new"),
        ("crime", "2025-01", "replace"), ("crime", "2025-02", "new")]
    feb = [c for c in comparison.new_months if c.kind == "asb"][0]
    assert feb.current == 0 and feb.incoming == sum(",Anti-social behaviour," in ln for ln in _lines(FEB_2025))


def test_the_same_file_again_is_already_loaded(loaded):
    comparison = _preview(loaded, JAN_2025)
    assert comparison.already_loaded_batch == 1
    assert comparison.sentences() == ["This file is already loaded (batch 1); loading it again adds nothing."]
    assert not comparison.needs_replace


def test_the_comparison_matches_what_the_load_then_does(loaded, tmp_path):
    corrected = _with_extra_asb(tmp_path, 11)
    comparison = _preview(loaded, corrected)
    load_files(loaded, [corrected], replace=True, loaded_by="test")
    after = dict(loaded.execute(
        "SELECT 'asb', count(*) FROM asb UNION ALL SELECT 'crime', count(*) FROM crime").fetchall())
    assert after == {c.kind: c.incoming for c in comparison.changes}


def test_other_sources_are_not_counted(loaded):
    # a force extract is compared with the force source only, never with police.uk rows
    comparison = compare_counts(loaded, {("asb", "2025-01"): 1500}, source="force")
    assert comparison.changes == [MonthChange("asb", "2025-01", 0, 1500)]
    assert comparison.changes[0].status == "new"


def test_a_fall_is_written_with_a_true_minus():
    assert MonthChange("crime", "2024-03", 12000, 11826).sentence == (
        "March 2024 would change from 12,000 to 11,826 crimes (−174).")
    assert MonthChange("asb", "2024-03", 0, 1).sentence == "March 2024 is new: 1 ASB incident would be added."
