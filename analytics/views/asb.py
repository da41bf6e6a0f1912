"""The ASB page: the report table, this year against last year, call types, categories, districts, rolling 12 months
and calendar and financial years."""

from __future__ import annotations

from dataclasses import dataclass

from analytics.domain.kinds import Measure
from analytics.figures import breakdowns
from analytics.figures.common import Con
from analytics.report import formatting as fmt
from analytics.report import text
from analytics.views.common import Header, Selection, Table, header, one_source, table
from analytics.views.sections import Breakdown, Comparison, Rolling, Years, breakdown, comparison, rolling, years

WHAT = "ASB incidents by month reported, against the same months a year earlier, and where the change came from."


@dataclass(frozen=True)
class AsbView:
    header: Header
    comparison: Comparison
    call_types: Breakdown
    categories: Table | None  # None: the source records no call types
    categories_sentence: str
    districts: Breakdown
    rolling: Rolling
    years: Years


@one_source
def build(con: Con, sel: Selection) -> AsbView:
    calls = breakdown(con, sel, Measure.ASB, "call_type", top=6, what="call types", name_label="Call type",
                      name="asb-call-types",
                      empty="This source records no ASB call types (police.uk publishes ASB incidents without them).")
    cats = breakdowns.breakdown(con, measure=Measure.ASB, by="category", period=sel.period, source=sel.source,
                                district=sel.district)
    categories = None if cats.empty else table(
        fmt.breakdown_table(cats, name_label="Category"), fmt.breakdown_table(cats, name_label="Category",
                                                                              formatted=False), sel, "asb-categories")
    districts = breakdown(con, sel, Measure.ASB, "district", top=13, what="districts", name_label="District",
                          name="asb-districts", empty="No ASB incidents recorded in this period for this source.")
    return AsbView(
        header=header(con, sel, "Anti-social behaviour", WHAT),
        comparison=comparison(con, sel, Measure.ASB, "asb"),
        call_types=calls,
        categories=categories,
        categories_sentence=text.breakdown_sentence(cats, "categories"),
        districts=districts,
        rolling=rolling(con, sel, Measure.ASB, "asb"),
        years=years(con, sel, Measure.ASB, "asb"),
    )
