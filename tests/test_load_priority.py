"""Command-line loads take the CPU a dashboard on the same machine leaves: they lower their own priority."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _niceness(command: str, **env: str) -> tuple[int, int]:
    """(niceness before, after) yield_to_viewers(command), in a child process: the test runner keeps its own."""
    code = ("import os; from analytics.cli import yield_to_viewers; "
            f"before = os.nice(0); print(before, yield_to_viewers({command!r}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                          env={**os.environ, **env})
    before, after = (int(x) for x in done.stdout.split())
    return before, after


def test_loads_and_roll_backs_run_at_a_lower_priority():
    for command in ("ingest", "rollback", "demo"):
        before, after = _niceness(command)
        assert after == min(19, before + 10), command


def test_other_commands_keep_their_priority():
    for command in ("report", "summary", "batches"):
        before, after = _niceness(command)
        assert after == before, command


def test_the_setting_chooses_how_far():
    before, after = _niceness("ingest", ASB_LOAD_NICE="0")
    assert after == before
    before, after = _niceness("ingest", ASB_LOAD_NICE="3")
    assert after == min(19, before + 3)


def test_a_bad_setting_is_refused_before_anything_is_read(tmp_path):
    db = tmp_path / "asb.duckdb"
    done = subprocess.run([sys.executable, "-m", "analytics", "ingest", str(ROOT / "tests" / "files" / "asb.csv.gz"),
                           "--db", str(db)], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "ASB_LOAD_NICE": "high"})
    assert done.returncode == 2
    assert "ASB_LOAD_NICE is 'high': it must be a whole number from 0" in done.stderr
    assert not db.exists()  # nothing was opened or written
