"""The dashboard's "Many runs" view (sim/many_runs.py): N seeds at the running settings.

The drawing and the summary are checked against counts made here from the same dates; the
component is rendered without a browser and run to the end (the browser test is in
tests/test_dashboard.py).
"""

import html
import re
import time
from datetime import date, timedelta

import ipyvuetify as v
import pytest
import solara

import experiments
import sim
from sim import many_runs
from sim.dashboard_model import DashboardModel


@pytest.fixture(scope="module")
def setting():
    return sim.load_scenario("season2_2020")


def test_the_bars_add_up_to_the_runs_and_the_none_bar_to_those_without(setting):
    start = setting.start
    dates = [(start + timedelta(weeks=w)).isoformat() for w in (0, 1, 3, 4, 30, 30, 31)] + [
        None,
        None,
    ]
    svg = many_runs.histogram_svg(setting, dates)
    bars = [int(n) for n in re.findall(r'<rect [^>]*data-runs="(\d+)"', svg)]
    # weeks 0, 1 and 3 share the first bar of four weeks; 4 opens the second; 28-31 the eighth
    assert bars == [3, 1, 3, 2]  # the last is the "none" bar
    assert 'data-runs="9"' in svg and "none: 2" in svg


def test_elections_in_the_window_are_marked_and_none_outside_it(setting):
    svg = many_runs.histogram_svg(setting, [])
    for e in setting.elections:
        shown = f"{many_runs.KIND_NAMES.get(e.kind, e.kind)} {e.date}" in svg
        assert shown == (setting.start <= e.date <= setting.horizon), e.code
    assert "by-election 2021-04-07" in svg


def test_the_summary_counts_blueprints_before_the_election_that_decides_the_executive(setting):
    election = many_runs.key_election(setting)
    assert election.code == "presidential_2022"
    before, after = election.date - timedelta(days=1), election.date
    dates = [before.isoformat()] * 3 + [after.isoformat()] * 2 + [None] * 5
    line = many_runs.summary(setting, dates, 20)
    lo, hi = experiments.wilson(3, 10)  # the project's own Wilson interval, computed apart
    assert line.startswith("10 of 20 runs finished")
    assert f"in 3, P = 0.30 (95% interval {lo:.2f} to {hi:.2f})" in line
    assert many_runs.summary(setting, [], 20) == "0 of 20 runs finished"


def test_seeds_start_at_the_dashboards_seed():
    assert list(many_runs.seeds_of(7, 3)) == [7, 8, 9]


def view(rc, testid: str) -> str:
    """The HTML of the view's part with this data-testid ("" until it is drawn)."""
    found = rc.find(solara.widgets.HTML).widgets
    return next(
        (w.unsafe_innerHTML for w in found if w.attributes.get("data-testid") == testid), ""
    )


def wait_for(rc, testid: str, text: str) -> None:
    """Until the view's part shows ``text``: its runs go in a background thread."""
    deadline = time.monotonic() + 300  # a hang guard, not a timing assertion
    while text not in view(rc, testid) and time.monotonic() < deadline:
        time.sleep(0.2)


def test_the_view_runs_n_seeds_at_the_models_settings_and_shows_them():
    model = DashboardModel(election_shift=-20, rng=3)  # settings other than the defaults
    _, rc = solara.render(many_runs.ManyRuns(model), handle_error=False)
    try:
        rc.find(v.Btn, children=["Run 20 seeds"]).widget.click()
        wait_for(rc, "many-runs-summary", "20 of 20")
        shown, histogram = view(rc, "many-runs-summary"), view(rc, "many-runs-histogram")
    finally:
        rc.close()
    expected = [
        sim.run(model.setting, seed=s, series_every=0).outcome["blueprint_date"]
        for s in range(3, 23)
    ]
    assert shown == html.escape(many_runs.summary(model.setting, expected, 20))
    assert histogram == many_runs.histogram_svg(model.setting, expected)
    assert model.setting.election("presidential_2022").date == date(2021, 10, 20)


def test_a_second_setting_runs_beside_the_first_with_its_own_overrides():
    model = DashboardModel(rng=5)
    _, rc = solara.render(many_runs.ManyRuns(model), handle_error=False)
    try:
        rc.find(v.Slider).widget.v_model = 10  # the fewest runs the slider offers
        rc.find(v.Select).widget.v_model = "no presidential election"
        rc.find(v.Btn, children=["Run 10 seeds"]).widget.click()
        wait_for(rc, "many-runs-summary-1", "10 of 10")
        first, second = view(rc, "many-runs-summary"), view(rc, "many-runs-summary-1")
    finally:
        rc.close()
    never = model.setting.horizon + timedelta(weeks=52)
    expected = {
        "as set": {},
        "no presidential election": {"elections.presidential_2022.date": never},
    }
    for shown, (name, extra) in zip((first, second), expected.items(), strict=True):
        dates = [
            sim.run("season2_2020", seed=s, series_every=0, **extra).outcome["blueprint_date"]
            for s in range(5, 15)
        ]
        assert shown == html.escape(f"{name}: {many_runs.summary(model.setting, dates, 10)}")
