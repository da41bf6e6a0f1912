"""A hung test stops the run within the project's per-test timeout (pyproject.toml, pytest-timeout), with the stack of
where it hung, instead of holding CI until CI's own limit ends it with nothing said."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_the_project_sets_a_timeout_that_stops_hangs_in_any_thread(pytestconfig):
    assert float(pytestconfig.getini("timeout")) == 900
    assert pytestconfig.getini("timeout_method") == "thread"  # "signal" cannot stop a hang inside a C call


def test_a_hung_test_is_stopped_with_its_stack(tmp_path):
    test = tmp_path / "test_hangs.py"
    test.write_text("import time\n\n\ndef test_hangs():\n    time.sleep(600)\n")
    command = [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path),
               "-o", "timeout=3", "-p", "no:cacheprovider", str(test)]
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    out = run.stdout + run.stderr
    assert run.returncode != 0, out
    assert "Timeout" in out and "time.sleep(600)" in out, out
