"""assert_same (tests/large_compare.py): large snapshots that differ fail with a short message saying where, even
when the environment sets CI, where pytest's own explanation of a failed `==` diffs both sides in full."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT
from tests.large_compare import assert_same


def _snapshot(n: int = 200_000) -> dict[str, list[tuple]]:
    return {"batches": [(1, "a.csv", "loaded"), (2, "b.csv", "loaded")],
            "crimes": [(i, f"crime-{i:06d}", "2025-03") for i in range(n)]}


def _message(left, right) -> str:
    with pytest.raises(pytest.fail.Exception) as failed:
        assert_same(left, right, "the database")
    return str(failed.value)


def test_equal_snapshots_pass():
    assert_same(_snapshot(), _snapshot())


def test_one_changed_row_is_named_by_table_index_and_both_values():
    left, right = _snapshot(), _snapshot()
    right["crimes"][123_456] = (123_456, "crime-123456", "2025-04")
    message = _message(left, right)
    assert message.splitlines() == [
        "the database not the same:",
        "  ['crimes'] first differs at index 123,456:",
        "    ['crimes'][123456] first differs at index 2:",
        "      ['crimes'][123456][2] left:  '2025-03'",
        "      ['crimes'][123456][2] right: '2025-04'",
    ]


def test_missing_rows_and_tables_are_counted_not_printed():
    left, right = _snapshot(), _snapshot()
    del right["crimes"][-3:]
    right["casework"] = []
    lines = _message(left, right).splitlines()
    assert lines[1:] == ["keys only on the right: ['casework']",
                         "  ['crimes'] lengths 200,000 and 199,997",
                         "  ['crimes'] the left goes on with (199997, 'crime-199997', '2025-03')"]


def test_two_files_bytes_are_told_apart_by_their_first_differing_byte():
    assert _message(b"\x00" * 5_000_000, b"\x00" * 4_999_999 + b"\x01").splitlines()[1:] == [
        "first differs at index 4,999,999:", "  [4999999] left:  0", "  [4999999] right: 1"]
    assert _message(b"DUCK" * 1_000_000, b"DUCK" * 999_999).splitlines()[1:] == [
        "lengths 4,000,000 and 3,999,996", "the left goes on with 68"]


def test_a_long_value_is_cut_short():
    message = _message({"note": "x" * 5_000}, {"note": "y" * 5_000})
    assert "... (5,002 characters)" in message and len(message) < 1_000


def test_a_failing_snapshot_ends_quickly_under_ci(tmp_path):
    """Run as CI runs it (CI=1): the failure is reported, with where the snapshots differ, well inside the guard."""
    test = tmp_path / "test_snapshot.py"
    test.write_text(textwrap.dedent("""
        from tests.large_compare import assert_same

        def test_it():
            left = {"crimes": [(i, f"crime-{i:06d}") for i in range(200_000)]}
            right = {"crimes": [(i, f"crime-{i:06d}") for i in range(200_000)]}
            right["crimes"][199_999] = (199_999, "changed")
            assert_same(left, right)
    """))
    env = {**os.environ, "CI": "1", "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "['crimes'] first differs at index 199,999:" in run.stdout
    assert "1 failed" in run.stdout
