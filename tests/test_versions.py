"""The data version in parts (store.Versions): a load into one source leaves every other source's figures as they
were, so the dashboard keeps the views of one source (analytics.views.common.one_source) across it."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics import interventions as register
from analytics import store
from analytics.domain.access import LOCAL, Identity
from analytics.domain.kinds import Measure
from analytics.ingest.demo import SYNTHETIC_SOURCE, ensure_demo
from analytics.ingest.load import list_batches, load_files, rollback
from analytics.views import (
    asb,
    callers,
    control,
    crime,
    data,
    districts,
    engagement,
    locations,
    overview,
    satisfaction,
)
from analytics.views.common import Selection, sidebar_choices, source_of
from tests.large_compare import assert_same
from ui.session import Run

CITY = Path(__file__).parent / "files" / "police-uk" / "2025-06-city-of-london-street.csv"
OTHER = "city"
ANALYST = Identity("analyst@kent.example", "analyst", LOCAL)


def plain(value: object) -> object:
    """A view as plain values, to compare two builds: frames, arrays and figures as lists, dataclasses as dicts."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, pd.DataFrame):
        return plain(value.astype(object).where(value.notna(), None).to_dict("split"))
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, float) and value != value:
        return "nan"
    return value


def views_of(con, source: str) -> dict[str, object]:
    """Every view marked one_source, built for `source` at its default period (the Overview's default)."""
    choices = sidebar_choices(con, source, None)
    sel = Selection(source, choices.default_end, choices.kind)
    months = 25
    ctrl = control.build(con, sel, Measure.ASB, None, months, None)
    built = {
        "overview": overview.build(con, sel),
        "asb": asb.build(con, sel),
        "crime": crime.build(con, sel),
        "districts": districts.build(con, sel, Measure.ASB, "rate_per_1000"),
        "control choices": control.choices(con, sel, Measure.ASB, months),
        "control": ctrl,
        "engagement": engagement.build(con, sel),
        "satisfaction": satisfaction.build(con, sel),
        "repeat callers": callers.build(con, source, date(2025, 12, 31), 3, 3),
        "lookup": callers.lookup(con, source, callers.BY_LOCATION, "Street", date(2025, 12, 31)),
        "repeat locations": locations.build(con, source, choices.default_end, 12, 3, "location"),
    }
    entry = max(e.id for e in register.entries(con, include_withdrawn=False))
    built["effect"] = control.effect(con, sel, Measure.ASB, None, entry)
    return {name: plain(v) for name, v in built.items()}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    con = store.connect(tmp_path_factory.mktemp("versions") / "demo.duckdb")
    assert ensure_demo(con) is True
    register.add(con, ANALYST, started=date(2025, 6, 1), type="task-force", affects="asb",
                 description="Summer patrols in town centres")
    yield con
    con.close()


def test_a_load_into_another_source_changes_only_that_source(demo):
    before = store.versions(demo)
    assert set(before.sources) == {"police.uk", SYNTHETIC_SOURCE}
    assert before.whole == store.data_version(demo)

    [result] = load_files(demo, [CITY], source_format="police-uk", source_name=OTHER)
    after = store.versions(demo)
    assert after.whole != before.whole
    assert after.shared == before.shared
    assert after.of(SYNTHETIC_SOURCE) == before.of(SYNTHETIC_SOURCE)
    assert after.of("police.uk") == before.of("police.uk")
    assert after.of(OTHER) != before.of(OTHER)  # a source with nothing loaded had a version too

    rollback(demo, result.batch_id)
    again = store.versions(demo)
    assert again.of(OTHER) not in {before.of(OTHER), after.of(OTHER)}
    assert again.of(SYNTHETIC_SOURCE) == before.of(SYNTHETIC_SOURCE)


def test_what_every_source_shares_changes_every_source(demo):
    before = store.versions(demo)
    register.add(demo, ANALYST, started=date(2025, 9, 1), type="task-force", affects="crime",
                 description="Burglary week of action")
    after = store.versions(demo)
    assert after.shared != before.shared
    assert all(after.of(s) != before.of(s) for s in before.sources)


def test_views_of_one_source_are_the_same_after_a_load_into_another(demo):
    first = views_of(demo, SYNTHETIC_SOURCE)
    assert first["overview"]["tiles"]  # the views hold figures, not nothing
    [result] = load_files(demo, [CITY], source_format="police-uk", source_name=OTHER)
    assert result.rows_loaded > 0
    after_load = views_of(demo, SYNTHETIC_SOURCE)
    for name in first:
        assert_same(after_load[name], first[name], name)
    rollback(demo, result.batch_id)
    assert_same(views_of(demo, SYNTHETIC_SOURCE), first)


def test_views_of_one_source_change_with_its_own_loads(demo):
    # the comparison above can fail: a roll-back of the source's own crime extract changes its views
    first = views_of(demo, SYNTHETIC_SOURCE)
    before = store.versions(demo)
    [own] = [b for b in list_batches(demo) if b["source"] == SYNTHETIC_SOURCE and b["kind"] == "crime"
             and b["status"] == "loaded"]
    rollback(demo, own["id"])
    assert store.versions(demo).of(SYNTHETIC_SOURCE) != before.of(SYNTHETIC_SOURCE)
    assert store.versions(demo).of("police.uk") == before.of("police.uk")
    changed = views_of(demo, SYNTHETIC_SOURCE)
    assert changed["crime"] != first["crime"]
    assert changed["overview"] != first["overview"]
    assert changed["asb"] == first["asb"]


def test_only_views_of_one_source_are_kept_across_loads_into_others(demo):
    sel = Selection(SYNTHETIC_SOURCE, "2025-12", "3m")
    assert source_of(overview.build, (sel,)) == SYNTHETIC_SOURCE
    assert source_of(callers.build, (SYNTHETIC_SOURCE, date(2025, 12, 31), 3, 3)) == SYNTHETIC_SOURCE
    # the sidebar names a source but lists them all; the Data page shows every source
    assert source_of(sidebar_choices, (SYNTHETIC_SOURCE, None)) is None
    assert source_of(data.build, ()) is None

    versions = store.versions(demo)
    run = Run(demo.cursor(), f"db:{versions.whole}", False, versions=versions, master="db")
    assert run.version_of(None) == f"db:{versions.whole}"
    assert run.version_of(SYNTHETIC_SOURCE) == f"db:{versions.of(SYNTHETIC_SOURCE)}"
    assert run.version_of(SYNTHETIC_SOURCE) != run.version_of("police.uk")


# files built when a button is pressed (ui.session.deferred), kept per whole data version
DOWNLOADS = {"pack.build"}


def test_every_page_view_of_a_selection_is_kept_per_source():
    # a page's view of one Selection (build, choices, effect) is marked one_source, so the test above covers it
    import importlib
    import inspect
    import pkgutil

    from analytics import views

    unmarked = []
    for info in pkgutil.iter_modules(views.__path__):
        module = importlib.import_module(f"analytics.views.{info.name}")
        for name in ("build", "choices", "effect"):
            fn = getattr(module, name, None)
            if fn is None or getattr(fn, "__module__", "") != module.__name__:
                continue
            params = list(inspect.signature(fn).parameters.values())
            if len(params) >= 2 and params[1].annotation in ("Selection", Selection) \
                    and not getattr(fn, "one_source", False) and f"{info.name}.{name}" not in DOWNLOADS:
                unmarked.append(f"{info.name}.{name}")
    assert unmarked == []
