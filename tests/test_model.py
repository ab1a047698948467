"""Whole-model properties: reproducibility, invariants, agents and events."""

import random
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

import sim
from agents import LawmakerAgent, MinistryAgent, RegionAgent, UnionAgent
from sim.allocation import STAY, UNDECIDED
from sim.network import influence_matrix
from sim.runner import weeks_in
from sim.whyline import Line
from tests.conftest import default_run
from tests.strategies import scenarios


def test_same_seed_same_result():
    a, b = sim.run("season2_2020", seed=11), sim.run("season2_2020", seed=11)
    assert a.outcome == b.outcome
    pd.testing.assert_frame_equal(a.series, b.series)
    pd.testing.assert_frame_equal(a.why, b.why)


@pytest.mark.parametrize("every", [0, 4])
def test_recording_fewer_weeks_changes_only_the_series(every):
    full, thin = (
        sim.run("season2_2020", seed=5),
        sim.run("season2_2020", seed=5, series_every=every),
    )
    assert thin.outcome == full.outcome
    pd.testing.assert_frame_equal(thin.why, full.why)
    if every:
        pd.testing.assert_frame_equal(thin.series, full.series[full.series.week % every == 0])
    else:
        assert thin.series.empty and list(thin.series.columns) == list(full.series.columns)
    # the peak of the full weekly series is what the outcome reports, whatever is recorded
    peak = full.series.union_pressure.idxmax()
    assert full.outcome["peak_mobilisation"] == full.series.union_pressure.max()
    assert full.outcome["peak_mobilisation_date"] == peak


@pytest.mark.parametrize("every", [-1, 1.5, True])
def test_recording_needs_a_whole_number_of_weeks(every):
    with pytest.raises(ValueError, match="series_every"):
        sim.build_model("season2_2020", seed=0, series_every=every)


def test_different_seeds_differ():
    outcomes = {str(default_run(seed).outcome) for seed in range(6)}
    assert len(outcomes) > 1


def test_a_run_does_not_touch_the_global_random_state():
    # The legacy global generator is exactly what a run must leave alone.
    numpy_before = np.random.get_state()[1].copy()  # noqa: NPY002
    stdlib_before = random.getstate()
    sim.run("season2_2020", seed=3)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_before)  # noqa: NPY002
    assert random.getstate() == stdlib_before


def test_a_why_line_formatted_when_read_holds_the_values_of_its_week():
    assert str(Line("{:.2f} and {}", 1.234, Line("x{:.0%}", 0.5))) == "1.23 and x50%"
    model = sim.build_model("season2_2020", seed=1, series_every=0)
    model.step()
    expected = (
        f"p={model.p_announce:.3f}: readiness {model.readiness:.2f}, credit {model.credit:.2f}"
        f", blame {model.blame:.2f}, election proximity {model.proximity:.2f}"
    )
    model.run_for(20)  # the state moves on before the log is read
    lines = [row[4] for row in model.why if row[1] == "executive"]
    assert len(lines) == 21 and lines[0].endswith(expected) and not lines[1].endswith(expected)
    assert all(isinstance(row[4], str) for row in model.why)


def test_three_hundred_seated_members_and_four_agent_kinds(season2):
    model = sim.build_model(season2, seed=1)
    lawmakers = model.agents_by_type[LawmakerAgent]
    assert len(lawmakers.select(lambda a: a.seated)) == 300
    assert len(model.agents_by_type[RegionAgent]) == len(season2.regions)
    assert len(model.agents_by_type[UnionAgent]) == len(season2.unions)
    assert len(model.agents_by_type[MinistryAgent]) == len(season2.ministries)
    by_party = lawmakers.select(lambda a: a.seated).groupby("party").count()
    assert by_party == {p.code: p.seats for p in season2.parties}


def test_each_agent_points_at_its_own_row(season2):
    model = sim.build_model(season2, seed=1)
    for kind in (LawmakerAgent, RegionAgent, UnionAgent):
        rows = [a.index for a in model.agents_by_type[kind]]
        assert rows == list(range(len(rows)))
    union = model.agents_by_type[UnionAgent].to_list()[2]
    model.mobilisation[2] = 0.5
    assert union.mobilisation == 0.5


def test_named_actors_sit_where_they_sat(season2):
    model = sim.build_model(season2, seed=1)
    by_name = {a.name: a for a in model.agents_by_type[LawmakerAgent]}
    assert by_name["Jeon Jae-su"].region == "busan" and by_name["Jeon Jae-su"].party == "DP"
    assert by_name["Yun Jae-ok"].region == "daegu" and by_name["Yun Jae-ok"].party == "UFP"
    assert not by_name["Lee Hae-chan"].seated


def test_agents_read_and_write_the_model_arrays(season2):
    model = sim.build_model(season2, seed=1)
    member = model.lawmakers.to_list()[5]
    model.stance[member.index, 0] = 0.25
    assert member.stance == 0.25
    model.step()
    assert member.stance == model.stance[member.index, 0]


def test_influence_matrix_is_the_networkx_graph_normalised(season2):
    model = sim.build_model(season2, seed=2)
    graph = model.ties_graph
    assert graph.number_of_nodes() == len(model.world.names)
    # Dropping self-weights, W restricted to peer ties equals the graph's weights on them.
    w = influence_matrix(model.ties, len(model.world.names), 0.0).toarray()
    i = next(n for n in graph if not model.world.leader[n] and graph.degree(n) > 3)
    neighbours = [j for j in graph[i] if not model.world.leader[j]]
    weights = np.array([graph[i][j]["weight"] for j in neighbours])
    row = w[i, neighbours]
    np.testing.assert_allclose(row / row.sum(), weights / weights.sum())


def test_elections_are_events_on_their_dates(season2):
    result = default_run(0)
    held = result.why[result.why.kind == "election"]
    inside = [e for e in season2.elections if e.date <= season2.horizon]
    assert len(inside) < len(season2.elections)  # those past the horizon are never held
    assert list(held.actor) == [e.code for e in inside]
    for e, week in zip(inside, held.week, strict=True):
        assert week == int((e.date - season2.start).days // 7)


def test_one_destination_per_institution_and_decisions_stick(season2):
    model = sim.build_model(season2, seed=4)
    decided_before = {}
    for _ in range(weeks_in(season2)):
        model.step()
        assert model.draft.shape == (len(model.world.inst_codes),)
        assert np.all((model.draft == STAY) | model.world.receives[np.maximum(model.draft, 0)])
        for i, week in decided_before.items():
            assert model.decided[i] == model.draft[i] and model.decided_week[i] == week
        decided_before = {
            i: model.decided_week[i] for i in np.nonzero(model.decided != UNDECIDED)[0]
        }


def test_moving_the_election_past_the_horizon_removes_it():
    result = sim.run("season2_2020", seed=0, **{"elections.presidential_2022.date": "2023-06-01"})
    assert "presidential_2022" not in set(result.why[result.why.kind == "election"].actor)
    assert result.outcome["winner_presidential_2022"] is None


@pytest.mark.parametrize("seed", range(6))
def test_outcome_follows_the_schema(seed):
    o = default_run(seed).outcome
    for key in sim.OUTCOME_SCHEMA:
        if "{" not in key:
            assert key in o
    # plain Python scalars, so that the record serialises to JSON, CSV and Parquet as is
    assert all(type(v) in (str, int, float, bool, type(None)) for v in o.values()), o


@pytest.mark.parametrize("seed", range(6))
def test_each_receiving_region_counts_the_institutions_decided_for_it(seed):
    result = default_run(seed)
    o, m = result.outcome, result.model
    receiving = [c for c, r in zip(m.world.region_codes, m.world.receives, strict=True) if r]
    won = {c: o[f"won_{c}"] for c in receiving}
    assert set(k for k in o if k.startswith("won_")) == {f"won_{c}" for c in receiving}
    assert sum(won.values()) == o["relocated"]
    named = [i.code for i in m.setting.institutions if i.count == 1]
    for code in receiving:  # a named institution decided for a region counts in its wins
        assert won[code] >= sum(o[f"dest_{i}"] == code for i in named)


@given(scenarios())
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_generated_scenarios_keep_the_invariants(scenario):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = sim.build_model(scenario, seed=0)
        for _ in range(min(weeks_in(scenario), 60)):
            model.step()
            eps = 1e-12  # convex combinations in floating point may overshoot by an ulp
            assert np.all((model.stance >= -eps) & (model.stance <= 1 + eps))
            assert np.all((model.mobilisation >= -eps) & (model.mobilisation <= 1 + eps))
            assert 0 <= model.p_announce <= 1
            assert 0 <= model.bargained_scope <= 100
            assert ((model.draft == STAY) | (model.draft >= 0)).all()


def test_a_lost_presidency_flips_the_executive_and_the_whips():
    model = sim.build_model(
        "season2_2020",
        seed=0,
        **{
            "elections.presidential_2022.p_ruling_win": 0.0,
            "elections.local_2022.p_ruling_win": 0.0,
        },
    )
    codes = model.world.party_codes
    assert model.party_line[codes.index("DP")] == 1 and model.party_line[codes.index("UFP")] == -1
    model.run_for(weeks_in(model.setting))
    assert model.executive_name == "UFP"
    assert model.party_line[codes.index("UFP")] == 1 and model.party_line[codes.index("DP")] == -1
    assert model.winners["presidential_2022"] == "UFP"  # its code; the log says PPP
    assert model.winners["local_2022"] == "DP"  # the ruling party is now the UFP, and it lost


def test_the_why_log_names_only_real_influences(season2):
    model = sim.build_model(season2, seed=5)
    model.run_for(60)
    w = model.world

    def index(day):  # members by the names the log gives them on that day
        labels = [season2.party_label(code, day) for code in w.party_codes]
        return {w.shown_name(k, labels[p]): k for k, p in enumerate(w.member_party)}

    pulls = [row for row in model.why if row[1] == "influence" and row[3]]
    assert pulls
    for time, _, actor, target, _ in pulls:
        named = index(model.date_of(time))
        assert actor != target and model.influence[named[target], named[actor]] > 0


def test_group_means_are_each_groups_mean():
    from sim.influence import group_means

    rng = np.random.default_rng(5)
    groups = rng.integers(-1, 4, size=40)  # group 3 ends empty; -1 means no group
    groups[groups == 3] = 2
    values = rng.random(40)
    means = group_means(groups, values, 4)
    for g in range(4):
        members = groups == g
        expected = values[members].mean() if members.any() else 0.0
        assert means[g] == pytest.approx(expected, rel=1e-12)
    assert means[3] == 0.0


def test_the_flagship_alone_makes_only_its_own_losers():
    """Closed form from the scenario's data: credit = Busan's electoral weight; blame = the weight
    of the other regions bidding for KDB + the capital's weight times KDB's share of the staff.
    A region's weight is its seat share times (1 + 4 s (1 - s)) / 2, s the ruling party's share
    of its members."""
    model = sim.build_model("kdb_2023", seed=0)
    s, w = model.setting, model.world
    kdb, busan = w.inst_codes.index("KDB"), w.region_codes.index("busan")
    credit, blame = model.flagship_stakes
    rivals = [w.region_codes.index(r) for r in s.institution("KDB").bids if r != "busan"]
    ruling = w.party_codes.index(s.executive.party)
    members = w.member_region >= 0
    share = np.array([
        (w.member_party[members & (w.member_region == r)] == ruling).mean()
        for r in range(len(w.region_codes))
    ])  # fmt: skip
    weight = w.seat_share * (1 + 4 * share * (1 - share)) / 2
    capital = weight[w.source_region] * w.staff[kdb] / w.staff.sum()
    assert credit == pytest.approx(weight[busan])
    assert blame == pytest.approx(weight[rivals].sum() + capital)
    # Fewer losers than any whole blueprint that moves every institution somewhere.
    model.draft = np.full(len(w.inst_codes), busan)
    model.draft_changed()
    assert blame < model.regional_blame


def test_the_executive_designates_its_flagship_in_the_kdb_case():
    designated = 0
    for seed in range(12):
        result = sim.run("kdb_2023", seed=seed)
        rows = result.why[(result.why.kind == "executive") & (result.why.target == "KDB")]
        if len(rows):
            designated += 1
            assert result.outcome["dest_KDB"] == "busan"
            assert result.outcome["decided_KDB_date"] == rows.date.iloc[0]
    assert designated > 0


def test_an_hq_act_goes_to_the_committee_its_institution_names():
    model = sim.build_model("jp_agency_moves_2016", seed=0, series_every=0)
    w = model.world
    aca = w.inst_codes.index("ACA")  # its Act goes to the education committee, not the first
    assert w.committee_codes[w.inst_committee[aca]] == "education" and w.inst_committee[aca] != 0
    chosen = np.arange(len(w.inst_codes)) == aca
    model.commit(chosen, np.where(chosen, w.region_codes.index("kyoto"), -1))
    (bill,) = [b for b in model.bills if b.institution == aca]
    assert bill.committee == w.inst_committee[aca]


def test_a_member_who_becomes_committee_chair_at_a_dated_event_chairs_her_committee():
    from sim.scenario_types import Event

    model = sim.build_model("no_agencies_2003", seed=0, series_every=0)
    w = model.world
    k = w.names.index("Ola T Lanke")  # on the fka committee, which Sonja Irene Sjoli chairs
    assert w.committee[k].any() and k not in w.chair
    model.take_role(Event(model.setting.start, "role", w.names[k], role="committee_chair"))
    assert all(w.chair[c] == k for c in np.flatnonzero(w.committee[k]))
    assert model.voting_arrays["recognition"][k] == model.params.legislature.leader_recognition
