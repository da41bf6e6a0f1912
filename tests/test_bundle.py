"""The first start's police.uk files read as one (analytics.ingest.bundle): the same database as loading them one by
one, each file still a batch of its own that rolls back alone; anything but the plain case is left to load_files."""

from __future__ import annotations

import gzip
import threading
from dataclasses import asdict
from pathlib import Path

import duckdb
import pytest

from analytics import store
from analytics.ingest.bundle import load_police_uk_files
from analytics.ingest.demo import DEMO_USER, demo_files
from analytics.ingest.load import RowsRefused, load_files, rollback
from tests.large_compare import assert_same

# made with the database, not by a load: when it was made, and its own random pseudonym salt
MADE_WITH_THE_DATABASE = {"schema_version", "casework_settings"}


def _tables(con) -> dict[str, list[tuple]]:
    """Every table a load writes, whole and in a fixed order (a batch's loaded_at and rolled_back_at are the clock's:
    two rollbacks a moment apart can fall either side of a second)."""
    names = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE' "
        "ORDER BY table_name").fetchall() if r[0] not in MADE_WITH_THE_DATABASE]
    assert "batches" in names and "crimes" in names and "fact_months" in names
    clock = "EXCLUDE (loaded_at, rolled_back_at) "
    return {name: con.execute(f"SELECT * {clock if name == 'batches' else ''}FROM {name} ORDER BY ALL").fetchall()
            for name in names}


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bundle")
    one, each = store.connect(folder / "one.duckdb"), store.connect(folder / "each.duckdb")
    read_as_one = load_police_uk_files(one, demo_files(), loaded_by=DEMO_USER)
    one_by_one = load_files(each, demo_files(), source_format="police-uk", loaded_by=DEMO_USER)
    yield one, each, read_as_one, one_by_one
    one.close()
    each.close()


def test_the_demo_files_read_as_one_store_what_loading_them_one_by_one_stores(both):
    one, each, read_as_one, one_by_one = both
    assert read_as_one is not None  # the bundled files are the plain case
    assert [asdict(r) for r in read_as_one] == [asdict(r) for r in one_by_one]
    assert_same(_tables(one), _tables(each))
    # each file its own batch, in file order, with its own month and rows (200,535 crimes counted from the files)
    batches = one.execute("SELECT id, file_name, months, rows_read, status, loaded_by, force FROM batches "
                          "ORDER BY id").fetchall()
    assert [b[1] for b in batches] == [p.name for p in demo_files()] and [b[0] for b in batches] == list(range(1, 17))
    assert batches[0][2:] == (["2024-01"], 14466, "loaded", DEMO_USER, "Kent Police")
    assert one.execute("SELECT count(*) FROM crimes").fetchone()[0] == 200535
    assert one.execute("SELECT count(*) FROM asb_incidents WHERE batch_id = 1").fetchone()[0] == 1663
    # a file's repeated Crime IDs are its own warning, counted in that file alone
    warnings = dict(one.execute("SELECT file_name, warnings FROM batches").fetchall())
    assert warnings["2024-01-kent-street.csv.gz"][0].startswith("3 Crime IDs appear more than once (6 rows).")
    assert warnings["2024-02-kent-street.csv.gz"] == []
    # row numbers count within each file: the header is row 1
    assert one.execute("SELECT min(source_row), max(source_row) FROM crimes WHERE batch_id = 2").fetchone() == (
        2, 13954)


def test_a_batch_read_as_one_rolls_back_alone(both):
    one, each, _, _ = both
    for con in (one, each):
        batch = con.execute("SELECT id FROM batches WHERE file_name = '2025-03-kent-street.csv.gz'").fetchone()[0]
        rollback(con, batch, user="analyst")
        assert con.execute("SELECT rolled_back_by, rolled_back_at IS NOT NULL FROM batches WHERE id = ?",
                           [batch]).fetchone() == ("analyst", True)
    assert_same(_tables(one), _tables(each))
    months = one.execute("SELECT DISTINCT strftime(month, '%Y-%m') FROM crime ORDER BY 1").fetchall()
    assert ("2025-03",) not in months and ("2025-02",) in months and len(months) == 15


def _lines(path: Path) -> list[bytes]:
    with gzip.open(path, "rb") as f:
        return f.read().splitlines(keepends=True)


def _set(line: bytes, field: int, value: bytes) -> bytes:
    fields = line.split(b",")
    fields[field] = value
    return b",".join(fields)


def _write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(lines))
    return path


def _gzip(path: Path, *parts: list[bytes]) -> Path:
    """A gzip file of one member per part (gzip readers join them; the plain case takes one member only)."""
    path.write_bytes(b"".join(gzip.compress(b"".join(lines)) for lines in parts))
    return path


def _changed_nothing(con) -> None:
    assert con.execute("SELECT count(*) FROM batches").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM crimes").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM asb_incidents").fetchone()[0] == 0


def test_anything_but_the_plain_case_is_left_to_loading_one_by_one(tmp_path):
    first, second = demo_files()[0], demo_files()[1]
    jan, feb = _lines(first), _lines(second)
    assert jan[0].startswith(b"Crime ID,Month,") and jan[1].startswith(b",2024-01,")  # an ASB row: no Crime ID
    crime_row = next(line for line in jan[1:] if not line.startswith(b","))
    cases = {
        # a crime row with no crime type: a problem on that row
        "blank crime type": [_write(tmp_path / "a.csv", [*jan[:5], _set(crime_row, 9, b""), *jan[5:]])],
        # January in two files: the second would replace the first
        "same month twice": [first, _write(tmp_path / "b.csv", [feb[0], *(_set(r, 1, b"2024-01") for r in feb[1:])])],
        # one of January's crimes again in February's file
        "crime in two files": [first, _write(tmp_path / "c.csv", [*feb, _set(crime_row, 1, b"2024-02")])],
        # a crime type the reference files do not know: a warning on that file alone
        "unknown crime type": [_write(tmp_path / "d.csv", [*jan, _set(_set(crime_row, 0, b"abc123"), 9,
                                                                       b"Made-up crime")])],
        "a quoted field": [_write(tmp_path / "e.csv", [*jan, _set(_set(crime_row, 0, b"abc124"), 6,
                                                                   b'"On or near X"')])],
        "a blank line": [_write(tmp_path / "f.csv", [*jan[:3], b"\r\n", *jan[3:]])],
        "a blank line, line feeds only": [_write(tmp_path / "f2.csv", [r.replace(b"\r\n", b"\n")
                                                                       for r in [*jan[:3], b"\r\n", *jan[3:]]])],
        "not UTF-8": [_write(tmp_path / "f3.csv", [*jan[:3], _set(jan[3], 6, b"On or near Caf\xe9 Road"), *jan[4:]])],
        "two gzip members": [_gzip(tmp_path / "f4.csv.gz", [*jan[:3]], [*jan[3:]])],
        # a file that names no force: loaded one by one, its batch records none
        "no force named": [first, _write(tmp_path / "f5.csv", [feb[0], *(_set(r, 3, b"") for r in feb[1:])])],
        "not police.uk's header": [_write(tmp_path / "g.csv", [jan[0].replace(b"Crime ID", b"Crime Id"), *jan[1:]])],
    }
    for name, paths in cases.items():
        con = store.connect(tmp_path / f"{name}.duckdb")
        try:
            assert load_police_uk_files(con, paths) is None, name
            _changed_nothing(con)
        finally:
            con.close()
    # loaded one by one, they say what is wrong (or load with the file's own warning)
    con = store.connect(tmp_path / "each.duckdb")
    try:
        with pytest.raises(RowsRefused, match="Crime type is blank"):
            load_files(con, cases["blank crime type"], source_format="police-uk")
        with pytest.raises(Exception, match="both hold"):
            load_files(con, cases["same month twice"], source_format="police-uk")
        loaded = load_files(con, cases["unknown crime type"], source_format="police-uk")
        assert any("Made-up crime" in w for w in loaded[0].warnings)
    finally:
        con.close()


def test_a_source_that_holds_rows_is_left_to_loading_one_by_one(tmp_path):
    con = store.connect(tmp_path / "held.duckdb")
    try:
        load_files(con, demo_files()[:1], source_format="police-uk")
        assert load_police_uk_files(con, demo_files()[1:3]) is None
        assert con.execute("SELECT count(*) FROM batches").fetchone()[0] == 1
        # the same file under any source is loaded already
        assert load_police_uk_files(con, demo_files()[:1]) is None
    finally:
        con.close()


def test_an_interrupted_read_is_raised_not_loaded_one_by_one(tmp_path):
    # the dashboard stopping interrupts the first start's load (ui.session.stop_loading): that is no reason to load
    # the files one by one instead, which would carry on loading as the dashboard stops
    con = store.connect(tmp_path / "asb.duckdb")
    done = threading.Event()
    outcome: list[object] = []

    def load() -> None:
        try:
            outcome.append(load_police_uk_files(con, demo_files(), loaded_by=DEMO_USER))
        except duckdb.InterruptException as e:
            outcome.append(e)
        finally:
            done.set()

    thread = threading.Thread(target=load)
    thread.start()
    while not done.wait(0.002):  # until a statement of the load is interrupted
        con.interrupt()
    thread.join()
    assert len(outcome) == 1 and isinstance(outcome[0], duckdb.InterruptException), outcome
    assert con.execute("SELECT count(*) FROM batches").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM crimes").fetchone() == (0,)
    con.close()


def test_a_plain_file_with_text_beyond_ascii_and_lf_line_ends_is_read_as_one(tmp_path):
    jan = _lines(demo_files()[0])
    assert jan[0].endswith(b"\r\n")
    lines = [line.replace(b"\r\n", b"\n") for line in jan]
    lines[3] = _set(lines[3], 6, "On or near Café Road".encode())
    path = tmp_path / "jan.csv.gz"
    path.write_bytes(gzip.compress(b"".join(lines)))
    con = store.connect(tmp_path / "one.duckdb")
    try:
        loaded = load_police_uk_files(con, [path])
        assert loaded is not None and loaded[0].rows_loaded == len(lines) - 1
        assert con.execute("SELECT count(*) FROM (SELECT location FROM asb_incidents UNION ALL "
                           "SELECT location FROM crimes) WHERE location = 'On or near Café Road'").fetchone()[0] == 1
    finally:
        con.close()


def test_files_the_reader_reads_otherwise_than_their_line_breaks_say_are_left_to_loading_one_by_one(tmp_path):
    """The stage's rows are numbered from each file's record count (its line breaks): should the reader read
    one record more or fewer than that, or the files in another order, nothing is loaded as one."""
    from dataclasses import replace

    from analytics.ingest import bundle

    files = [bundle._unpack(path, tmp_path / f"{i}.csv") for i, path in enumerate(demo_files()[:3])]
    assert all(files)
    con = store.connect(tmp_path / "one.duckdb")
    try:
        assert bundle._stage(con, files) is not None  # as they are: the plain case
        for changed in ([replace(files[0], records=files[0].records + 1), *files[1:]],
                        [files[0], replace(files[1], records=files[1].records - 1), files[2]],
                        [files[1], files[0], files[2]]):
            assert bundle._stage(con, changed) is None
    finally:
        con.close()
