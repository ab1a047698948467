"""Mutation checks: a mechanism removed from the model's wiring fails a test in `make test`.

Each test would pass for a model that still has the mechanism and fail for one where it was
cut out (the election clock ignored, the influence step ignoring the ties, the compromise
standing in for BDM under the "bdm" option), on a fixed set of seeds.
"""

from datetime import date

import numpy as np

import sim
from agents import LawmakerAgent
from sim.influence import friedkin_johnsen_step
from sim.parameters import BargainingParams

SEEDS = range(60)


def _share_before(overrides, before=date(2022, 3, 9)) -> float:
    dates = [
        sim.run("season2_2020", seed=s, series_every=0, **overrides).outcome["blueprint_date"]
        for s in SEEDS
    ]
    return np.mean([d is not None and date.fromisoformat(d) < before for d in dates])


def test_the_election_clock_holds_the_blueprint_back():
    # The same seeds, with the elections of the window moved past the horizon: a model that
    # ignored its election clock would announce as often either way.
    moved = {f"elections.{code}.date": "2023-06-01"
             for code in ("by_2021", "presidential_2022", "local_2022")}  # fmt: skip
    with_clock, without = _share_before({}), _share_before(moved)
    # (a doubling, the old criterion, cannot hold once P is above 0.5 with the clock)
    assert without - with_clock >= 0.2


def test_the_influence_step_uses_the_ties():
    model = sim.build_model("season2_2020", seed=4)
    model.run_for(10)
    before, anchor = model.stance.copy(), model.anchor.copy()
    LawmakerAgent.deliberate(model)
    expected = friedkin_johnsen_step(before, model.influence, model.susceptibility, model.anchor)
    assert np.array_equal(model.stance, expected)
    alone = friedkin_johnsen_step(before, np.eye(len(before)), model.susceptibility, anchor)
    assert np.abs(model.stance - alone).max() > 0.01  # the ties move somebody


def test_the_bargained_scope_is_bdm_not_the_compromise():
    model = sim.build_model("season2_2020", seed=4, **{"parameters.bargaining.mechanism": "bdm"})
    gaps = []
    for _ in range(60):
        model.run_for(1)
        assert model.readiness == model.progress * model.bargained_scope / 100.0
        gaps.append(abs(model.bargained_scope - model.timing_compromise))
    assert max(gaps) > 1.0  # BDM's forecast is not the weighted mean
    assert any("BDM forecast" in row[4] for row in model.why if row[1] == "bargaining")


def test_the_default_bargained_scope_is_the_compromise():
    assert BargainingParams().mechanism == "compromise"
    model = sim.build_model("season2_2020", seed=4)
    assert model.params.bargaining.mechanism == "compromise"
    for _ in range(60):
        model.run_for(1)
        assert model.bargained_scope == model.timing_compromise
        assert model.readiness == model.progress * model.bargained_scope / 100.0
    logged = [row for row in model.why if row[1] == "bargaining"]
    assert logged and all(row[2] == "compromise" for row in logged)  # no BDM concessions


def test_bdm_is_an_option_that_changes_the_bargained_scope():
    runs = {
        mechanism: sim.run(
            "season2_2020", seed=4, **{"parameters.bargaining.mechanism": mechanism}
        ).series
        for mechanism in ("compromise", "bdm")
    }
    assert runs["compromise"].equals(sim.run("season2_2020", seed=4).series)  # the default
    gap = (runs["bdm"]["bargained_scope"] - runs["compromise"]["bargained_scope"]).abs()
    assert gap.max() > 1.0
