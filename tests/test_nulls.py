"""Null models (sim.parameters.NullParams): each replaces one mechanism, and nothing else."""

import numpy as np
import pytest

import sim
from sim import ScenarioError
from sim.network import KINDS, rewire


def _degrees(ties, n):
    peer = ties.kind != KINDS.index("leader")
    return np.bincount(np.concatenate([ties.source[peer], ties.target[peer]]), minlength=n)


def test_rewiring_keeps_every_degree_and_changes_the_partners():
    model = sim.build_model("season2_2020", seed=2)
    ties, n = model.ties, len(model.world.names)
    new = rewire(ties, np.random.default_rng(0))
    assert np.array_equal(_degrees(new, n), _degrees(ties, n))
    assert len(new.source) == len(ties.source)
    assert not (new.source == new.target).any()
    leader = ties.kind == KINDS.index("leader")
    assert np.array_equal(new.target[leader], ties.target[leader])
    peer = ~leader
    assert (new.target[peer] != ties.target[peer]).mean() > 0.9  # nearly every partner moved
    again = rewire(ties, np.random.default_rng(0))
    assert np.array_equal(again.target, new.target)  # the model's RNG fixes it


def test_the_rewired_and_empty_nulls_reach_the_influence_matrix():
    full = sim.build_model("season2_2020", seed=2)
    rewired = sim.build_model("season2_2020", seed=2, **{"parameters.null.ties": "rewired"})
    empty = sim.build_model("season2_2020", seed=2, **{"parameters.null.ties": "none"})
    n = len(full.world.names)
    assert np.allclose(empty.influence.toarray(), np.eye(n))
    assert not np.allclose(rewired.influence.toarray(), full.influence.toarray())
    peer_links = lambda m: (m.influence > 0).sum(axis=1)  # noqa: E731
    # the same number of ties per member; a few swaps double up a pair, so slightly fewer
    # distinct partners
    assert 0.9 < peer_links(rewired).mean() / peer_links(full).mean() <= 1.0


@pytest.mark.parametrize("ties", ["rewired", "none"])
def test_a_ties_null_leaves_the_rest_of_the_run_on_the_full_models_draws(ties):
    # common random numbers: the null and the full model differ by their ties, not their luck
    full = sim.build_model("season2_2020", seed=4)
    null = sim.build_model("season2_2020", seed=4, **{"parameters.null.ties": ties})
    assert np.array_equal(full.rng.random(5), null.rng.random(5))
    assert np.array_equal(full.taste, null.taste)  # drawn after the ties


def test_the_constant_hazard_ignores_the_election_clock():
    model = sim.build_model("season2_2020", seed=1, **{"parameters.null.hazard": "constant"})
    model.run_for(40)
    h0 = model.params.timing.base_hazard
    assert model.head_of_government.hazard_of(0.5, 0.9, 3.0) == h0 * 0.5
    full = sim.build_model("season2_2020", seed=1)
    full.run_for(40)
    assert full.head_of_government.hazard_of(0.5, 0.9, 3.0) != h0 * 0.5


def test_the_compromise_is_no_longer_a_null():
    # It is the default mechanism (parameters.bargaining.mechanism); an old switch must fail
    # loudly rather than run the default under a null's name.
    with pytest.raises(ScenarioError, match=r"null\.bargaining"):
        sim.build_model("season2_2020", seed=1, **{"parameters.null.bargaining": "compromise"})


def _floor_votes(model):
    model.run_for(sim.runner.weeks_in(model.setting))
    return [(b.code, v.yes.tolist()) for b in model.bills for v in b.votes if v.stage == "floor"]


def test_the_reciprocity_null_votes_as_a_legislature_without_the_norm():
    # Korea 2003's act is a free vote for the GNP and the MDP: their members with no stake in
    # it are the ones the norm decides for
    null = sim.build_model("kr_capital_act_2003", seed=3, **{"parameters.null.reciprocity": "none"})
    assert null.params.legislature.reciprocity == 0.0
    zero = sim.build_model(
        "kr_capital_act_2003", seed=3, **{"parameters.legislature.reciprocity": 0.0}
    )
    full = sim.build_model("kr_capital_act_2003", seed=3)
    assert full.params.legislature.reciprocity > 0
    votes = _floor_votes(null)
    assert votes == _floor_votes(zero)
    assert votes != _floor_votes(full)
