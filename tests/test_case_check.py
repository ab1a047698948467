"""`relocsim validate --case`: one case from many runs, and the invariants it reports."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import sim
from experiments.case_check import check_case, report
from sim.allocation import bureaucratic_fit
from sim.truth import load_truth

RELOCSIM = str(Path(sys.executable).with_name("relocsim"))


@pytest.fixture(scope="module")
def season2():
    return check_case("season2_2020", 40, 1, progress=False)


def test_no_blueprint_comes_before_the_draft_is_complete(season2):
    # The start-of-run artefact of issue 13: blueprints in weeks 3-27 with the draft 10-90% done.
    assert season2.earliest_blueprint_week >= season2.drafting_weeks


def test_every_truth_event_is_reported_and_the_blueprints_add_up(season2):
    assert len(season2.events) == len(load_truth("season2_2020").events)
    assert season2.blueprints.sum() == pytest.approx(1.0)
    receiving = {r.code for r in sim.load_scenario("season2_2020").regions if r.receives}
    assert set(season2.regions["region"]) == receiving
    text = report(season2)
    assert "Decision dates:" in text and "Earliest blueprint: week" in text


def test_no_designation_comes_before_the_new_governments_draft_is_complete():
    # kdb_2023 starts at the inauguration: the designation waits for a draft begun that day.
    weeks = sim.load_scenario("kdb_2023").parameters.drafting.drafting_weeks
    for seed in range(6):
        result = sim.run("kdb_2023", seed=seed, series_every=0)
        if result.outcome["decided_KDB_date"] is not None:
            assert result.model.decided_week[result.model.world.inst_codes.index("KDB")] >= weeks


def test_the_decision_dates_lie_in_the_window():
    check = check_case("kdb_2023", 12, 2, progress=False)
    dated = check.events[check.events["kind"] == "decision"]
    scenario = sim.load_scenario("kdb_2023")
    for median in dated["median date"]:
        if median:
            assert str(scenario.start) <= median <= str(scenario.horizon)


def test_the_draft_taste_is_gumbel_so_no_region_is_excluded_by_construction():
    # A bounded term (the old U(0, 1)) caps how far a region can be behind and still come
    # first; a Gumbel one does not: its draws reach several scales, with mean Euler's gamma.
    model = sim.build_model("season2_2020", seed=1)
    w = model.world
    assert np.array_equal(model.fit, bureaucratic_fit(w.cluster_match, w.bids, w.hub, w.is_finance))
    noise = model.taste / model.params.drafting.idiosyncrasy
    assert noise.max() > 3.0 and noise.min() < -1.0
    assert noise.mean() == pytest.approx(np.euler_gamma, abs=0.1)


def test_the_region_table_reads_the_runs_wins_against_bids(season2):
    table = season2.regions.set_index("region")
    assert table.loc["busan", "bids for"] == "KDB, IBK, KEXIM, KSURE, SUHYUP"
    assert np.isnan(table.loc["sejong", "wins a bid"])  # it bids for nothing
    bidders = table.dropna(subset=["wins a bid"])
    assert (bidders["wins a bid"] <= bidders["wins any"]).all()  # a run won a bid won some
    total = sum(i.count for i in sim.load_scenario("season2_2020").institutions)
    assert np.allclose(table["share"], table["institutions"] / total)
    assert table["share"].sum() <= 1.0


def test_an_unknown_case_is_one_line_and_exit_2():
    done = subprocess.run(
        [RELOCSIM, "validate", "--case", "atlantis_2020"], capture_output=True, text=True
    )
    assert done.returncode == 2 and not done.stdout
    assert len(done.stderr.strip().splitlines()) == 1 and "--case" in done.stderr
