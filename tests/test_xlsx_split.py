"""A large worksheet is read in parts at once (analytics.ingest.xlsx, SPLIT_BYTES): the joined columns must be
exactly the columns of the sheet read whole, and a sheet the split cannot handle is read whole.

The sheets here are small, so the tests lower SPLIT_BYTES and CHUNK_BYTES (the blocks the part is unpacked in) to
make them split; a spy on the part reader says whether the split was taken, so a silent fall-back fails the test.
Each test runs with the sheet cut once and cut twice (SPLIT_AT).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest

from analytics.errors import InputRefused
from analytics.ingest import xlsx

FORMATS = ("asb",)


@pytest.fixture(params=[(0.6,), (0.35, 0.7)], ids=["two parts", "three parts"])
def split(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> list[Path]:
    """Split every sheet; returns the parts read (their temporary workbooks, which must be gone afterwards)."""
    monkeypatch.setattr(xlsx, "SPLIT_AT", request.param)
    monkeypatch.setattr(xlsx, "SPLIT_BYTES", 1)
    monkeypatch.setattr(xlsx, "CHUNK_BYTES", 2048)
    monkeypatch.setattr(xlsx, "_cpus", lambda: 2)
    parts: list[Path] = []
    real = xlsx._load_part

    def spy(package: Path, name: str) -> list[pa.Array] | None:
        with zipfile.ZipFile(package) as z:  # a whole zip, every entry's CRC right, the sheet's part stored
            assert z.testzip() is None and z.getinfo("xl/worksheets/sheet1.xml").compress_type == zipfile.ZIP_STORED
        parts.append(package)
        columns = real(package, name)
        assert columns is not None  # calamine read the part: no silent fall-back to the whole sheet
        return columns

    monkeypatch.setattr(xlsx, "_load_part", spy)
    return parts


def whole(path: Path, name: str) -> list[pa.Array]:
    return xlsx._load(xlsx._open(path), name)


def read(path: Path, name: str) -> list[pa.Array]:
    return xlsx._load_sheet(path, xlsx._open(path), name, xlsx._package_sheets(path))


def as_lists(columns: list[pa.Array]) -> list[list[str | None]]:
    return [c.to_pylist() for c in columns]


def workbook(path: Path, *, shared: bool = False) -> Path:
    """A title row, a header, and 600 rows of text, numbers, dates, times, booleans and blanks; one row starts in
    column B, a few rows are empty, and one cell far to the right sits in the second half. openpyxl writes its
    text inline; ``shared`` moves it into a shared strings part, as Excel writes it."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Data")
    rows: list[list[object]] = [["SYNTHETIC DATA - split test"], ["Incident Number", "Date Reported", "District",
                                                                  "Call Type", "Count", "Flag", "Note"]]
    for i in range(600):
        when = dt.datetime(2024, 1, 1) + dt.timedelta(hours=7 * i)
        rows.append([f"ASB-{i:05d}", when if i % 3 else when.date(), ["Ashford", "Dover", "Swale"][i % 3],
                     "Noise" if i % 5 else "Rowdy", i if i % 4 else i + 0.5, i % 2 == 0,
                     None if i % 7 else f"note {i} <&> \"quoted\""])
    rows[100] = []
    rows[101] = [None, "only from column B", "Dover"]
    rows[450] = []
    rows[500] = [*rows[500], None, None, "far right"]
    rows.append([dt.time(13, 45)])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return shared_strings(path) if shared else path


def shared_strings(path: Path) -> Path:
    """The workbook with every inline string cell of its sheet moved into xl/sharedStrings.xml."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    table: dict[bytes, int] = {}

    def shared(m: re.Match[bytes]) -> bytes:
        return b'<c r="%s" t="s"><v>%d</v></c>' % (m.group(1), table.setdefault(m.group(2), len(table)))

    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = re.sub(rb'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t>(.*?)</t></is></c>', shared, parts[sheet])
    assert table and b"inlineStr" not in parts[sheet]
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    parts["xl/sharedStrings.xml"] = b'<sst xmlns="%s">%s</sst>' % (main, b"".join(b"<si><t>%s</t></si>" % t
                                                                                   for t in table))
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>", (
        b'<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>'))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


@pytest.mark.parametrize("shared", [False, True], ids=["inline strings", "shared strings"])
def test_a_split_sheet_reads_exactly_as_the_whole_sheet(tmp_path: Path, split: list[Path], shared: bool) -> None:
    path = workbook(tmp_path / "book.xlsx", shared=shared)
    expected = whole(path, "Data")
    assert len(expected) == 10 and len(expected[0]) == 603  # the far-right cell is column J; 603 rows
    got = read(path, "Data")
    assert len(split) == len(xlsx.SPLIT_AT) + 1  # every part was read, no fall-back
    assert not any(part.exists() for part in split)  # the parts' copies of the rows are removed
    assert as_lists(got) == as_lists(expected)
    assert got[0][2].as_py() == "ASB-00000" and got[1][101].as_py() == "only from column B"
    assert got[9][500].as_py() == "far right" and got[1][3].as_py() == "2024-01-01 07:00:00"


def test_read_workbook_of_a_split_sheet_finds_the_same_header_and_rows(tmp_path: Path, split: list[Path]) -> None:
    path = workbook(tmp_path / "book.xlsx")
    table = xlsx.read_workbook(path, sheet=None, formats=FORMATS, progress=lambda f, m: None)
    assert len(split) == len(xlsx.SPLIT_AT) + 1
    assert table.header[:3] == ["Incident Number", "Date Reported", "District"]
    assert table.arrow.num_rows == 601
    assert table.arrow.column("source_row").to_pylist()[:2] == [3, 4]
    assert table.arrow.column("c0").to_pylist()[599] == "ASB-00599"


def raw_workbook(path: Path, rows: list[str], *, dimension: str = "A1:C3") -> Path:
    """An .xlsx written by hand: one sheet "Data" whose sheetData holds ``rows`` (row XML) as given."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'))
        z.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>'))
        z.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        z.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            '</Relationships>'))
        z.writestr("xl/worksheets/sheet1.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><dimension ref="{dimension}"/>'
            f'<sheetData>{"".join(rows)}</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
            'header="0.3" footer="0.3"/></worksheet>'))
    return path


def text_row(r: int, *values: str) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values))
    return f'<row r="{r}">{cells}</row>'


def test_rows_out_of_order_across_the_split_fall_back_to_the_whole_read(tmp_path: Path, split: list[Path]) -> None:
    rows = [text_row(r, f"a{r}", f"b{r}") for r in range(1, 400)]
    rows.insert(300, text_row(5, "again", "five"))  # a row above the split, written after it
    rows.pop(4)
    path = raw_workbook(tmp_path / "odd.xlsx", rows)
    expected = whole(path, "Data")
    assert len(split) == 0
    got = read(path, "Data")
    assert len(split) == len(xlsx.SPLIT_AT) + 1  # every part read, then the join refused them
    assert as_lists(got) == as_lists(expected)


def test_a_comment_before_the_cut_reads_the_sheet_whole(tmp_path: Path, split: list[Path]) -> None:
    rows = [text_row(r, f"a{r}", f"b{r}") for r in range(1, 400)]
    rows.insert(10, "<!-- <row r=\"2\"> -->")
    path = raw_workbook(tmp_path / "comment.xlsx", rows)
    got = read(path, "Data")
    assert len(split) == 0
    assert as_lists(got) == as_lists(whole(path, "Data"))
    assert got[0][398].as_py() == "a399"


@pytest.mark.parametrize("where", [50, 350], ids=["first part", "second part"])
def test_a_stray_cell_far_away_is_refused_as_a_whole_read_refuses_it(tmp_path: Path, split: list[Path],
                                                                      where: int) -> None:
    rows = [text_row(r, f"a{r}", f"b{r}") for r in range(1, 400)]
    rows[where] = rows[where].replace("</row>", '<c r="XFD' + str(where + 1) + '"><v>1</v></c></row>')
    rows.append('<row r="1048576"><c r="A1048576"><v>1</v></c></row>')
    path = raw_workbook(tmp_path / "stray.xlsx", rows)
    with pytest.raises(InputRefused) as refused:
        read(path, "Data")
    assert "A1:XFD1048576" in refused.value.message
    with pytest.raises(InputRefused) as whole_refused:
        xlsx.check_used_ranges(path, ["Data"])
    assert refused.value.message == whole_refused.value.message
    # the parts before the stray cell, within the limits, are read; nothing else
    assert len(split) == (len(xlsx.SPLIT_AT) if where == 350 else 0)
    assert not any(part.exists() for part in split)


def test_with_one_cpu_the_sheet_is_read_whole(tmp_path: Path, split: list[Path],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "_cpus", lambda: 1)
    path = workbook(tmp_path / "book.xlsx")
    got = read(path, "Data")
    assert len(split) == 0
    assert as_lists(got) == as_lists(whole(path, "Data"))


def test_no_room_for_the_parts_reads_the_sheet_whole(tmp_path: Path, split: list[Path],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xlsx.tempfile, "mkstemp", full)
    path = workbook(tmp_path / "book.xlsx")
    got = read(path, "Data")
    assert len(split) == 0
    assert as_lists(got) == as_lists(whole(path, "Data"))


@pytest.mark.parametrize("block", [100, 2048])
def test_a_worksheet_is_inflated_to_the_bytes_zipfile_reads_in_whole_blocks(tmp_path: Path, block: int,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "CHUNK_BYTES", block)
    path = workbook(tmp_path / "book.xlsx")
    stored = tmp_path / "stored.xlsx"
    with zipfile.ZipFile(path) as z, zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as out:
        for info in z.infolist():
            out.writestr(info.filename, z.read(info))
    for book in (path, stored):  # deflated: ISA-L; stored: zipfile itself
        with zipfile.ZipFile(book) as z:
            member = "xl/worksheets/sheet1.xml"
            blocks = list(xlsx._inflate(z, member))
            assert b"".join(blocks) == z.read(member)
            assert len(blocks) > 10 and {len(b) for b in blocks[:-1]} == {block} and 0 < len(blocks[-1]) <= block


def damaged(path: Path, at: float) -> Path:
    """The workbook with two bytes of its worksheet's compressed data flipped ``at`` of the way through."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    name_length, extra_length = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little"), \
        int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_length + extra_length + int(info.compress_size * at)
    data[start] ^= 0xFF
    data[start + 1] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("at", [0.3, 0.6, 0.9])
def test_a_damaged_worksheet_is_refused_as_a_corrupt_workbook(tmp_path: Path, at: float, split: list[Path]) -> None:
    path = damaged(workbook(tmp_path / "book.xlsx"), at)
    with pytest.raises(InputRefused) as refused:
        xlsx.read_workbook(path, sheet=None, formats=FORMATS, progress=lambda f, m: None)
    assert refused.value.title == "Corrupt workbook"
    assert refused.value.message.startswith("book.xlsx is damaged: sheet 'Data' cannot be unpacked (")
    assert refused.value.message.endswith("Save it again from Excel or re-export it.")
    assert not any(part.exists() for part in split)


def test_a_damaged_worksheet_read_whole_is_refused_as_a_corrupt_workbook(tmp_path: Path) -> None:
    path = damaged(workbook(tmp_path / "book.xlsx"), 0.5)  # small: measured, then read whole
    with pytest.raises(InputRefused) as refused:
        xlsx.read_workbook(path, sheet=None, formats=FORMATS, progress=lambda f, m: None)
    assert refused.value.title == "Corrupt workbook" and "book.xlsx is damaged" in refused.value.message


def test_no_room_while_a_part_is_written_reads_the_sheet_whole_and_leaves_no_part(
        tmp_path: Path, split: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Path] = []
    real_mkstemp = xlsx.tempfile.mkstemp

    def mkstemp(*args: object, **kwargs: object) -> tuple[int, str]:
        fd, name = real_mkstemp(*args, **kwargs)  # type: ignore[call-overload]
        made.append(Path(name))
        return fd, name

    def full(self: object, name: str, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xlsx.tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(xlsx._PartWriter, "_add", full)
    path = workbook(tmp_path / "book.xlsx")
    got = read(path, "Data")
    assert len(split) == 0 and made  # a part was begun, none was read
    assert not any(part.exists() for part in made)
    assert as_lists(got) == as_lists(whole(path, "Data"))
