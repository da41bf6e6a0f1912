"""Writes the bad and awkward input files in tests/files/ (run: python tests/files/make_files.py).

The files are committed; this script documents how each was made and can rebuild them.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

ASB_HEADER = "incident_ref,reported_date,district,call_type,location,vulnerable"
CRIME_HEADER = "crime_ref,recorded_date,district,offence_group,outcome,victim_based"
POLICE_UK_HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
    "Last outcome category,Context"
)


def text(name: str, body: str, encoding: str = "utf-8", newline: str = "\n") -> None:
    (HERE / name).write_bytes(body.replace("\n", newline).encode(encoding))


def asb_rows(*rows: str) -> str:
    return ASB_HEADER + "\n" + "\n".join(rows) + "\n"


def xlsx_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def with_cached_values(data: bytes, values: dict[str, str]) -> bytes:
    """openpyxl writes formulas without results; Excel stores the last result in <v>. Add those results."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = body.decode()
                for ref, value in values.items():
                    xml = re.sub(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)(<v\s*/>|<v></v>)?', rf"\1\2<v>{value}</v>", xml)
                body = xml.encode()
            dst.writestr(info, body)
    return out.getvalue()


def main() -> None:
    text("empty.csv", "")
    text("header_only.csv", ASB_HEADER + "\n")
    text("missing_required.csv", "incident_ref,reported_date,district,location\nA1,03/01/2023,Ashford,High St\n")
    text("unknown_format.csv", "name,colour,size\napple,red,3\npear,green,4\n")
    text("impossible_dates.csv", asb_rows(
        "A1,03/01/2023,Ashford,Neighbour dispute,,",
        "A2,31/02/2023,Ashford,Neighbour dispute,,",
        "A3,01/13/2023,Dover,Neighbour dispute,,",
        "A4,,Dover,Neighbour dispute,,",
        "A5,12/01/2023,Dover,Neighbour dispute,,",
    ))  # fmt: skip
    text("duplicate_refs.csv", asb_rows(
        "D1,03/01/2023,Ashford,Neighbour dispute,,",
        "D2,04/01/2023,Ashford,Neighbour dispute,,",
        "D3,05/01/2023,Ashford,Neighbour dispute,,",
        "D4,06/01/2023,Ashford,Neighbour dispute,,",
        "D2,07/01/2023,Ashford,Neighbour dispute,,",
    ))  # fmt: skip
    text("title_rows.csv",
         "Kent Police ASB incidents\nExtracted 05/02/2023 by MI team\n" + asb_rows(
             "T1,03/01/2023,Ashford,Neighbour dispute,,",
             "T2,15/01/2023,Canterbury,Noise,,"))  # fmt: skip
    text("latin1.csv", asb_rows("L1,03/01/2023,Ashford,Neighbour dispute,Café Rouge,"), encoding="latin-1")
    text("semicolon.csv", asb_rows(
        "S1;03/01/2023;Ashford;Neighbour dispute;1, High Street;Y",
        "S2;04/02/2023;Dover;Littering;;N",
    ).replace(",", ";").replace("1; High", "1, High"))  # fmt: skip
    text("tabs.csv", asb_rows("TB1,03/01/2023,Ashford,Neighbour dispute,Main Road, Ashford,").replace(",", "\t")
         .replace("Road\t Ashford", "Road, Ashford"))  # fmt: skip
    (HERE / "bom.csv").write_bytes(b"\xef\xbb\xbf" + asb_rows("B1,03/01/2023,Ashford,Neighbour dispute,,").encode())
    text("crlf.csv", asb_rows("C1,03/01/2023,Ashford,Neighbour dispute,,", "C2,04/01/2023,Dover,Littering,,"),
         newline="\r\n")  # fmt: skip
    text("trailing_blank_rows.csv",
         asb_rows("TR1,03/01/2023,Ashford,Neighbour dispute,,", "TR2,04/01/2023,Dover,Littering,,")
         + ",,,,,\n,,,,,\n\n\n")  # fmt: skip
    text("interior_blank_lines.csv",
         ASB_HEADER + "\nIB1,03/01/2023,Ashford,Neighbour dispute,,\n\nIB2,04/01/2023,Dover,Littering,,\n"
         "IB3,99/01/2023,Dover,Littering,,\n")  # fmt: skip
    text("extra_columns.csv", asb_rows(
        "E1,03/01/2023,Ashford,Neighbour dispute,High Street,Y",
        "E2,04/01/2023,Ashford,Neighbour dispute,1,High Street,Y",
        "E3,05/01/2023,Ashford,Neighbour dispute,,,",
        "E4,06/01/2023,Ashford",
    ))  # fmt: skip
    text("serial_dates.csv", asb_rows(
        "SD1,44929,Ashford,Neighbour dispute,,",
        "SD2,44929.6041666667,Ashford,Neighbour dispute,,",
        "SD3,2023-01-03,Ashford,Neighbour dispute,,",
        "SD4,3 Jan 2023,Ashford,Neighbour dispute,,",
        "SD5,3/1/2023,Ashford,Neighbour dispute,,",
        "SD6,03-01-2023,Ashford,Neighbour dispute,,",
        "SD7,03.01.2023,Ashford,Neighbour dispute,,",
    ))  # fmt: skip
    text("date_times.csv", asb_rows(
        "DT1,03/01/2023 14:35,Ashford,Neighbour dispute,,",
        "DT2,03/01/2023 14:35:10,Ashford,Neighbour dispute,,",
        "DT3,2023-01-03T14:35:00,Ashford,Neighbour dispute,,",
        "DT4,31/01/2023 23:59:59,Ashford,Neighbour dispute,,",
        "DT5,01/02/2023 00:00,Ashford,Neighbour dispute,,",
    ))  # fmt: skip
    text("synonyms.csv",
         "Incident Number,Date/Time Reported,CSU,Opening Code,Address,Caller ID,Repeat Caller,Officer\n"
         "SY1,03/01/2023 09:00,Medway,Rowdy/inconsiderate behaviour,1 High St,CR-9,Yes,PC 123\n"
         "SY2,04/01/2023 10:00,Tunbridge Wells,Vehicle nuisance on road,,CR-10,No,PC 456\n")  # fmt: skip
    text("quoted_newlines.csv", asb_rows(
        'Q1,03/01/2023,Ashford,Neighbour dispute,"Flat 2\n1 High Street",',
        'Q2,04/01/2023,Dover,Littering,"Car park, ""north"" end",',
        "Q3,45/01/2023,Dover,Littering,,",
    ))  # fmt: skip
    text("unknown_district.csv", asb_rows(
        "U1,03/01/2023,Ashford,Neighbour dispute,,",
        "U2,03/01/2023,Atlantis,Neighbour dispute,,",
        "U3,03/01/2023,Atlantis,Neighbour dispute,,",
        "U4,03/01/2023,,Neighbour dispute,,",
    ))  # fmt: skip
    text("shepway.csv", asb_rows(
        "SH1,03/01/2023,Shepway,Neighbour dispute,,",
        "SH2,03/01/2023,Folkestone & Hythe,Neighbour dispute,,",
        "SH3,03/01/2023,TUNBRIDGE WELLS,Neighbour dispute,,",
    ))  # fmt: skip
    text("bad_flags.csv", asb_rows(
        "F1,03/01/2023,Ashford,Neighbour dispute,,yes",
        "F2,03/01/2023,Ashford,Neighbour dispute,,0",
        "F3,03/01/2023,Ashford,Neighbour dispute,,maybe",
        "F4,03/01/2023,Ashford,Neighbour dispute,,",
    ))  # fmt: skip
    text("crime_extract.csv", CRIME_HEADER + "\n"
         "CR1,03/01/2023,Ashford,Violence with injury,1,\n"
         "CR2,04/01/2023,Dover,Drug offences,Outcome 8,\n"
         "CR3,05/01/2023,Dover,Shoplifting,Local resolution,\n"
         "CR4,06/01/2023,Dover,Time travel,Mystery outcome,Y\n"
         "CR5,07/01/2023,Dover,Robbery,,\n")  # fmt: skip
    text("police_uk_excerpt.csv", POLICE_UK_HEADER + "\n"
         ",2025-01,Kent Police,Kent Police,0.970011,51.253133,On or near Cobbs Hill,E01023987,Ashford 001B,"
         "Anti-social behaviour,,\n"
         "aaa1,2025-01,Kent Police,Kent Police,0.28,51.44,On or near Mill Road,E01000001,Bexley 001A,"
         "Burglary,Under investigation,\n"
         "aaa2,2025-01,Kent Police,Kent Police,,,No Location,,,Vehicle crime,Investigation complete; "
         "no suspect identified,\n"
         "aaa3,2025-01,Kent Police,Kent Police,1.17,51.08,,E01024508,Shepway 014C,Shoplifting,"
         "Offender given a caution,\n"
         "aaa3,2025-01,Kent Police,Kent Police,1.18,51.09,On or near Sandgate Road,E01024508,Shepway 014C,"
         "Shoplifting,Offender given a caution,\n")  # fmt: skip
    text("police_uk_bad.csv", POLICE_UK_HEADER + "\n"
         ",2025-1,Kent Police,Kent Police,0.97,51.25,On or near X,E01023987,Ashford 001B,Anti-social behaviour,,\n"
         ",2025-01,Kent Police,Kent Police,0.97,51.25,On or near X,E01023987,Ashford 001B,Burglary,,\n"
         "bbb1,2025-01,Kent Police,Kent Police,east,951.25,On or near X,E01023987,Ashford 001B,Burglary,,\n"
         "bbb2,2025-01,Kent Police,Kent Police,0.97,51.25,On or near X,E01023987,Ashford 001B,,,\n"
         "bbb3,2025-01,Kent Police,Kent Police,0.97,51.25,On or near X,E01023987,Ashford 001B,Burglary,,,extra\n"
         "bbb4,2025-01,Kent Police,Kent Police,0.97,51.25,On or near X,E01023987,Ashford 001B,Robbery,,\n")
    (HERE / "asb.csv.gz").write_bytes(
        gzip.compress(asb_rows("G1,03/01/2023,Ashford,Neighbour dispute,,", "G2,04/02/2023,Dover,Littering,,")
                      .encode(), mtime=0))  # fmt: skip

    # Workbooks
    (HERE / "junk.xlsx").write_bytes(bytes(range(256)) * 8)
    good = Workbook()
    ws = good.active
    ws.append(ASB_HEADER.split(","))
    ws.append(["W1", "03/01/2023", "Ashford", "Neighbour dispute", None, None])
    data = xlsx_bytes(good)
    (HERE / "corrupt.xlsx").write_bytes(data[: len(data) // 2])
    # An encrypted OOXML workbook is an OLE2 (CFB) container holding EncryptionInfo and EncryptedPackage streams.
    cfb = bytearray(4096)
    cfb[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    cfb[0x18:0x1C] = b"\x3e\x00\x03\x00"
    cfb[0x1C:0x1E] = b"\xfe\xff"
    for at, name in ((1024, "EncryptionInfo"), (1152, "EncryptedPackage")):
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        cfb[at : at + len(encoded)] = encoded
    (HERE / "password.xlsx").write_bytes(bytes(cfb))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\x00" * (60 * 1024 * 1024))
    (HERE / "zip_bomb.xlsx").write_bytes(bomb.getvalue())

    wb = Workbook()
    ws = wb.active
    ws.title = "ASB"
    ws.append(["Kent Police ASB incidents, January 2023"])
    ws.append([])
    ws.append(["Incident Ref", "Date Reported", "District", "Call Type", "Vulnerable"])
    ws.append(["X1", dt.datetime(2023, 1, 3, 14, 35), "Ashford", "Neighbour dispute", True])
    ws.append(["X2", dt.date(2023, 1, 31), "Dover", "Littering", "N"])
    ws.append(["X3", 44929, "Dover", "Littering", None])
    ws.append(["X4", "04/01/2023", "Dover", "Littering", None])
    ws.append(["X5", "31/02/2023", "Dover", "Littering", None])
    ws.append([None, None, None, None, None])
    ws.append([None, None, None, None, None])
    ws["A9"] = ""
    (HERE / "title_dates.xlsx").write_bytes(xlsx_bytes(wb))

    wb = Workbook()
    notes = wb.active
    notes.title = "Notes"
    notes.append(["This workbook holds the crime extract on the second sheet."])
    notes.append(["Figures are provisional."])
    crimes = wb.create_sheet("Crimes")
    crimes.append(["Crime Number", "Date Recorded", "District", "HO Offence Group", "HO Outcome", "Outcome Date"])
    crimes.append(["MC1", dt.datetime(2023, 1, 5, 10, 0), "Maidstone", "Theft offences", "1", dt.date(2023, 2, 1)])
    crimes.append(["MC2", dt.datetime(2023, 2, 6, 11, 0), "Swale", "Public order offences", "", None])
    crimes.append(["MC1", dt.datetime(2023, 2, 7, 11, 0), "Swale", "Public order offences", "", None])
    wb.create_sheet("Lookup").append(["code", "meaning"])
    (HERE / "several_sheets.xlsx").write_bytes(xlsx_bytes(wb))

    wb = Workbook()
    ws = wb.active
    ws.append(["Incident", None, "Where", None, "Type"])
    ws.merge_cells("A1:B1")
    ws.merge_cells("C1:D1")
    ws.append(["Number", "Date", "District", "Location", "ASB Type"])
    ws.append(["M1", "03/01/2023", "Thanet", "Margate seafront", "Littering"])
    ws.append(["M2", "04/01/2023", "Dover", None, "Neighbour dispute"])
    (HERE / "merged_header.xlsx").write_bytes(xlsx_bytes(wb))

    wb = Workbook()
    ws = wb.active
    ws.append(["incident_ref", "reported_date", "district", "call_type", "latitude"])
    ws.append(["FX1", "=DATE(2023,1,3)", '=PROPER("ashford")', "Neighbour dispute", "=51+0.25"])
    ws.append(["FX2", "=A1", "Dover", '="Litter"&"ing"', None])
    data = with_cached_values(xlsx_bytes(wb), {"B2": "44929", "C2": "Ashford", "E2": "51.25", "B3": "44930",
                                                "D3": "Littering"})  # fmt: skip
    # B3's formula (=A1) would give text, but its cached result is the serial 44930: the cached value is what loads.
    (HERE / "formulas.xlsx").write_bytes(data)

    wb = Workbook()
    ws = wb.active
    ws.append(["incident_ref", "reported_date", "district", "call_type"])
    ws.append(["XS1", 44929, "Ashford", "Neighbour dispute"])
    ws.append(["XS2", 44929.75, "Ashford", "Neighbour dispute"])
    ws.append(["XS3", "44930", "Ashford", "Neighbour dispute"])
    ws.append(["XS4", "3/1/2023", "Ashford", "Neighbour dispute", "stray note"])
    (HERE / "serial_dates.xlsx").write_bytes(xlsx_bytes(wb))


if __name__ == "__main__":
    main()
