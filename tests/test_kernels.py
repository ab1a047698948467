"""The compiled kernels (issue 14, sim/kernels.py) against their numpy oracles.

What this file checks:

* On inputs recorded from real runs of the case library (every shipped scenario, at week 0,
  week 1, mid-run and the week after, the week of the first decision and the last week),
  each kernel's single call matches its numpy oracle to 1e-9 relative; integer results
  match exactly (``redraw``, ``plan_of``, the regions due to say why, the unions' actions
  and who changed them, the mover, the strongest influencer, the votes and each voter's
  weightiest cue, the looming election). The inputs are read from the model's state at
  those weeks and built as the model builds them for its own calls (sim/model.py, agents/);
  tests check that they reproduce the model's own stakes, threats, anchors, pressure on the
  ministries and joint union pressure, that one week's arguments give the model's effort,
  mobilisation, union actions and stances of the week after, and that they cover factions,
  unions, members without a region, partly and wholly decided plans, regions due and not
  due, every union action, every cue, and elections past and ahead.
* The kernels and their oracles:

  - ``friedkin_johnsen_csr``: ``friedkin_johnsen_step``, and to the bit scipy's CSR
    product, as its docstring claims; ``group_means``: each group's numpy mean, exact on a
    hand-built example; ``bargaining_table``: the table's group means, fixed positions and
    saliences, concatenated; ``announce_anchor_base``: the numpy formula it replaced;
  - ``redraw`` (on the model's C-ordered pressure and on an F-order copy):
    ``draft_allocation`` for the undecided; ``rebalance_draft``: ``rebalance``;
    ``drafting_week``: the redraw, the destinations it changed, and ``rebalance``;
    ``stake_of``: ``regional_stake``; ``threat_of``: ``union_threat``; ``plan_of``:
    ``scoped_plan``; ``credit_and_blame_of``: ``credit_and_blame``; ``weigh_plan``: both
    in turn; ``won_and_lost``;
  - ``lobby_regions``: ``effort_from_shares``, capacity * zeal * wants, and the due rule of
    agents/region.py; ``lobbying_week``: ``lobby_regions``, then ``political_pressure``;
    ``mobilise_unions``: ``mobilisation_step`` and ``union_actions``, and the actions that
    changed since last week; ``pressure_reaching``:
    ``political_pressure``; ``joint_pressure``: ``mobilisation @ weight`` (the unions'
    weights and the flagship's);
  - ``pressed_anchor``: ``np.clip(base - pressure * pressed, 0, 1)`` (the week's pressure
    and stronger ones); ``largest_move``: the argmax of the moves and the signed move;
    ``strongest_pull``: ``strongest_influencer`` on scipy's CSR matrix, for the week's
    mover and every other member; ``deliberation``: the pressed anchors, Friedkin-Johnsen,
    the regions' mean claims and the largest move, each by its oracle;
  - ``votes_by_weightiest_cue``: ``member_cues``, ``weightiest_cue``, ``yes_probability``
    with the caucus shock, and ``cast_votes``, with the shock and uniforms
    ``assembly.member_votes`` draws, for every bill before the model and a hypothetical HQ
    Act, on the floor and in each committee; the yes-probability to 1e-9 relative through
    uniforms placed just below and above it; ``recognise``: ``rng.choice`` with
    ``recognition_probabilities`` from the same seed, draw after draw, on the model's
    committees and hand-built weights;
  - ``looming_election``: ``election_proximity`` and the argmax of ``election_closeness``
    on the model's clock; ``largest_shift``: the largest change of a position, or of a
    salience times 100, between recorded weeks of a run and since the model's last
    agreement.

* Edge cases with a known answer: no receiving region, every institution decided, a plan of
  scope 0 or 1, a union defending nothing, a group without members, three stances; the due
  rule at its boundary, the union ladder at its thresholds, rising and decaying unions, no
  unions, equal moves, equal pulls and a member without ties, tied cues, no election ahead
  or at all, tied elections, weights of 0, polling day, a hand-built bargaining table.
* A kernel refuses arguments of another type (float32, int32 indices) with a TypeError, and
  compiles nothing new for them.
* ``sim.kernels.kernel`` says on stderr that it compiles on a module's first import, once,
  and not on the next import, which loads numba's cache (a tiny module in a temporary
  folder, so the project's own cache is left as it is).
"""

import dataclasses
import itertools
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest

import sim
from agents.region import EFFORT_CHANGE_LOGGED
from sim import allocation, assembly, influence, legislature, pressure, timing
from sim.allocation import STAY, UNDECIDED
from sim.bargaining import bargaining_table, largest_shift
from sim.model import RelocationModel
from sim.scenario import available_scenarios

ROOT = Path(__file__).resolve().parents[1]
RTOL = 1e-9
ATOL = 1e-12  # for entries that are 0 (a stake, a threat, a loss)

# Every shipped case at seed 0, and two more runs for states seed 0 does not reach: season2
# seed 5 announces a blueprint at week 34 (seed 0 none); kdb seed 1 designates the flagship
# alone, so its plan is partly decided.
REQUIRED = (
    "season2_2020",
    "kdb_2023",
    "kr_capital_act_2003",
    "de_bonn_berlin_1991",
    "uk_places_for_growth_2020",
)
RUNS = [(case, 0) for case in available_scenarios()] + [("season2_2020", 5), ("kdb_2023", 1)]
RUN_IDS = [f"{case}-seed{seed}" for case, seed in RUNS]


# ---- recording inputs from real runs -------------------------------------------------------
def record(model: RelocationModel, label: str) -> dict:
    """The arguments the model passes to each kernel, built from its state now (copies).

    As in the model's own calls: ``LawmakerAgent.deliberate`` (the pressed anchor,
    Friedkin-Johnsen, group means, the largest move and the strongest pull),
    ``MinistryAgent.draft`` (redraw, rebalance), ``draft_changed`` (stake, threat),
    ``weigh_the_plan`` (plan, credit and blame), ``refresh_anchor_base``,
    ``RegionAgent.lobby`` (effort, and the pressure it puts), ``UnionAgent.mobilise``,
    ``tally_union_pressure``, ``ExecutiveAgent.decide`` (the clock, the flagship's union
    blame), ``bargain`` (the shift of the table) and ``legislate`` (each bill's member arrays).
    The state at the end of a week is what next week's calls start from: the regions lobby
    with this week's zeal, the unions mobilise against this week's threat and readiness.
    """
    m, w = model, model.world
    dp, up = m.params.drafting, m.params.unions
    stance = m.stance.copy()
    anchor = m.anchor.copy()
    anchor[:, 0] = m.announce_anchor()
    ties = tuple(a.copy() for a in influence.csr_arrays(m.influence))
    # deliberate's move: ``before`` is a view of the old stances, as the model's is
    before = stance[:, 0]
    after = influence.friedkin_johnsen_csr(*ties, stance, m.susceptibility, anchor)[:, 0]
    n_parties = len(w.party_codes)
    position, salience, _ = m.bargaining_table()
    last = m.last_bargained
    joint = [(m.mobilisation.copy(), m.union_weight.copy())]
    if m.setting.flagship:  # the flagship's blame weighs the unions that defend it
        joint.append((m.mobilisation.copy(), m.flagship_union_weight.copy()))
    return {
        "label": label,
        "week": m.steps,
        "n_regions": len(w.region_codes),
        "fj": (*ties, stance, m.susceptibility.copy(), anchor),
        "csr": m.influence.copy(),  # the oracle's W: scipy's CSR matrix
        "group_means": [  # region_means(claims), party_means(support), leadership_means
            (w.member_region.copy(), stance[:, 1], len(w.region_codes)),
            (w.member_party.copy(), stance[:, 0], n_parties),
            (m.leader_party.copy(), stance[:, 0], n_parties),
        ],
        "bargaining_table": (
            stance[:, 0].copy(),
            w.member_region.copy(),
            m.stake.copy(),
            m.leader_party.copy(),
            n_parties,
            m.leading_parties.copy(),
            m.party_salience.copy(),
            m.ministry_position.copy(),
            m.ministry_salience.copy(),
            m.mobilisation.copy(),
        ),
        "anchor_base": (
            m.stake.copy(),
            w.receives.copy(),
            w.member_region.copy(),
            m.pledge.copy(),
            w.member_party.copy(),
            w.faction.copy(),
            w.faction_stance.copy(),
            w.leader.copy(),
            m.params.influence.region_gain_weight,
        ),
        "redraw": (
            m.fit.copy(),
            m.political.copy(order="K"),  # C order, as the model's (pressure_reaching)
            dp.fit_weight,
            m.equity_penalty.copy(),
            dp.stay_threshold,
            w.receives.copy(),
            m.taste.copy(),
            m.decided.copy(),
        ),
        "rebalance": (m.equity_penalty.copy(), m.draft.copy(), w.receives.copy(), dp.equity_rate),
        "draft": m.draft.copy(),
        "plan": m.plan.copy(),
        "decided": m.decided.copy(),
        "seen_fit": m.seen_fit.copy(),
        "scope": m.bargained_scope / 100.0,
        "staff": w.staff.copy(),
        "receives": w.receives.copy(),
        "origin": w.origin.copy(),
        "defends": w.defends.copy(),
        "bids": w.bids.copy(),
        "bidders": m.bidders.copy(),
        "voter_weight": m.voter_weight.copy(),
        "pressed_anchor": (m.anchor_base.copy(), m.union_pressed.copy(), m.union_pressure),
        "lobby": (
            w.capacity.copy(),
            m.zeal.copy(),
            m.intent_share.copy(),
            m.region_wants.copy(),
            m.lobbying_logged.copy(),
            EFFORT_CHANGE_LOGGED,
        ),
        "pressure_reaching": (
            m.effort.copy(),
            m.ruling_share[m.executive].copy(),
            m.params.lobbying.ruling_access,
        ),
        "unions": (
            m.mobilisation.copy(),
            m.threat.copy(),
            m.readiness,
            w.union_strength.copy(),
            up.rise_rate,
            up.decay_rate,
            up.anticipation,
            m.decided_against.copy(),
            m.union_action.copy(),
        ),
        "joint": joint,
        "moves": (after, before),
        "csr_arrays": ties,
        "clock": (
            m.election_weeks.copy(),
            m.election_weights.copy(),
            float(m.steps),
            m.params.timing.horizon_weeks,
        ),
        "table": (position.copy(), salience.copy()),
        "last_bargained": None if last is None else tuple(a.copy() for a in last),
        "votes": bill_members(m),
        "legislature": m.params.legislature,
        # the model's own results, to check that the arguments above are the model's
        "model_stake": m.stake.copy(),
        "model_threat": m.threat.copy(),
        "model_anchor_base": m.anchor_base.copy(),
        "model_political": m.political.copy(order="K"),
        "model_union_pressure": m.union_pressure,
    }


def bill_members(model: RelocationModel) -> list[tuple[str, dict]]:
    """The member arrays of each bill before the model, as ``legislate`` builds them (copies).

    The model's bills (pending or not), and a hypothetical HQ Act moving institution 0 to the
    first region that bids for it (or else the first receiving region), so that every week of
    every case has a bill to vote on.
    """
    m, w = model, model.world
    union = m.union_pressure * m.params.influence.union_pressure_weight
    bidders = np.flatnonzero(w.bids[0] & w.receives)
    destination = int(bidders[0] if bidders.size else np.flatnonzero(w.receives)[0])
    bills = [*m.bills, assembly.Bill(0, destination, m.steps)]
    taken = []
    for bill in bills:
        members = {
            **m.voting_arrays,
            "gain": m.bill_gain(bill) - union * w.labour,
            "line": m.bill_line(bill),
            "faction_line": m.faction_line(bill),
        }
        name = bill.code or f"{w.inst_codes[bill.institution]} Act"
        taken.append((name, {k: np.array(v, copy=True) for k, v in members.items()}))
    return taken


@cache
def snapshots(case: str, seed: int) -> tuple[dict, ...]:
    """Inputs at week 0, week 1, mid-run and the week after, the first week with a decision,
    and the last week (two pairs of consecutive weeks: ``consecutive_weeks``)."""
    model = RelocationModel(sim.load_scenario(case), rng=seed, series_every=0)
    weeks = int((model.setting.horizon - model.setting.start).days / 7)
    taken = [record(model, f"{case} seed {seed} week 0")]
    decided_seen = False
    for week in range(1, weeks + 1):
        model.step()
        first_decision = not decided_seen and (model.decided != UNDECIDED).any()
        decided_seen = decided_seen or first_decision
        if week in (1, weeks // 2, weeks // 2 + 1, weeks) or first_decision:
            taken.append(record(model, f"{case} seed {seed} week {week}"))
    return tuple(taken)


def first_decided(case: str) -> dict:
    """The inputs of the first week with a decision, in the first seed whose run decides."""
    for seed in range(20):
        weeks = [s for s in snapshots(case, seed) if (s["decided"] != UNDECIDED).any()]
        if weeks:
            return weeks[0]
    raise AssertionError(f"no run of {case} decides anything in 20 seeds")


def all_snapshots() -> list[dict]:
    return [s for case, seed in RUNS for s in snapshots(case, seed)]


def consecutive_weeks() -> list[tuple[dict, dict]]:
    """Recorded weeks of a run and the week after: one week's state, the next week's result."""
    pairs = []
    for case, seed in RUNS:
        taken = snapshots(case, seed)
        pairs += [(s, t) for s, t in itertools.pairwise(taken)
                  if t["week"] == s["week"] + 1]  # fmt: skip
    return pairs


# ---- oracles not in the code -----------------------------------------------------------------
def group_means_oracle(group, values, n_groups):
    """Each group's plain mean (numpy's own, pairwise sum); 0 for a group without members."""
    return np.array([values[group == g].mean() if (group == g).any() else 0.0
                     for g in range(n_groups)])  # fmt: skip


def bargaining_table_oracle(
    support, member_region, stake, leader_party, n_parties, leading_parties, party_salience,
    ministry_position, ministry_salience, mobilisation,
):  # fmt: skip
    """``RelocationModel.bargaining_table`` as it was in numpy before the kernel (HEAD~1)."""
    position = np.concatenate([
        100 * group_means_oracle(member_region, support, len(stake)),
        100 * group_means_oracle(leader_party, support, n_parties)[leading_parties],
        ministry_position, np.zeros(len(mobilisation)),
    ])  # fmt: skip
    region_salience = 0.3 + 0.7 * np.abs(stake)
    salience = np.concatenate([region_salience, party_salience, ministry_salience, mobilisation])
    return position, salience


def announce_anchor_base_oracle(
    stake, receives, member_region, pledge, member_party, faction, faction_stance, leader,
    region_gain_weight,
):  # fmt: skip
    """``RelocationModel.refresh_anchor_base`` as it was in numpy before the kernel (HEAD~1)."""
    regional = np.where(member_region >= 0, stake[member_region], stake[receives].mean())
    faction_members = np.nonzero(faction >= 0)[0]
    own = pledge[member_party]
    own[faction_members] = faction_stance[faction[faction_members]]
    base = (region_gain_weight * np.clip(0.5 + regional, 0.0, 1.0)
            + (1.0 - region_gain_weight) * own)  # fmt: skip
    return np.where(leader, own, base)


def redraw_oracle(fit, political, fit_weight, penalty, stay_threshold, receives, taste, decided):
    draft = allocation.draft_allocation(
        fit, political, fit_weight, penalty, stay_threshold, receives, taste
    )
    return np.where(decided == UNDECIDED, draft, decided)


def lobby_regions_oracle(capacity, zeal, share, wants, logged, change_logged):
    """Effort, each region's total, and the regions due to say why (agents/region.py).

    A region that lobbies at all says why again once its total effort has moved by
    ``change_logged`` of the total it last said why with (a region not yet logged: at once).
    """
    effort = pressure.effort_from_shares(capacity, share, zeal)
    total = capacity * zeal * wants
    due = (total > 0) & (np.abs(total - logged) >= change_logged * logged)
    return effort, total, np.flatnonzero(due)


def mobilise_unions_oracle(
    mobilisation, threat, nearness, strength, rise, decay, anticipation, decided_against,
    last_action,
):  # fmt: skip
    level = pressure.mobilisation_step(
        mobilisation, threat, nearness, strength, rise, decay, anticipation
    )
    action = pressure.union_actions(level, decided_against)
    return level, action, np.flatnonzero(action != last_action)


def votes_oracle(members, who, shock, uniform, lp):
    """Yes votes, abstentions, weightiest cues, and P(yes) and P(not no), of the voters ``who``.

    In numpy: ``member_cues``, ``weightiest_cue`` and ``ordered_votes``.
    """
    cues = legislature.member_cues(
        members["gain"], members["line"], members["discipline"], members["faction_line"],
        lp.regional_strength, lp.discipline_strength, lp.reciprocity,
    )[:, who]  # fmt: skip
    value, which = legislature.weightiest_cue(cues)
    utility = value + shock[members["bloc"][who]]
    yes, abstain = legislature.ordered_votes(utility, lp.vote_noise, lp.abstention_band, uniform)
    p_yes = legislature.yes_probability(utility - lp.abstention_band, lp.vote_noise)
    p_not_no = legislature.yes_probability(utility + lp.abstention_band, lp.vote_noise)
    return yes, abstain, which, p_yes, p_not_no


def votes_kernel(members, who, shock, uniform, lp):
    """``votes_by_weightiest_cue`` called as ``assembly.member_votes`` calls it."""
    return legislature.votes_by_weightiest_cue(
        members["gain"], members["line"], members["discipline"], members["faction_line"], who,
        members["bloc"], shock, uniform, lp.regional_strength, lp.discipline_strength,
        lp.reciprocity, lp.vote_noise, lp.abstention_band,
    )  # fmt: skip


def voter_sets(members) -> list[tuple[str, np.ndarray]]:
    """The masks the model votes with: the seated (floor, fast track), each committee."""
    committees = members["committees"]
    return [("floor", members["seated"])] + [
        (f"committee {c}", committees[:, c])
        for c in range(committees.shape[1])
        if committees[:, c].any()
    ]


def shift_oracle(position, salience, last_position, last_salience):
    return max(np.abs(position - last_position).max(),
               100 * np.abs(salience - last_salience).max())  # fmt: skip


def test_the_library_holds_the_cases_recorded_here():
    assert set(REQUIRED) <= set(available_scenarios())


# ---- each kernel against its oracle, on the recorded inputs ---------------------------------
@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_friedkin_johnsen_csr_matches_its_oracle(case, seed):
    for s in snapshots(case, seed):
        indptr, indices, weights, stance, lam, anchor = s["fj"]
        got = influence.friedkin_johnsen_csr(indptr, indices, weights, stance, lam, anchor)
        want = influence.friedkin_johnsen_step(stance, s["csr"], lam, anchor)
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=s["label"])


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_friedkin_johnsen_csr_is_scipys_csr_product_to_the_bit(case, seed):
    for s in snapshots(case, seed):
        indptr, indices, weights, stance, lam, anchor = s["fj"]
        got = influence.friedkin_johnsen_csr(indptr, indices, weights, stance, lam, anchor)
        want = influence.friedkin_johnsen_step(stance, s["csr"], lam, anchor)
        assert np.array_equal(got, want), s["label"]
        # With Lambda = I the step is the product W x itself (1 * p + 0 * u is p exactly).
        product = influence.friedkin_johnsen_csr(
            indptr, indices, weights, stance, np.ones_like(lam), anchor
        )
        assert np.array_equal(product, s["csr"] @ stance), s["label"]


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_deliberation_is_the_lawmakers_four_kernels_in_turn(case, seed):
    """Anchors, Friedkin-Johnsen, the regions' mean claims and the largest move, by oracles."""
    for s in snapshots(case, seed):
        indptr, indices, weights, stance, lam, anchor = s["fj"]
        base, pressed, union_pressure = s["pressed_anchor"]
        region, _, n_regions = s["group_means"][0]
        written = anchor.copy()
        written[:, 0] = -1.0  # the kernel writes this week's anchors for announcing itself
        after, zeal, mover, move = influence.deliberation(
            indptr, indices, weights, stance, lam, written, base, pressed, union_pressure,
            region, n_regions,
        )  # fmt: skip
        np.testing.assert_allclose(written[:, 0], np.clip(base - union_pressure * pressed, 0, 1),
                                   rtol=RTOL, atol=ATOL, err_msg=s["label"])  # fmt: skip
        want = influence.friedkin_johnsen_step(stance, s["csr"], lam, anchor)
        np.testing.assert_allclose(after, want, rtol=RTOL, atol=ATOL, err_msg=s["label"])
        np.testing.assert_allclose(zeal, group_means_oracle(region, want[:, 1], n_regions),
                                   rtol=RTOL, atol=ATOL, err_msg=s["label"])  # fmt: skip
        moves = want[:, 0] - stance[:, 0]
        assert mover == np.argmax(np.abs(moves)), s["label"]
        np.testing.assert_allclose(move, moves[mover], rtol=RTOL, atol=ATOL, err_msg=s["label"])


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_group_means_matches_its_oracle(case, seed):
    for s in snapshots(case, seed):
        for group, values, n_groups in s["group_means"]:
            got = influence.group_means(group, values, n_groups)
            want = group_means_oracle(group, values, n_groups)
            np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=s["label"])


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_bargaining_table_matches_the_group_means_and_saliences_it_concatenates(case, seed):
    for s in snapshots(case, seed):
        got = bargaining_table(*s["bargaining_table"])
        want = bargaining_table_oracle(*s["bargaining_table"])
        for g, w_ in zip(got, want, strict=True):
            np.testing.assert_allclose(g, w_, rtol=RTOL, atol=ATOL, err_msg=s["label"])


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_announce_anchor_base_matches_the_numpy_formula_it_replaced(case, seed):
    for s in snapshots(case, seed):
        got = influence.announce_anchor_base(*s["anchor_base"])
        want = announce_anchor_base_oracle(*s["anchor_base"])
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=s["label"])


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_redraw_matches_draft_allocation_for_the_undecided(case, seed):
    for s in snapshots(case, seed):
        fit, political, *rest = s["redraw"]
        # The model's C-ordered pressure, and the same in F order: the signature takes both.
        for layout in (political, np.asfortranarray(political)):
            args = (fit, layout, *rest)
            got = allocation.redraw(*args)
            assert got.dtype == np.int64
            np.testing.assert_array_equal(got, redraw_oracle(*args), err_msg=s["label"])


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_rebalance_draft_matches_rebalance(case, seed):
    for s in snapshots(case, seed):
        got = allocation.rebalance_draft(*s["rebalance"])
        want = allocation.rebalance(*s["rebalance"])
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=s["label"])


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_drafting_week_is_redraw_then_rebalance(case, seed):
    for s in snapshots(case, seed):
        penalty, _, receives, rate = s["rebalance"]
        draft, moved, new_penalty = allocation.drafting_week(*s["redraw"], s["draft"], rate)
        want = redraw_oracle(*s["redraw"])
        np.testing.assert_array_equal(draft, want, err_msg=s["label"])
        assert moved == np.count_nonzero(want != s["draft"]), s["label"]
        np.testing.assert_allclose(new_penalty, allocation.rebalance(penalty, want, receives, rate),
                                   rtol=RTOL, atol=ATOL, err_msg=s["label"])  # fmt: skip


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_stake_of_matches_regional_stake(case, seed):
    for s in snapshots(case, seed):
        for destination in (s["draft"], s["plan"]):
            args = (destination, s["staff"], s["receives"], s["origin"])
            got = allocation.stake_of(*args)
            want = allocation.regional_stake(*args)
            np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=s["label"])


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_threat_of_matches_union_threat(case, seed):
    for s in snapshots(case, seed):
        got = pressure.threat_of(s["defends"], s["draft"], s["staff"])
        want = pressure.union_threat(s["defends"], s["draft"] != STAY, s["staff"])
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=s["label"])


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_plan_of_matches_scoped_plan(case, seed):
    for s in snapshots(case, seed):
        open_ = s["decided"] == UNDECIDED
        # The model's own scope, and others on the same draft (the model's stays near 50).
        for scope in (s["scope"], 0.0, 0.1, 0.37, 0.5, 0.9, 1.0):
            got = allocation.plan_of(s["draft"], s["decided"], s["seen_fit"], scope)
            want = allocation.scoped_plan(s["draft"], open_, s["seen_fit"], scope)
            np.testing.assert_array_equal(got, want, err_msg=f"{s['label']}, scope {scope}")


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_credit_and_blame_of_matches_credit_and_blame(case, seed):
    for s in snapshots(case, seed):
        assert np.array_equal(s["bidders"], s["bids"].any(axis=0))
        for destination in (s["plan"], s["draft"]):
            got = allocation.credit_and_blame_of(
                destination, s["staff"], s["bids"], s["bidders"], s["voter_weight"], s["origin"]
            )
            want = allocation.credit_and_blame(
                destination, s["staff"], s["bids"], s["voter_weight"], s["origin"]
            )
            np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=s["label"])


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_weigh_plan_is_the_scoped_plan_and_its_credit_and_blame(case, seed):
    for s in snapshots(case, seed):
        open_ = s["decided"] == UNDECIDED
        for scope in (s["scope"], 0.0, 0.5, 1.0):
            plan, credit, blame = allocation.weigh_plan(
                s["draft"], s["decided"], s["seen_fit"], scope, s["staff"], s["bids"],
                s["bidders"], s["voter_weight"], s["origin"],
            )  # fmt: skip
            label = f"{s['label']}, scope {scope}"
            want = allocation.scoped_plan(s["draft"], open_, s["seen_fit"], scope)
            np.testing.assert_array_equal(plan, want, err_msg=label)
            want_g_b = allocation.credit_and_blame(
                want, s["staff"], s["bids"], s["voter_weight"], s["origin"]
            )
            np.testing.assert_allclose((credit, blame), want_g_b, rtol=RTOL, atol=ATOL,
                                       err_msg=label)  # fmt: skip


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_won_and_lost_matches_won_and_moved_and_origin_losses(case, seed):
    for s in snapshots(case, seed):
        n_regions = s["n_regions"]
        # The case's origins (one region for all, in every shipped case), and one origin per
        # institution drawn at random, which only the per-institution sums get right.
        scattered = np.random.default_rng(3).integers(0, n_regions, size=len(s["origin"]))
        for origin in (s["origin"], scattered):
            for destination in (s["draft"], s["plan"]):
                won, lost = allocation.won_and_lost(destination, s["staff"], origin, n_regions)
                want_won = allocation._won_and_moved(destination, s["staff"], n_regions)[0]
                want_lost = allocation.origin_losses(destination, s["staff"], origin, n_regions)
                np.testing.assert_allclose(won, want_won, rtol=RTOL, atol=ATOL,
                                           err_msg=s["label"])  # fmt: skip
                np.testing.assert_allclose(lost, want_lost, rtol=RTOL, atol=ATOL,
                                           err_msg=s["label"])  # fmt: skip


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_lobby_regions_matches_effort_from_shares_and_the_due_rule(case, seed):
    for s in snapshots(case, seed):
        effort, total, due = pressure.lobby_regions(*s["lobby"])
        want_effort, want_total, want_due = lobby_regions_oracle(*s["lobby"])
        np.testing.assert_allclose(effort, want_effort, rtol=RTOL, atol=ATOL, err_msg=s["label"])
        np.testing.assert_allclose(total, want_total, rtol=RTOL, atol=ATOL, err_msg=s["label"])
        assert due.dtype == np.int64
        np.testing.assert_array_equal(due, want_due, err_msg=s["label"])
        # each region's total is its effort's row sum (its shares sum to 1, or it wants nothing)
        np.testing.assert_allclose(total, effort.sum(axis=1), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_mobilise_unions_matches_mobilisation_step_and_union_actions(case, seed):
    for s in snapshots(case, seed):
        level, action, changed = pressure.mobilise_unions(*s["unions"])
        want_level, want_action, want_changed = mobilise_unions_oracle(*s["unions"])
        np.testing.assert_allclose(level, want_level, rtol=RTOL, atol=ATOL, err_msg=s["label"])
        np.testing.assert_array_equal(action, want_action, err_msg=s["label"])
        np.testing.assert_array_equal(changed, want_changed, err_msg=s["label"])
        # each union's action is the one ``union_action`` names for it
        decided_against = s["unions"][7]
        named = [pressure.union_action(float(x), bool(d))
                 for x, d in zip(level, decided_against, strict=True)]  # fmt: skip
        assert [pressure.UNION_ACTIONS[a] for a in action] == named, s["label"]


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_lobbying_week_is_lobby_regions_then_the_pressure_it_puts(case, seed):
    for s in snapshots(case, seed):
        _, ruling, access = s["pressure_reaching"]
        effort, total, due, political = pressure.lobbying_week(*s["lobby"], ruling, access)
        for got, want in zip((effort, total, due), pressure.lobby_regions(*s["lobby"]),
                             strict=True):  # fmt: skip
            np.testing.assert_array_equal(got, want, err_msg=s["label"])
        np.testing.assert_allclose(political, pressure.political_pressure(effort, ruling, access),
                                   rtol=RTOL, atol=ATOL, err_msg=s["label"])  # fmt: skip


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_pressure_reaching_matches_political_pressure(case, seed):
    for s in snapshots(case, seed):
        got = pressure.pressure_reaching(*s["pressure_reaching"])
        assert got.flags.c_contiguous
        want = pressure.political_pressure(*s["pressure_reaching"])
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=s["label"])


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_joint_pressure_matches_the_weighted_sum(case, seed):
    for s in snapshots(case, seed):
        for mobilisation, weight in s["joint"]:
            got = pressure.joint_pressure(mobilisation, weight)
            np.testing.assert_allclose(got, mobilisation @ weight, rtol=RTOL, atol=ATOL,
                                       err_msg=s["label"])  # fmt: skip


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_pressed_anchor_matches_the_clipped_difference(case, seed):
    for s in snapshots(case, seed):
        base, pressed, own = s["pressed_anchor"]
        # The week's own pressure, and stronger ones on the same members, down to the clip at 0.
        for union_pressure in (own, 0.3, 1.0, 4.0, 50.0):
            got = influence.pressed_anchor(base, pressed, union_pressure)
            want = np.clip(base - union_pressure * pressed, 0.0, 1.0)
            label = f"{s['label']}, pressure {union_pressure}"
            np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=label)


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_largest_move_matches_the_argmax_of_the_moves(case, seed):
    for s in snapshots(case, seed):
        after, before = s["moves"]
        mover, move = influence.largest_move(after, before)
        moves = after - before
        assert mover == np.argmax(np.abs(moves)), s["label"]
        np.testing.assert_allclose(move, moves[mover], rtol=RTOL, atol=ATOL, err_msg=s["label"])


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_strongest_pull_matches_strongest_influencer(case, seed):
    """The week's mover, as ``deliberate`` asks, and every other member on the same stances."""
    for s in snapshots(case, seed):
        after, before = s["moves"]
        mover, _ = influence.largest_move(after, before)
        for member in (mover, *range(len(before))):
            source, pull = influence.strongest_pull(member, before, *s["csr_arrays"])
            want_source, want_pull = influence.strongest_influencer(member, before, s["csr"])
            assert source == want_source, f"{s['label']}, member {member}"
            np.testing.assert_allclose(pull, want_pull, rtol=RTOL, atol=ATOL,
                                       err_msg=f"{s['label']}, member {member}")  # fmt: skip


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_votes_by_weightiest_cue_matches_the_numpy_vote(case, seed):
    """Every bill's member arrays, on the floor and in each committee, with the model's draws.

    The shock and uniforms are drawn as ``assembly.member_votes`` draws them; uniforms placed
    just below and just above each voter's numpy probabilities then check the kernel's own
    P(yes) and P(not no) to 1e-9 relative.
    """
    for k, s in enumerate(snapshots(case, seed)):
        # the model's parameters, a band in which voters abstain (0 by default) in every other
        # week, and in every third no reciprocity, under which a faction leader decides more
        lp = dataclasses.replace(
            s["legislature"],
            abstention_band=0.0 if k % 2 else 0.7,
            reciprocity=0.0 if k % 3 == 0 else s["legislature"].reciprocity,
        )
        for name, members in s["votes"]:
            for where, voters in voter_sets(members):
                label = f"{s['label']}, {name}, {where}"
                bloc = members["bloc"]
                who = np.flatnonzero(voters)
                rng = np.random.default_rng(k)
                shock = lp.caucus_noise * rng.standard_normal(int(bloc.max()) + 1)
                uniform = rng.random(len(who))
                got = votes_kernel(members, who, shock, uniform, lp)
                *want, p_yes, p_not_no = votes_oracle(members, who, shock, uniform, lp)
                for got_k, want_k in zip(got, want, strict=True):
                    np.testing.assert_array_equal(got_k, want_k, err_msg=label)
                # the model's own call draws the same shock and uniforms from the same seed
                model = assembly.member_votes(members, voters, np.random.default_rng(k), lp)
                for model_k, got_k in zip(model, got, strict=True):
                    np.testing.assert_array_equal(model_k, got_k, err_msg=label)
                # P(yes) to 1e-9 relative: yes just below the numpy P(yes), not yes just above
                below, above = p_yes * (1 - RTOL), p_yes * (1 + RTOL)
                yes_below = votes_kernel(members, who, shock, below, lp)[0]
                yes_above = votes_kernel(members, who, shock, above, lp)[0]
                np.testing.assert_array_equal(yes_below, below < p_yes, err_msg=label)
                assert not yes_above.any(), label
                # P(not no) likewise: no "no" just below it, nothing but "no" just above it
                below, above = p_not_no * (1 - RTOL), p_not_no * (1 + RTOL)
                yes_b, abstain_b, _ = votes_kernel(members, who, shock, below, lp)
                yes_a, abstain_a, _ = votes_kernel(members, who, shock, above, lp)
                assert (yes_b | abstain_b)[below < p_not_no].all(), label
                assert not (yes_a | abstain_a).any(), label


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_looming_election_matches_election_proximity_and_the_argmax(case, seed):
    for s in snapshots(case, seed):
        election_week, weight, now, scale = s["clock"]
        g, looming = timing.looming_election(election_week, weight, now, scale)
        weeks = election_week - now
        np.testing.assert_allclose(g, timing.election_proximity(weeks, weight, scale),
                                   rtol=RTOL, atol=ATOL, err_msg=s["label"])  # fmt: skip
        assert looming == np.argmax(timing.election_closeness(weeks, weight, scale)), s["label"]


@pytest.mark.parametrize(("case", "seed"), RUNS, ids=RUN_IDS)
def test_largest_shift_matches_the_largest_change_of_the_table(case, seed):
    """Between recorded weeks of the run, and against the model's own last agreement."""
    taken = snapshots(case, seed)
    pairs = [(s["table"], t["table"], f"{t['label']} -> {s['label']}")
             for t, s in itertools.pairwise(taken)]  # fmt: skip
    pairs += [(s["table"], s["last_bargained"], f"{s['label']}, last bargained")
              for s in taken if s["last_bargained"] is not None]  # fmt: skip
    assert pairs
    for (position, salience), (last_position, last_salience), label in pairs:
        assert position.shape == last_position.shape and salience.shape == last_salience.shape
        got = largest_shift(position, salience, last_position, last_salience)
        want = shift_oracle(position, salience, last_position, last_salience)
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL, err_msg=label)
        # and the other way round: a shift is symmetric
        back = largest_shift(last_position, last_salience, position, salience)
        np.testing.assert_allclose(back, want, rtol=RTOL, atol=ATOL, err_msg=label)


def test_the_recorded_arguments_are_the_models_own():
    """Called on the recorded arguments, the kernels give back the model's own results."""
    for s in all_snapshots():
        stake = allocation.stake_of(s["draft"], s["staff"], s["receives"], s["origin"])
        assert np.array_equal(stake, s["model_stake"]), s["label"]
        threat = pressure.threat_of(s["defends"], s["draft"], s["staff"])
        assert np.array_equal(threat, s["model_threat"]), s["label"]
        base = influence.announce_anchor_base(*s["anchor_base"])
        assert np.array_equal(base, s["model_anchor_base"]), s["label"]
        political = pressure.pressure_reaching(*s["pressure_reaching"])
        assert np.array_equal(political, s["model_political"]), s["label"]
        union_pressure = pressure.joint_pressure(*s["joint"][0])
        assert union_pressure == s["model_union_pressure"], s["label"]
        position, salience = bargaining_table(*s["bargaining_table"])
        assert np.array_equal(position, s["table"][0]), s["label"]
        assert np.array_equal(salience, s["table"][1]), s["label"]
        anchor = influence.pressed_anchor(*s["pressed_anchor"])
        assert np.array_equal(anchor, s["fj"][5][:, 0]), s["label"]  # announce_anchor's


def test_the_recorded_arguments_give_the_models_next_week():
    """One week's recorded arguments give what the model computed the week after.

    The regions' effort and the totals they said why with, the unions' mobilisation and
    actions, and the stances ``largest_move`` compares: the recording builds each call as the
    model's next step does.
    """
    pairs = consecutive_weeks()
    assert len(pairs) >= 2 * len(RUNS)  # week 0 and 1, mid-run and the week after
    for s, t in pairs:
        label = f"{s['label']} -> week {t['week']}"
        effort, total, due = pressure.lobby_regions(*s["lobby"])
        assert np.array_equal(effort, t["pressure_reaching"][0]), label
        logged = s["lobby"][4].copy()
        logged[due] = total[due]  # each region due says why with its new total
        assert np.array_equal(logged, t["lobby"][4]), label
        level, action, _ = pressure.mobilise_unions(*s["unions"])
        assert np.array_equal(level, t["unions"][0]), label
        assert np.array_equal(action, t["unions"][8]), label
        after, _ = s["moves"]
        assert np.array_equal(after, t["fj"][3][:, 0]), label


def test_the_recorded_inputs_cover_what_the_kernels_branch_on():
    taken = all_snapshots()
    decided = [(s["decided"] != UNDECIDED).mean() for s in taken]
    assert 0 in decided and 1 in decided and any(0 < d < 1 for d in decided)
    assert any((allocation.redraw(*s["redraw"]) >= 0).any() for s in taken)  # some moves
    # weeks whose redraw changes the draft and weeks whose redraw keeps it
    moved = {allocation.drafting_week(*s["redraw"], s["draft"], s["rebalance"][3])[1] > 0
             for s in taken}  # fmt: skip
    assert moved == {False, True}
    assert any((s["draft"] == STAY).any() and (s["draft"] >= 0).any() for s in taken)
    assert any((s["anchor_base"][5] >= 0).any() for s in taken)  # factions
    assert any((s["anchor_base"][2] < 0).any() for s in taken)  # members without a region
    assert any(s["anchor_base"][7].any() for s in taken)  # leaders
    # groups without members (their mean is 0): since every case's regions hold seats, these are
    # the parties without a leader among the leaderships
    assert any(len(np.unique(g[g >= 0])) < n for s in taken for g, _, n in s["group_means"])
    assert any(len(s["defends"]) == 0 for s in taken)  # a case without unions
    assert any((pressure.threat_of(s["defends"], s["draft"], s["staff"]) > 0).any()
               for s in taken)  # fmt: skip
    # the model's pressure is C-ordered; its F-order copy (the redraw test's other layout) not
    assert all(s["redraw"][1].flags.c_contiguous for s in taken)
    assert any(not np.asfortranarray(s["redraw"][1]).flags.c_contiguous for s in taken)
    assert any(0 < s["scope"] < 1 for s in taken)
    # regions: some due to say why and others not, in a week after the first; some want nothing
    lobbies = [(s, *pressure.lobby_regions(*s["lobby"])) for s in taken]
    assert any(s["week"] > 0 and 0 < len(due) < (total > 0).sum() for s, _, total, due in lobbies)
    assert any((s["lobby"][3] == 0).any() for s in taken)
    # unions: rising and falling, every action of the ladder, some changing their action
    turns = [(s["unions"], *pressure.mobilise_unions(*s["unions"])) for s in taken]
    assert any((level > args[0]).any() for args, level, _, _ in turns)
    assert any((level < args[0]).any() for args, level, _, _ in turns)
    actions = set().union(*(action.tolist() for _, _, action, _ in turns))
    assert actions == set(range(len(pressure.UNION_ACTIONS)))
    assert any(len(changed) for *_, changed in turns)
    # the unions' pressure moves some anchors; some stances move, pulled by another member
    assert any(s["pressed_anchor"][2] > 0 and s["pressed_anchor"][1].any() for s in taken)
    moves = [(s, *influence.largest_move(*s["moves"])) for s in taken]
    assert any(move != 0 for _, _, move in moves)
    assert any(influence.strongest_pull(mover, s["moves"][1], *s["csr_arrays"])[0] != mover
               for s, mover, _ in moves)  # fmt: skip
    # votes: each cue weighs most for someone, all three votes, tabled bills beside the HQ Acts
    cues, votes = set(), set()
    for s in taken:
        for _, members in s["votes"]:
            for _, voters in voter_sets(members):
                who = np.flatnonzero(voters)
                half = np.full(len(who), 0.5)
                shock = np.zeros(int(members["bloc"].max()) + 1)
                # a band (0 by default), with the model's reciprocity and without it (as the
                # match test above votes)
                for reciprocity in (s["legislature"].reciprocity, 0.0):
                    lp = dataclasses.replace(
                        s["legislature"], abstention_band=0.5, reciprocity=reciprocity
                    )
                    yes, abstain, which = votes_kernel(members, who, shock, half, lp)
                    cues |= set(which.tolist())
                    votes |= set(np.where(yes, "yes", np.where(abstain, "abstain", "no")))
    assert cues == set(range(len(legislature.CUES))) and votes == {"yes", "abstain", "no"}
    assert any(not name.endswith(" Act") for s in taken for name, _ in s["votes"])
    # the clock: elections past and ahead; the table: shifts since the last agreement
    tau = [s["clock"][0] - s["clock"][2] for s in taken]
    assert any((t < 0).any() and (t >= 0).any() for t in tau)
    assert any(s["last_bargained"] is not None
               and largest_shift(*s["table"], *s["last_bargained"]) > 0 for s in taken)  # fmt: skip


# ---- hand-built examples and edge cases ------------------------------------------------------
def test_announce_anchor_base_on_a_hand_built_example():
    stake = np.array([0.25, -0.5, 1.0])
    receives = np.array([True, False, True])  # a member without a region: mean 0.625
    pledge, faction_stance = np.array([0.8, 0.6]), np.array([0.2])
    member_region = np.array([0, 1, -1, 1, 0])
    member_party = np.array([0, 1, 0, 1, 0])
    faction = np.array([-1, 0, -1, 0, -1])
    leader = np.array([False, False, False, True, True])
    base = influence.announce_anchor_base(
        stake, receives, member_region, pledge, member_party, faction, faction_stance, leader,
        0.5,
    )  # fmt: skip
    # 0.5 clip(0.5 + regional) + 0.5 own; own is the faction's stance for a faction's member;
    # a leader has own alone (a faction's leader: the faction's stance).
    expected = [0.5 * 0.75 + 0.5 * 0.8, 0.5 * 0.0 + 0.5 * 0.2, 0.5 * 1.0 + 0.5 * 0.8, 0.2, 0.8]
    np.testing.assert_allclose(base, expected, rtol=1e-15)


def test_announce_anchor_base_for_leaders_in_a_faction():
    """No shipped case has a party leader in a faction: kr_capital_act_2003's, made so."""
    for s in snapshots("kr_capital_act_2003", 0):
        args = list(s["anchor_base"])
        faction, leader = args[5], args[7].copy()
        assert (faction >= 0).any() and not (leader & (faction >= 0)).any()
        leader[faction >= 0] = True
        args[7] = leader
        got = influence.announce_anchor_base(*args)
        np.testing.assert_allclose(got, announce_anchor_base_oracle(*args), rtol=RTOL,
                                   atol=ATOL, err_msg=s["label"])  # fmt: skip
        faction_stance = args[6]
        in_faction = faction >= 0
        assert np.array_equal(got[in_faction], faction_stance[faction[in_faction]])


def test_group_means_are_exact_on_a_hand_built_example():
    group = np.array([0, 2, 0, -1, 2, 2, 4])
    values = np.array([1.0, 2.0, 3.0, 100.0, 4.0, 9.0, 0.5])
    # group 1 and group 3 have no members; -1 (the 100) counts in no group
    means = influence.group_means(group, values, 5)
    assert means.tolist() == [2.0, 0.0, 5.0, 0.0, 0.5]


def test_bargaining_table_on_a_hand_built_table():
    # Members 0-1 in region 0, 2-3 in region 1; members 1 (party 0) and 3 (party 2) lead.
    support = np.array([0.2, 0.4, 0.6, 1.0])
    region, leader_party = np.array([0, 0, 1, 1]), np.array([-1, 0, -1, 2])
    stake, party_salience = np.array([0.0, -1.0]), np.array([0.5, 0.6])
    ministries, ministry_salience = np.array([45.0, 70.0]), np.array([0.8, 0.4])
    mobilisation = np.array([0.1, 0.0])
    position, salience = bargaining_table(
        support, region, stake, leader_party, 3, np.array([0, 2]), party_salience,
        ministries, ministry_salience, mobilisation,
    )  # fmt: skip
    np.testing.assert_allclose(position, [30.0, 80.0, 40.0, 100.0, 45.0, 70.0, 0.0, 0.0])
    np.testing.assert_allclose(salience, [0.3, 1.0, 0.5, 0.6, 0.8, 0.4, 0.1, 0.0])


def test_a_region_without_members_has_mean_zero():
    s = snapshots("season2_2020", 0)[-1]
    member_region, claims, n_regions = s["group_means"][0]
    emptied = member_region.copy()
    emptied[emptied == 2] = -1  # region 2 loses its members
    means = influence.group_means(emptied, claims, n_regions)
    assert means[2] == 0.0
    np.testing.assert_allclose(means, group_means_oracle(emptied, claims, n_regions), rtol=RTOL)


def test_friedkin_johnsen_csr_refuses_three_stances():
    indptr, indices, weights, stance, lam, _ = snapshots("season2_2020", 0)[0]["fj"]
    three = np.column_stack([stance, stance[:, 0]])
    with pytest.raises(ValueError, match="two stances"):
        influence.friedkin_johnsen_csr(indptr, indices, weights, three, lam, three)


def test_redraw_with_no_receiving_region_keeps_everything_in_place():
    s = first_decided("kdb_2023")
    fit, political, w, penalty, threshold, receives, taste, decided = s["redraw"]
    nowhere = np.zeros_like(receives)
    undecided = np.full_like(decided, UNDECIDED)
    got = allocation.redraw(fit, political, w, penalty, threshold, nowhere, taste, undecided)
    assert (got == STAY).all()
    assert (redraw_oracle(fit, political, w, penalty, threshold, nowhere, taste, undecided)
            == STAY).all()  # fmt: skip


def test_redraw_with_everything_decided_returns_the_decisions():
    s = first_decided("kdb_2023")  # the first decision's week: a real plan
    fit, political, w, penalty, threshold, receives, taste, _ = s["redraw"]
    decided = s["plan"].copy()
    decided[::3] = STAY  # decisions the draft itself would not make
    assert (decided != UNDECIDED).all()
    got = allocation.redraw(fit, political, w, penalty, threshold, receives, taste, decided)
    np.testing.assert_array_equal(got, decided)


def test_plan_of_scope_zero_and_one_on_a_hand_built_plan():
    draft = np.array([2, STAY, 0, 1, 3])
    decided = np.array([UNDECIDED, UNDECIDED, 0, UNDECIDED, UNDECIDED])
    fit = np.array([
        [0.0, 0.0, 0.9, 0.0],  # institution 0 -> region 2 fits 0.9
        [0.5, 0.5, 0.5, 0.5],
        [0.1, 0.0, 0.0, 0.0],
        [0.0, 0.2, 0.0, 0.0],  # institution 3 -> region 1 fits 0.2
        [0.0, 0.0, 0.0, 0.6],  # institution 4 -> region 3 fits 0.6
    ])  # fmt: skip
    # Scope 0 announces none of the open moves; the decided institution keeps its entry.
    assert allocation.plan_of(draft, decided, fit, 0.0).tolist() == [STAY, STAY, 0, STAY, STAY]
    # Scope 1 announces the whole draft.
    assert allocation.plan_of(draft, decided, fit, 1.0).tolist() == draft.tolist()
    # Scope 0.5 of 3 open moves keeps ceil(1.5) = 2, the better fitting: institutions 0 and 4.
    assert allocation.plan_of(draft, decided, fit, 0.5).tolist() == [2, STAY, 0, STAY, 3]


def test_plan_of_scope_zero_and_one_on_a_real_draft():
    def part_decided(s):  # the flagship decided, moves of the rest open
        open_ = s["decided"] == UNDECIDED
        return open_.any() and not open_.all() and (s["draft"][open_] >= 0).any()

    s = next(s for s in all_snapshots() if part_decided(s))
    draft, decided, fit = s["draft"], s["decided"], s["seen_fit"]
    open_ = decided == UNDECIDED
    none = allocation.plan_of(draft, decided, fit, 0.0)
    np.testing.assert_array_equal(none, np.where(open_, STAY, draft))
    np.testing.assert_array_equal(allocation.plan_of(draft, decided, fit, 1.0), draft)


def test_a_union_defending_nothing_feels_no_threat():
    defends = np.array([[True, False, True], [False, False, False]])
    draft = np.array([0, STAY, STAY])
    staff = np.array([10.0, 20.0, 30.0])
    assert pressure.threat_of(defends, draft, staff).tolist() == [0.25, 0.0]


def test_a_union_defending_nothing_feels_no_threat_beside_real_unions():
    s = snapshots("season2_2020", 5)[-1]
    defends = np.vstack([s["defends"], np.zeros(len(s["staff"]), dtype=bool)])
    threat = pressure.threat_of(defends, s["draft"], s["staff"])
    assert threat[-1] == 0.0
    np.testing.assert_array_equal(threat[:-1], pressure.threat_of(s["defends"], s["draft"],
                                                                   s["staff"]))  # fmt: skip


def test_lobby_regions_due_rule_on_a_hand_built_example():
    """Exact binary totals at and beside the 25% boundary of the due rule."""
    capacity = np.array([1.25, 1.125, 0.75, 2.0, 3.0, 0.5])
    zeal = np.array([1.0, 1.0, 1.0, 0.0, 1.0, 1.0])  # region 3's lawmakers have no zeal
    wants = np.array([1.0, 1.0, 1.0, 1.0, 0.0, 1.0])  # region 4 wants nothing
    share = np.array([[0.5, 0.5], [1.0, 0.0], [0.25, 0.75], [1.0, 0.0], [0.0, 0.0], [0.0, 1.0]])
    logged = np.array([1.0, 1.0, 1.0, 1.0, 0.0, 0.0])  # region 5 has not said why yet
    effort, total, due = pressure.lobby_regions(capacity, zeal, share, wants, logged, 0.25)
    # +25% and -25% are due, +12.5% is not; no effort is never due; a first effort always is
    assert due.tolist() == [0, 2, 5]
    assert total.tolist() == [1.25, 1.125, 0.75, 0.0, 0.0, 0.5]
    want_effort, want_total, want_due = lobby_regions_oracle(
        capacity, zeal, share, wants, logged, 0.25
    )
    np.testing.assert_array_equal(effort, want_effort)
    np.testing.assert_array_equal(total, want_total)
    np.testing.assert_array_equal(due, want_due)


def test_mobilise_unions_at_the_thresholds_of_the_ladder():
    """Without adjustment (rates 0) the level is the mobilisation itself, on each threshold."""
    mobilisation = np.array([0.0, 0.0, 0.0499, 0.05, 0.2, 0.3999, 0.4, 0.4, 1.0])
    decided_against = np.array([False, True, False, False, False, False, False, True, True])
    last = np.array([0, 0, 1, 1, 2, 2, 2, 4, 3])
    n = len(mobilisation)
    args = (mobilisation, np.ones(n), 1.0, np.ones(n), 0.0, 0.0, 1.0, decided_against, last)
    level, action, changed = pressure.mobilise_unions(*args)
    np.testing.assert_array_equal(level, mobilisation)
    # a mobilised union facing a decision sues; one that is not mobilised does nothing
    assert action.tolist() == [0, 0, 0, 1, 2, 2, 3, 4, 4]
    assert changed.tolist() == [2, 6, 8]
    want_level, want_action, want_changed = mobilise_unions_oracle(*args)
    np.testing.assert_array_equal(level, want_level)
    np.testing.assert_array_equal(action, want_action)
    np.testing.assert_array_equal(changed, want_changed)


def test_mobilise_unions_rises_and_decays_at_their_own_rates():
    mobilisation = np.array([0.5, 0.5, 0.5])
    threat = np.array([1.0, 0.0, 0.25])  # target 1 (capped), 0, and 0.5 (no move)
    strength = np.ones(3)
    no_decision = np.zeros(3, dtype=bool)
    args = (mobilisation, threat, 1.0, strength, 0.5, 0.25, 2.0, no_decision, np.zeros(3, int))
    level, action, changed = pressure.mobilise_unions(*args)
    assert level.tolist() == [0.75, 0.375, 0.5]
    assert action.tolist() == [3, 2, 3] and changed.tolist() == [0, 1, 2]
    np.testing.assert_array_equal(level, mobilise_unions_oracle(*args)[0])


def test_a_case_without_unions_has_no_joint_pressure():
    nothing = np.zeros(0)
    assert pressure.joint_pressure(nothing, nothing) == 0.0 == nothing @ nothing


def test_largest_move_takes_the_first_of_equal_moves():
    before = np.zeros(4)
    assert influence.largest_move(before, before) == (0, 0.0)  # nobody moved
    after = np.array([0.25, -0.5, 0.5, 0.125])
    assert influence.largest_move(after, before) == (1, -0.5)
    assert np.argmax(np.abs(after - before)) == 1


def test_strongest_pull_on_a_hand_built_influence_matrix():
    from scipy import sparse

    weights = np.array([
        [0.5, 0.25, 0.25, 0.0],  # pulls of 1 and 2 equal in size, opposite in sign
        [0.0, 1.0, 0.0, 0.0],  # no ties: only herself
        [0.5, 0.0, 0.0, 0.5],
        [0.0, 0.0, 0.0, 1.0],
    ])  # fmt: skip
    stance = np.array([0.5, 0.75, 0.25, 1.0])
    csr = sparse.csr_array(weights)
    arrays = influence.csr_arrays(csr)
    expected = {0: (1, 0.0625), 1: (1, 0.0), 2: (3, 0.375), 3: (3, 0.0)}
    for member, want in expected.items():
        assert influence.strongest_pull(member, stance, *arrays) == want
        assert influence.strongest_influencer(member, stance, csr) == want


def test_votes_by_weightiest_cue_breaks_ties_towards_the_earlier_cue():
    gain = np.array([1.0, 0.5, 0.0, -0.25])
    line = np.array([1.0, 1.0, 0.0, 1.0])
    discipline = np.ones(4)
    faction_line = np.array([-1.0, -1.0, 0.0, 0.0])
    who = np.arange(4)
    bloc = np.array([0, 0, 1, 1])
    shock, uniform = np.zeros(2), np.full(4, 0.5)
    yes, abstain, which = legislature.votes_by_weightiest_cue(
        gain, line, discipline, faction_line, who, bloc, shock, uniform, 1.0, 1.0, 0.0, 1.0, 0.0
    )
    assert not abstain.any()  # no band: nobody abstains
    # all three cues tie: the constituency; whip and faction tie: the whip; no cue at all: the
    # constituency's 0, a coin toss (p = 1/2, not below the uniform's 1/2)
    assert which.tolist() == [0, 1, 0, 1]
    assert yes.tolist() == [True, True, False, True]
    # reciprocity 1 ties the first member's three cues and the last one's whip, which win; it
    # decides for the member with no other cue, who now votes yes (p = 0.73)
    yes, _, which = legislature.votes_by_weightiest_cue(
        gain, line, discipline, faction_line, who, bloc, shock, uniform, 1.0, 1.0, 1.0, 1.0, 0.0
    )
    assert [legislature.CUES[k] for k in which] == ["constituency", "whip", "reciprocity", "whip"]
    assert yes.tolist() == [True, True, True, True]
    members = {"gain": gain, "line": line, "discipline": discipline,
               "faction_line": faction_line, "bloc": bloc}  # fmt: skip
    lp = dataclasses.replace(
        sim.load_scenario("season2_2020").parameters.legislature,
        regional_strength=1.0, discipline_strength=1.0, reciprocity=1.0, vote_noise=1.0,
        abstention_band=0.0,
    )  # fmt: skip
    want_yes, _, want_which, _, _ = votes_oracle(members, who, shock, uniform, lp)
    np.testing.assert_array_equal(yes, want_yes)
    np.testing.assert_array_equal(which, want_which)


def recognition_weights() -> list[tuple[str, np.ndarray]]:
    """The model's recognition weights of each committee (first and last recorded week of
    each required case), and hand-built ones: equal, skewed, with zeros, a single member."""
    taken = []
    for case in REQUIRED:
        for s in (snapshots(case, 0)[0], snapshots(case, 0)[-1]):
            members = s["votes"][-1][1]
            for where, on in voter_sets(members)[1:]:
                taken.append((f"{s['label']}, {where}", members["recognition"][on]))
    return [
        *taken,
        ("equal", np.ones(7)),
        ("skewed", np.array([1e-6, 1.0, 1e6, 3.0])),
        ("zeros", np.array([0.0, 2.0, 0.0, 1.0, 0.0])),
        ("one member", np.array([3.0])),
    ]


def test_recognise_draws_as_rng_choice_does():
    """The same seed recognises the same member as ``rng.choice`` with the probabilities."""
    weights = recognition_weights()
    assert any(len(np.unique(w)) > 1 for name, w in weights[:-4])  # leaders weigh more
    for k, (name, w) in enumerate(weights):
        ours, numpy_s = np.random.default_rng(k), np.random.default_rng(k)
        p = legislature.recognition_probabilities(w)
        got = [legislature.recognise(ours, w) for _ in range(300)]
        want = [int(numpy_s.choice(len(w), p=p)) for _ in range(300)]
        assert got == want, name
        assert ours.random() == numpy_s.random(), name  # one uniform a draw, as rng.choice
        assert all(w[i] > 0 for i in got), name


def test_first_past_matches_the_search_of_numpys_choice():
    """Uniforms at random and 1e-9 relative either side of each step of numpy's cdf."""
    rng = np.random.default_rng(14)
    for name, w in recognition_weights():
        cdf = legislature.recognition_probabilities(w).cumsum()
        cdf /= cdf[-1]  # as Generator.choice with p
        steps = cdf[:-1][cdf[:-1] > 0]
        uniforms = np.concatenate([rng.random(200), [0.0], steps * (1 - RTOL), steps * (1 + RTOL)])
        got = [legislature.first_past(w, u) for u in uniforms]
        assert got == cdf.searchsorted(uniforms, side="right").tolist(), name


def test_first_past_refuses_weights_without_a_positive_sum():
    for w in (np.array([1.0, -0.5, 2.0]), np.zeros(3)):
        with pytest.raises(ValueError, match="non-negative with a positive sum"):
            legislature.recognition_probabilities(w)
        with pytest.raises(ValueError, match="non-negative with a positive sum"):
            legislature.first_past(w, 0.5)


def test_looming_election_on_the_clocks_of_hand_built_cases():
    scale = 26.0
    cases = {
        "no election ahead": ([-3.0, -1.0], [1.0, 1.0], (0.0, 0)),
        "no election at all": ([], [], (0.0, 0)),
        "ties: the first of equals": ([-2.0, 10.0, 10.0], [1.0, 0.5, 0.5],
                                      (0.5 * np.exp(-10.0 / scale), 1)),
        "weights of 0": ([3.0, 8.0], [0.0, 0.0], (0.0, 0)),
        "a weight of 0 first": ([3.0, 8.0], [0.0, 0.4], (0.4 * np.exp(-8.0 / scale), 1)),
        "polling day": ([-1.0, 0.0, 5.0], [1.0, 0.75, 0.5], (0.75, 1)),
        "far beyond the scale": ([1e6], [1.0], (0.0, 0)),
    }  # fmt: skip
    for name, (weeks, weight, (want_g, want_looming)) in cases.items():
        weeks, weight = np.array(weeks, float), np.array(weight, float)
        g, looming = timing.looming_election(weeks + 7.0, weight, 7.0, scale)  # at week 7
        assert looming == want_looming, name
        np.testing.assert_allclose(g, want_g, rtol=RTOL, atol=0.0, err_msg=name)
        np.testing.assert_allclose(g, timing.election_proximity(weeks, weight, scale),
                                   rtol=RTOL, atol=0.0, err_msg=name)  # fmt: skip
        if len(weeks):
            assert looming == np.argmax(timing.election_closeness(weeks, weight, scale)), name


def test_largest_shift_on_a_hand_built_table():
    position, salience = np.array([50.0, 20.0, 0.0]), np.array([0.5, 0.25, 0.0])
    assert largest_shift(position, salience, position, salience) == 0.0
    # a position moves 3 points; a salience moves 0.0625, which is 6.25 points
    moved_position = position + np.array([0.0, -3.0, 0.0])
    moved_salience = salience + np.array([0.0, 0.0, 0.0625])
    assert largest_shift(moved_position, salience, position, salience) == 3.0
    assert largest_shift(position, moved_salience, position, salience) == 6.25
    assert largest_shift(moved_position, moved_salience, position, salience) == 6.25
    assert shift_oracle(moved_position, moved_salience, position, salience) == 6.25


# ---- types: another type is an error, not a new compilation -----------------------------------
def _refusals():
    s = snapshots("season2_2020", 0)[1]
    indptr, indices, weights, stance, lam, anchor = s["fj"]
    group, values, n = s["group_means"][1]
    csr = s["csr"]
    fit, political, w, penalty, threshold, receives, taste, decided = s["redraw"]
    capacity, *lobby = s["lobby"]
    *unions, last_action = s["unions"]
    before = s["moves"][1]
    members = s["votes"][-1][1]
    who = np.flatnonzero(members["seated"])
    shock = np.zeros(int(members["bloc"].max()) + 1)
    lp = s["legislature"]
    return {
        "group_means int32 groups": (influence.group_means,
                                     (group.astype(np.int32), values, n)),
        "group_means float32 values": (influence.group_means,
                                       (group, values.astype(np.float32), n)),
        "friedkin_johnsen_csr scipy's int32 indices": (
            influence.friedkin_johnsen_csr,
            (csr.indptr.astype(np.int32), csr.indices.astype(np.int32), csr.data, stance, lam,
             anchor)),
        "friedkin_johnsen_csr float32 stance": (
            influence.friedkin_johnsen_csr,
            (indptr, indices, weights, stance.astype(np.float32), lam, anchor)),
        "redraw int32 decisions": (
            allocation.redraw,
            (fit, political, w, penalty, threshold, receives, taste, decided.astype(np.int32))),
        "threat_of float32 staff": (
            pressure.threat_of, (s["defends"], s["draft"], s["staff"].astype(np.float32))),
        "lobby_regions float32 capacity": (
            pressure.lobby_regions, (capacity.astype(np.float32), *lobby)),
        "mobilise_unions int32 last actions": (
            pressure.mobilise_unions, (*unions, last_action.astype(np.int32))),
        "strongest_pull scipy's int32 indices": (
            influence.strongest_pull,
            (0, before, csr.indptr.astype(np.int32), csr.indices.astype(np.int32), csr.data)),
        "votes_by_weightiest_cue int32 voters": (
            legislature.votes_by_weightiest_cue,
            (members["gain"], members["line"], members["discipline"], members["faction_line"],
             who.astype(np.int32), members["bloc"], shock, np.full(len(who), 0.5),
             lp.regional_strength, lp.discipline_strength, lp.reciprocity, lp.vote_noise,
             lp.abstention_band)),
        "first_past float32 weights": (
            legislature.first_past, (members["recognition"].astype(np.float32), 0.5)),
    }  # fmt: skip


@pytest.mark.parametrize(
    "which",
    [
        "group_means int32 groups",
        "group_means float32 values",
        "friedkin_johnsen_csr scipy's int32 indices",
        "friedkin_johnsen_csr float32 stance",
        "redraw int32 decisions",
        "threat_of float32 staff",
        "lobby_regions float32 capacity",
        "mobilise_unions int32 last actions",
        "strongest_pull scipy's int32 indices",
        "votes_by_weightiest_cue int32 voters",
        "first_past float32 weights",
    ],
)
def test_a_kernel_refuses_another_type(which):
    func, args = _refusals()[which]
    assert len(func.signatures) == 1
    with pytest.raises(TypeError):
        func(*args)
    assert len(func.signatures) == 1  # nothing compiled for the other type


# ---- the compile notice ------------------------------------------------------------------------
TINY_MODULE = """
from sim.kernels import kernel


@kernel("float64(float64)")
def twice(x):
    return 2.0 * x


@kernel("int64(int64)")
def thrice(x):
    return 3 * x
"""
NOTICE = "compiling kernels, once"


def test_the_first_import_says_it_compiles_once_and_the_next_import_loads_the_cache(tmp_path):
    """Two kernels in a module of their own: a fresh cache beside it, the project's untouched."""
    folder = tmp_path / "mods"
    folder.mkdir()
    (folder / "tiny_kernels.py").write_text(TINY_MODULE)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)])}
    env.pop("NUMBA_CACHE_DIR", None)  # numba's in-tree cache, beside the module, as for sim/
    code = "import tiny_kernels as t; print(t.twice(21.0), t.thrice(14))"

    def run():
        return subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True,
            timeout=300, check=True, cwd=tmp_path,
        )  # fmt: skip

    first, second = run(), run()
    assert first.stdout.split() == second.stdout.split() == ["42.0", "42"]
    assert first.stderr.count(NOTICE) == 1, first.stderr  # once for both kernels
    assert NOTICE not in second.stderr, second.stderr
    assert len(list((folder / "__pycache__").glob("tiny_kernels.*.nbi"))) == 2
