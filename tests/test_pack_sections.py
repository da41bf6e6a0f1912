"""The pack's sections from the other pages, on the demo (police.uk and the synthetic force extract, its case
reviews and measures): the solved rate at the same age, control charts, repeat-caller counts, the ASB Case Review
statistics, engagement and victim satisfaction.

The workbook is read back with openpyxl and the PDF's text with pypdf, and each section's figures are found equal to
the output of the functions the pages use for the same period (October – December 2025, source synthetic). Public
mode is worked out by hand for the case review statistics and the repeat-caller table, and no caller reference of
the data appears anywhere in any pack, internal or public.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from analytics import store
from analytics.casework import repeat
from analytics.cli import main
from analytics.domain.kinds import Measure
from analytics.domain.periods import make_period
from analytics.figures import solved
from analytics.ingest.demo import ensure_demo
from analytics.measures import engagement, satisfaction
from analytics.measures.catalogue import MCV_ALERTS, MCV_SIGNUPS
from analytics.report import formatting as fmt
from analytics.report import maturity, suppression
from analytics.report import measures as measure_words
from analytics.report.pack import public
from analytics.report.pack.model import Text
from analytics.report.summary import build_summary
from analytics.views import callers as callers_view
from analytics.views import case_reviews as reviews_view
from analytics.views import control, pack_sections
from tests.test_pack import HAS_CHROMIUM, pdf_pages, sheet_table

H = suppression.HIDDEN
END, MONTHS, SOURCE = "2025-12", 3, "synthetic"
PERIOD = make_period(END, f"{MONTHS}m")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo database and its packs for October – December 2025 (synthetic), written by the command line:
    internal xlsx and pdf, public xlsx and pdf (threshold 5), and a public xlsx with threshold 3."""
    folder = tmp_path_factory.mktemp("pack-sections")
    db = folder / "demo.duckdb"
    con = store.connect(db)
    assert ensure_demo(con) is True
    con.close()
    args = ["--db", str(db), "--end", END, "--months", str(MONTHS), "--source", SOURCE]
    out = {"xlsx": folder / "pack.xlsx", "pdf": folder / "pack.pdf", "public_xlsx": folder / "public.xlsx",
           "public_pdf": folder / "public.pdf", "public3_xlsx": folder / "public3.xlsx"}
    assert main(["report", *args, "--out", str(out["xlsx"])]) == 0
    assert main(["report", *args, "--out", str(out["pdf"])]) == 0
    assert main(["report", *args, "--public", "--out", str(out["public_xlsx"])]) == 0
    assert main(["report", *args, "--public", "--out", str(out["public_pdf"])]) == 0
    assert main(["report", *args, "--public", "--threshold", "3", "--out", str(out["public3_xlsx"])]) == 0
    con = store.connect(db, read_only=True)
    yield {"con": con, "db": db, **out}
    con.close()


def table_rows(ws, title: str) -> dict[str, list]:
    """sheet_table without the note printed under a table (a row with nothing but its first cell)."""
    return {k: v for k, v in sheet_table(ws, title).items() if any(x is not None for x in v)}


def pdf_text(path: Path) -> str:
    return " ".join(pdf_pages(path))


def test_the_pack_has_the_new_sections_in_order(demo):
    wb = load_workbook(demo["xlsx"])
    names = wb.sheetnames
    assert names.index("Solved rate at the same age") == names.index("Solved rate") + 1
    assert names[names.index("Calendar and financial years") + 1:] == [
        "Control charts", "Repeat callers", "ASB Case Reviews", "Engagement", "Victim satisfaction", "Data quality"]


def test_the_solved_rate_at_the_same_age_is_the_matched_rate(demo):
    con = demo["con"]
    m = solved.matched_rate(con, period=PERIOD, source=SOURCE)
    assert m is not None and m.missing_months == ()
    s = build_summary(con, period=PERIOD, source=SOURCE)["victim_based_crime"]["solved"]
    assert (s["matched"]["rate"], s["matched"]["last_year_rate"]) == (m.rate, m.last_year_rate)
    rows = table_rows(load_workbook(demo["xlsx"])["Solved rate at the same age"],
                       "Victim-based crime solved at the same age")
    assert rows["This period"][:5] == [maturity.day_label(m.as_at), m.solved, m.total, m.rate, m.pp_change]
    assert rows["Same period last year"][:4] == [maturity.day_label(m.last_year_as_at), m.last_year_solved,
                                                 m.last_year_total, m.last_year_rate]
    # the totals are the victim-based crime totals of the report table
    assert (m.total, m.last_year_total) == (s["total"], s["last_year_total"])
    text = pdf_text(demo["pdf"])
    assert (f"This period {maturity.day_label(m.as_at)} {fmt.fmt_int(m.solved)} {fmt.fmt_int(m.total)} "
            f"{fmt.fmt_rate(m.rate)} {fmt.fmt_pp(m.pp_change)}") in text
    assert maturity.same_age(m.as_at, m.last_year_as_at, m.rate, m.last_year_rate, m.pp_change, m.signal) in text
    # the maturity sentence: this period is not like-for-like on the cohort basis
    assert s["like_for_like"] is False
    assert maturity.not_like_for_like(s["pending_share"]["this_year"], s["pending_share"]["last_year"],
                                      s["pp_change"]) in text


def test_control_charts_are_the_pages_charts(demo):
    con = demo["con"]
    summary = build_summary(con, period=PERIOD, source=SOURCE)["control"]
    charts = {pc.measure: pc for pc in control.pack(con, source=SOURCE, end=END)}
    ws = load_workbook(demo["xlsx"])["Control charts"]
    latest = table_rows(ws, "The latest month (December 2025) against its limits")
    text = pdf_text(demo["pdf"])
    for label, key, measure in (("ASB", "asb", Measure.ASB), ("Victim-based crime", "victim_based_crime",
                                                                  Measure.VBC)):
        c = summary[key]
        assert c["month"] == END
        row = latest[label]
        assert row[:4] == [c["value"], round(c["centre"]), round(c["lower"]), round(c["upper"])]
        raw = charts[measure].raw
        months = table_rows(ws, f"{label}: each month against its limits")
        assert list(months) == [fmt.month_short(m) for m in raw["Month"]]
        assert [r[0] for r in months.values()] == [int(v) for v in raw["Recorded"]]
        assert (f"{label} {fmt.fmt_int(c['value'])} {fmt.fmt_int(round(c['centre']))} "
                f"{fmt.fmt_int(round(c['lower']))} {fmt.fmt_int(round(c['upper']))}") in text
        assert c["sentence"] in text
    # ASB in December 2025 is below its lower limit: a signal, marked as on the page
    assert summary["asb"]["value"] < summary["asb"]["lower"] and summary["asb"]["status"] == "signal"
    assert latest["ASB"][4:6] == ["Below lower limit", "◆ outside"]
    assert latest["Victim-based crime"][4:6] == ["Within limits", "none"]
    if HAS_CHROMIUM:  # each measure's XmR chart
        assert len(ws._images) == 2


def test_a_control_chart_with_too_few_months_is_said_in_words(demo, monkeypatch):
    con = demo["con"]
    real = control.pack(con, source=SOURCE, end=END)
    monkeypatch.setattr(pack_sections.control, "pack",
                        lambda *a, **k: [replace(pc, chart=None, moving_range=None) for pc in real])
    pack = pack_sections.build_pack(con, period=PERIOD, source=SOURCE, sections=[pack_sections.control_section])
    [section] = pack.sections
    assert not pack.charts()
    words = [p for b in section.blocks if isinstance(b, Text) for p in b.paragraphs]
    assert ("ASB: too few months to draw a control chart; the table gives the months there are." in words)
    assert pack.table("control-asb").rows[-1][1] == int(real[0].raw["Recorded"].iloc[-1])


def test_repeat_callers_are_counts_as_on_the_page(demo):
    con = demo["con"]
    as_of = date(2025, 12, 31)
    trend = repeat.repeat_caller_counts(con, source=SOURCE, as_of=as_of, months_shown=13)
    rows = table_rows(load_workbook(demo["xlsx"])["Repeat callers"], "Repeat callers at each month end")
    fields = ["repeat_callers", "new_repeat_callers", "vulnerable_repeat_callers", "incidents",
              "incidents_from_repeat_callers", "share_pct"]
    assert list(rows) == [fmt.month_short(m) for m in trend["month"]]
    for (_, r), found in zip(trend.iterrows(), rows.values(), strict=True):
        assert found[:6] == [r[f] for f in fields]
    # the last month's figures are the Repeat callers page's: how many, new this month, vulnerable
    page = {s.label: s.value for s in callers_view.build(con, SOURCE, as_of, 3, 6).stats}
    last = list(rows.values())[-1]
    assert [f"{v:,}" for v in last[:3]] == [page["Repeat callers"], page["New this month"], page["Vulnerable"]]
    text = pdf_text(demo["pdf"])
    for _, r in trend.iterrows():
        line = " ".join([fmt.month_short(r["month"]), *(fmt.fmt_int(r[f]) for f in fields[:5]),
                         fmt.fmt_rate(r["share_pct"])])
        assert line in text, line
    assert f"{page['Repeat callers']} repeat callers as at 31 December 2025" in text


def test_case_review_statistics_are_the_published_form(demo):
    con = demo["con"]
    page = reviews_view.statistics_table(con, date.today())
    ws = load_workbook(demo["xlsx"])["ASB Case Reviews"]
    rows = table_rows(ws, "ASB Case Review statistics by financial year")
    header = next(r for r in ws.iter_rows(values_only=True) if r[0] == "Financial year")
    assert [h for h in header if h] == list(page.columns)
    assert rows == {r.iloc[0]: [int(v) for v in r.iloc[1:]] for _, r in page.iterrows()}
    text = pdf_text(demo["pdf"])
    for _, r in page.iterrows():
        assert " ".join([r.iloc[0], *(str(int(v)) for v in r.iloc[1:])]) in text
    assert reviews_view.STATISTICS_NOTE in text


def test_engagement_and_satisfaction_are_the_pages_figures(demo):
    con = demo["con"]
    wb = load_workbook(demo["xlsx"])
    flows = table_rows(wb["Engagement"], "My Community Voice in October – December 2025")
    for name, label in ((MCV_SIGNUPS, "MCV sign-ups"), (MCV_ALERTS, "MCV alerts sent")):
        f = engagement.period_figure(con, name, None, PERIOD)
        assert f.figure is not None and f.last_year is not None
        now, before = int(f.figure.value), int(f.last_year.value)
        assert flows[label][:2] == [now, before] and flows[label][3] == now - before
    members = engagement.members_by_district(con, END)
    table = table_rows(wb["Engagement"], "My Community Voice members by district")
    assert list(table) == list(members["district"])
    for _, r in members.iterrows():
        assert table[r["district"]][0] == int(r["members"])
        assert table[r["district"]][3:5] == [int(r["target"]), int(r["distance"])]
    assert table["Kent"][0] == sum(table[d][0] for d in list(table)[:-1])
    s = satisfaction.satisfaction(con, None, PERIOD)
    assert s.figure is not None and s.interval is not None and s.test is not None and s.last_year is not None
    period = table_rows(wb["Victim satisfaction"], "ASB victim satisfaction, October – December 2025")
    assert period["This period"][:6] == [int(s.figure.value), s.figure.surveyed, round(100 * s.interval.share, 1),
                                         round(100 * s.interval.low, 1), round(100 * s.interval.high, 1),
                                         round(s.test.change_pp, 1)]
    assert period["A year earlier"][:2] == [int(s.last_year.value), s.last_year.surveyed]
    monthly = satisfaction.satisfaction_monthly(con, None, END)
    by_month = table_rows(wb["Victim satisfaction"], "ASB victim satisfaction by month")
    assert list(by_month) == [fmt.month_short(m) for m in monthly["period"]]
    for (_, r), found in zip(monthly.iterrows(), by_month.values(), strict=True):
        assert found[:3] == [int(r["satisfied"]), int(r["surveyed"]), round(float(r["share_pct"]), 1)]
    text = pdf_text(demo["pdf"])
    for sentence in measure_words.satisfaction_sentences(con, period=PERIOD, district=None):
        assert re.sub(r"\s+", " ", sentence) in text
    assert (f"This period {int(s.figure.value)} {s.figure.surveyed} {fmt.fmt_rate(100 * s.interval.share)} "
            f"{fmt.fmt_rate(100 * s.interval.low)} {fmt.fmt_rate(100 * s.interval.high)}") in text
    assert f"MCV sign-ups {fmt.fmt_int(flows['MCV sign-ups'][0])} {fmt.fmt_int(flows['MCV sign-ups'][1])}" in text


def test_a_source_without_them_says_so_in_one_sentence(demo):
    con = demo["con"]
    pack = pack_sections.build_pack(con, period=make_period("2025-04", "3m"), source="police.uk")
    said = {s.key: [p for b in s.blocks if isinstance(b, Text) for p in b.paragraphs] for s in pack.sections}
    assert said["solved-same-age"][0].startswith("police.uk records no outcome dates")
    assert said["repeat-callers"] == ["The police.uk data holds no caller references, so there are no repeat-caller "
                                      "figures."]
    assert {"control-latest", "control-asb", "control-vbc", "case-review-statistics"} <= {
        t.key for t in pack.tables()}
    # the synthetic measures give victim satisfaction for Kent only
    thanet = pack_sections.build_pack(con, period=PERIOD, source=SOURCE, district="Thanet",
                                      sections=[pack_sections.satisfaction_section])
    assert thanet.sections[0].blocks == (Text(("No victim satisfaction figures for Thanet are loaded for the 13 "
                                               "months to December 2025.",)),)


def test_without_measures_the_pack_says_so_once(con):
    from tests.conftest import insert_batch

    insert_batch(con, "asb", [{"month": "2025-01", "district": "Dover"}] * 12, source="force")
    pack = pack_sections.build_pack(con, period=make_period("2025-01", "1m"),
                                    sections=[pack_sections.engagement_section, pack_sections.satisfaction_section])
    assert [(s.title, s.blocks) for s in pack.sections] == [("Measures", (Text((pack_sections.NO_MEASURES,)),))]


# ------------------------------------------------------------------------------------------------ public mode


def test_public_case_review_statistics_worked_out_by_hand(demo):
    # The demo register: 2025/26 has 4 applications, 1 threshold not met, 2 reviews, 2 with recommendations;
    # 2024/25 has 5, 1, 4, 3. No figure is a sum or difference of others shown, so only the primary rule applies:
    # with the default threshold 5 every figure is from 1 to 5 and hidden; with threshold 3, 4 and 5 are shown.
    page = reviews_view.statistics_table(demo["con"], date.today())
    assert [list(r)[1:] for _, r in page.iterrows()] == [[4, 1, 2, 2], [5, 1, 4, 3]]
    title = "ASB Case Review statistics by financial year"
    five = table_rows(load_workbook(demo["public_xlsx"])["ASB Case Reviews"], title)
    assert five == {"2025/26": [H, H, H, H], "2024/25": [H, H, H, H]}
    three = table_rows(load_workbook(demo["public3_xlsx"])["ASB Case Reviews"], title)
    assert three == {"2025/26": [4, H, H, H], "2024/25": [5, H, 4, H]}
    assert "2025/26 * * * *" in pdf_text(demo["public_pdf"])


def test_public_repeat_callers_worked_out_by_hand(demo):
    # Two months (repeat callers, new, vulnerable, incidents, from repeat callers, share): January 12, 3, 2, 40, 20,
    # 50.0%; February 8, 0, 1, 9, 4, 44.4%. Threshold 5: January's 3 and 2 are hidden; its share (20 of 40) stays.
    # February's 1 and 4 are hidden, 0 is never hidden, and its share goes (its base, 9, is below 10, and its
    # numerator is hidden). Nothing adds up to anything else here, so nothing more is hidden.
    internal = pack_sections.build_pack(demo["con"], period=PERIOD, source=SOURCE,
                                        sections=[pack_sections.repeat_callers_section])
    table = internal.table("repeat-callers-by-month")
    small = replace(table, rows=(("2025-01", 12, 3, 2, 40, 20, 50.0), ("2025-02", 8, 0, 1, 9, 4, 44.4)))
    result = public.suppress_tables([small], threshold=5)["repeat-callers-by-month"]
    assert result.published.values.tolist() == [["2025-01", 12, H, H, 40, 20, 50.0],
                                                ["2025-02", 8, 0, H, 9, H, H]]
    # on the demo every figure is large: the public pack prints the table as it is
    rows = table_rows(load_workbook(demo["public_xlsx"])["Repeat callers"], "Repeat callers at each month end")
    assert [v[:6] for v in rows.values()] == [list(r[1:]) for r in table.rows]


def test_public_mode_hides_what_gives_small_counts_away(con):
    # Dover: ASB 12 in January 2025 and 4 in February. The report table hides February's 4 (and so the change);
    # the control chart tables and charts show every month's count, so they are left out of the public pack,
    # with the sentences quoting their figures. Victim-based crime (7 a month) is not small: its chart stays.
    from tests.conftest import insert_batch

    insert_batch(con, "asb", [{"month": "2025-01", "district": "Dover"}] * 12
                 + [{"month": "2025-02", "district": "Dover"}] * 4, source="force")
    insert_batch(con, "crime", [{"month": m, "district": "Dover", "offence_group": "Burglary", "outcome": "1"}
                                for m in ("2025-01", "2025-02") for _ in range(7)], source="force")
    pack = pack_sections.build_pack(con, period=make_period("2025-02", "1m"), public=True,
                                    sections=[*pack_sections.SECTIONS[:3], pack_sections.control_section])
    assert pack.table("asb-by-month").rows[0][1] == H
    keys = {getattr(b, "key", None) for s in pack.sections for b in s.blocks}
    assert {"control-asb", "control-latest", "control-asb-chart"}.isdisjoint(keys)
    assert {"control-vbc", "control-vbc-chart"} <= keys
    assert pack.table("control-vbc").rows == (("2025-01", 7, None, 7, 7, 7, ""), ("2025-02", 7, 0, 7, 7, 7, ""))


def test_a_control_table_that_hides_a_month_is_left_out(con):
    # Dover's ASB: 20 a month from January 2024 to February 2025, except June 2024 with 3. February 2025 against
    # February 2024 (20 and 20) hides nothing, so the 2024 calendar year's total (20 × 11 + 3 = 223) is published;
    # with the other eleven months of 2024 shown, a control table with June's "*" would give the 3 back, so it is
    # left out, with its chart (it draws the 3) and the sentences quoting it.
    from tests.conftest import insert_batch

    months = [f"2024-{m:02d}" for m in range(1, 13)] + ["2025-01", "2025-02"]
    insert_batch(con, "asb", [{"month": m, "district": "Dover"} for m in months
                              for _ in range(3 if m == "2024-06" else 20)], source="force")
    sections = [*pack_sections.SECTIONS[:3], pack_sections.SECTIONS[pack_sections.SECTIONS.index(
        pack_sections.control_section) - 1], pack_sections.control_section]
    assert sections[3].__name__ == "years_section"
    internal = pack_sections.build_pack(con, period=make_period("2025-02", "1m"), sections=sections)
    assert dict(zip(internal.table("control-asb").column("month"), internal.table("control-asb").column("value"),
                    strict=True))["2024-06"] == 3
    pack = pack_sections.build_pack(con, period=make_period("2025-02", "1m"), public=True, sections=sections)
    assert pack.table("asb-by-month").rows == internal.table("asb-by-month").rows  # nothing small there
    assert pack.table("asb-calendar-years").rows[0][:3] == ("2024", 12, 223)
    keys = {getattr(b, "key", None) for s in pack.sections for b in s.blocks}
    assert {"control-asb", "control-asb-chart"}.isdisjoint(keys)
    notes = [p for s in pack.sections for b in s.blocks if isinstance(b, Text) for p in b.paragraphs]
    assert ("ASB: each month against its limits: left out of the public pack, because its totals overlap months "
            "whose figures are hidden.") in notes


# ------------------------------------------------------------------------------------------------ caller references


def caller_references(con) -> set[str]:
    refs = set()
    for sql in ("SELECT DISTINCT caller_ref FROM asb_incidents WHERE caller_ref IS NOT NULL",
                "SELECT DISTINCT caller_key FROM asb_incidents WHERE caller_key IS NOT NULL",
                "SELECT DISTINCT caller_ref FROM case_reviews WHERE caller_ref IS NOT NULL",
                "SELECT DISTINCT caller_key FROM case_reviews WHERE caller_key IS NOT NULL"):
        refs |= {str(r[0]) for r in con.execute(sql).fetchall()}
    return refs


def found_references(text: str, refs: set[str]) -> set[str]:
    tokens = set(re.findall(r"[A-Za-z0-9]+", text))
    return (tokens & refs) | {r for r in refs if " " in r and r in text}


def xlsx_text(path: Path) -> str:
    """Every XML part of the workbook (cells, shared strings, sheet names, drawings, properties) as text."""
    with zipfile.ZipFile(path) as z:
        return " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith((".xml", ".rels")))


def test_no_caller_reference_appears_in_any_pack(demo):
    refs = caller_references(demo["con"])
    assert len(refs) > 90_000  # the synthetic extract's callers and the register's applicants
    sample = sorted(refs)[0]
    assert found_references(f"a caller {sample}.", refs) == {sample}  # the scan finds one when it is there
    for key in ("xlsx", "public_xlsx", "public3_xlsx"):
        text = xlsx_text(demo[key])
        assert "Repeat callers" in text
        assert found_references(text, refs) == set(), key
        cells = " ".join(str(c) for ws in load_workbook(demo[key]) for r in ws.iter_rows(values_only=True)
                         for c in r if c is not None)
        assert found_references(cells, refs) == set(), key
    for key in ("pdf", "public_pdf"):
        text = pdf_text(demo[key])
        assert "Repeat callers" in text
        assert found_references(text, refs) == set(), key
        assert not re.search(r"\bC\d{7}\b", text)  # the synthetic references' form
