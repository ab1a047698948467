import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.allocation import (
    STAY,
    bureaucratic_fit,
    credit_and_blame,
    draft_allocation,
    draft_load,
    logit_shares,
    normalise_rows,
    origin_losses,
    rebalance,
    rebalance_load,
    regional_stake,
    scoped_plan,
    staff_won,
)
from sim.pressure import (
    effort_from_shares,
    intent_shares,
    lobbying_effort,
    mobilisation_step,
    union_threat,
)


@given(st.integers(0, 10_000), st.floats(0, 1), st.floats(0, 1))
@settings(max_examples=50, deadline=None)
def test_one_destination_per_institution(seed, fit_weight, threshold):
    rng = np.random.default_rng(seed)
    n_inst, n_reg = 40, 8
    receives = rng.random(n_reg) < 0.8
    receives[0] = True
    dest = draft_allocation(
        rng.random((n_inst, n_reg)),
        rng.random((n_inst, n_reg)),
        fit_weight,
        rng.random(n_reg) * 0.2,
        threshold,
        receives,
    )
    assert dest.shape == (n_inst,)
    moving = dest != STAY
    assert np.all(dest[~moving] == STAY) and np.all(receives[dest[moving]])


def test_the_draft_with_gumbel_taste_is_a_logit_over_fit_and_pressure():
    # Two regions, one institution drawn n times: region 0 fits better (0.9 against 0.3),
    # region 1 carries all the pressure. With w = 0.5 the utilities are 0.45 + 0 and
    # 0.15 + 0.5, and P(region 0) = 1 / (1 + exp((0.65 - 0.45) / sigma)) (McFadden 1974).
    # A taste that scaled only the fit term (w * sigma) would give a different share.
    n, sigma, w = 40_000, 0.2, 0.5
    fit = np.tile([0.9, 0.3], (n, 1))
    pressure = np.tile([0.0, 2.0], (n, 1))  # scaled per institution to [0, 1]
    taste = sigma * np.random.default_rng(7).gumbel(size=(n, 2))
    dest = draft_allocation(fit, pressure, w, np.zeros(2), -10.0, np.array([True, True]), taste)
    expected = 1.0 / (1.0 + np.exp((0.65 - 0.45) / sigma))
    share = float(np.mean(dest == 0))
    assert abs(share - expected) < 4 * np.sqrt(expected * (1 - expected) / n)
    utility = w * fit[:1] + (1 - w) * normalise_rows(pressure[:1])
    assert logit_shares(utility, sigma)[0, 0] == pytest.approx(expected)


def test_pressure_can_outweigh_a_fit_gap_and_taste_can_overturn_both():
    # Without taste the draft is the argmax of the utility: pressure, in the same units as
    # fit, takes the institution to the region with the worse fit; a large enough taste for
    # the other region takes it back.
    fit = np.array([[1.0, 0.6]])
    pressure = np.array([[0.0, 1.0]])
    both = np.array([True, True])
    assert draft_allocation(fit, pressure, 0.5, np.zeros(2), 0.0, both).tolist() == [1]
    taste = np.array([[0.31, 0.0]])  # 0.5 + 0.31 > 0.3 + 0.5
    assert draft_allocation(fit, pressure, 0.5, np.zeros(2), 0.0, both, taste).tolist() == [0]


@given(st.integers(0, 10_000), st.floats(0.01, 2.0), st.floats(-50, 50))
@settings(max_examples=50, deadline=None)
def test_logit_shares_are_probabilities_that_ignore_a_common_shift(seed, scale, shift):
    utility = np.random.default_rng(seed).random((5, 4))
    utility[:, 3] = -np.inf  # a region that may not receive
    p = logit_shares(utility, scale)
    assert np.allclose(p.sum(axis=1), 1.0) and (p[:, 3] == 0).all() and (p[:, :3] > 0).all()
    assert np.allclose(logit_shares(utility + shift, scale), p)
    # the better utility has the larger share, in the ratio exp(du / scale)
    assert np.allclose(p[:, 0] / p[:, 1], np.exp((utility[:, 0] - utility[:, 1]) / scale))


def test_without_penalty_each_goes_to_its_best_fit():
    fit = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.3]])
    dest = draft_allocation(fit, np.zeros_like(fit), 1.0, np.zeros(2), 0.25, np.array([True, True]))
    assert dest.tolist() == [0, 0, 1]


def test_penalty_moves_marginal_institutions():
    fit = np.array([[0.9, 0.8], [0.85, 0.8]])
    dest = draft_allocation(
        fit, np.zeros_like(fit), 1.0, np.array([0.07, 0.0]), 0.1, np.array([True, True])
    )
    assert dest.tolist() == [0, 1]  # 0.9 - 0.07 > 0.8 but 0.85 - 0.07 < 0.8


def test_rebalancing_spreads_institutions_without_oscillating():
    # Ten institutions fit region 0 at 0.9 minus a little, region 1 and 2 at 0.8: week after
    # week the penalty on region 0 grows until the load is shared; it must settle, not flip.
    rng = np.random.default_rng(0)
    fit = np.column_stack([0.9 - rng.random(12) * 0.05, np.full(12, 0.8), np.full(12, 0.8)])
    receives = np.ones(3, bool)
    penalty = np.zeros(3)
    history = []
    for _ in range(400):
        dest = draft_allocation(fit, np.zeros_like(fit), 1.0, penalty, 0.1, receives)
        penalty = rebalance(penalty, dest, receives, 0.002)
        history.append(np.bincount(dest, minlength=3))
    loads = np.array(history[-50:])
    assert loads[:, 0].max() <= 6  # no longer all in region 0
    assert np.ptp(loads[:, 0]) <= 2  # settled within a couple of institutions


def test_rebalance_only_penalises_over_served_receiving_regions():
    dest = np.array([0, 0, 0, 1, STAY])
    new = rebalance(np.zeros(3), dest, np.array([True, True, False]), 0.1)
    np.testing.assert_allclose(new, [0.1 * (3 / 2 - 1), 0.0, 0.0])
    # The model's split form: the draft's load once, the weekly update from it.
    load = draft_load(dest, 3)
    assert load.tolist() == [3.0, 1.0, 0.0]
    receives = np.array([True, True, False])
    assert np.array_equal(rebalance_load(np.zeros(3), load, receives, 0.1), new)


def test_poor_fits_stay():
    dest = draft_allocation(
        np.full((2, 2), 0.1), np.zeros((2, 2)), 1.0, np.zeros(2), 0.5, np.array([True, True])
    )
    assert dest.tolist() == [STAY, STAY]


def test_fit_weights():
    fit = bureaucratic_fit(
        np.array([[True, False]]), np.array([[False, True]]), np.array([1.0, 0.7]), np.array([True])
    )
    np.testing.assert_allclose(fit, [[0.6 + 0.15, 0.25 + 0.15 * 0.7]])


def test_credit_and_blame_by_hand():
    # Region 0 is the capital (40% of seats), regions 1-3 hold 20% each. Institution 0 (staff 3)
    # goes to region 1; institution 1 (staff 1) stays. Region 2 bid for 0 and lost.
    dest = np.array([1, STAY])
    bids = np.array([[False, True, True, False], [False, False, False, False]])
    g, b = credit_and_blame(dest, np.array([3.0, 1.0]), bids, np.array([0.4, 0.2, 0.2, 0.2]), 0)
    assert g == 0.2
    assert abs(b - (0.2 + 0.4 * 0.75)) < 1e-12
    assert staff_won(dest, np.array([3.0, 1.0]), 4).tolist() == [0, 3, 0, 0]


def test_a_bidder_that_loses_its_bid_is_blamed_even_if_it_wins_something_else():
    # Regions 1 and 2 (20% of seats each) both bid for institution 0, which goes to region 1.
    # Institution 1, which nobody bid for, goes to region 2: region 2 wins something, so it
    # counts in the credit, but it lost what it campaigned for, so it counts in the blame too.
    dest = np.array([1, 2])
    bids = np.array([[False, True, True], [False, False, False]])
    g, b = credit_and_blame(dest, np.array([1.0, 1.0]), bids, np.array([0.6, 0.2, 0.2]), 0)
    assert g == 0.2 + 0.2
    assert abs(b - (0.2 + 0.6 * 1.0)) < 1e-12
    # Region 2 also bid for institution 1: now it won a bid and is nobody's loser.
    bids[1, 2] = True
    g, b = credit_and_blame(dest, np.array([1.0, 1.0]), bids, np.array([0.6, 0.2, 0.2]), 0)
    assert abs(b - 0.6) < 1e-12


def test_effort_rows_sum_to_capacity_times_zeal():
    intent = np.array([[1.0, 3.0], [0.0, 0.0]])
    e = lobbying_effort(np.array([2.0, 1.0]), intent, np.array([0.5, 1.0]))
    np.testing.assert_allclose(e, [[0.25, 0.75], [0, 0]])
    # The model's split form: shares once per run, effort every week.
    np.testing.assert_allclose(intent_shares(intent), [[0.25, 0.75], [0, 0]])
    split = effort_from_shares(np.array([2.0, 1.0]), intent_shares(intent), np.array([0.5, 1.0]))
    assert np.array_equal(split, e)


def test_mobilisation_rises_fast_and_decays_slowly_to_target():
    m = 0.0
    for _ in range(200):
        m = mobilisation_step(m, 1.0, 1.0, 0.8, 0.2, 0.05, 1.0)
    assert abs(m - 0.8) < 1e-9  # the target is the union's strength under full threat
    up = mobilisation_step(0.4, 1.0, 1.0, 0.8, 0.2, 0.05, 1.0)
    down = mobilisation_step(0.4, 0.0, 1.0, 0.8, 0.2, 0.05, 1.0)
    assert up - 0.4 == 0.2 * 0.4 and abs(0.4 - down - 0.05 * 0.4) < 1e-15


def test_union_threat_is_the_staff_share_moved():
    defends = np.array([[True, True, False]])
    t = union_threat(defends, np.array([True, False, True]), np.array([1.0, 3.0, 5.0]))
    assert t.tolist() == [0.25]


def test_fast_paths_of_the_draft_are_the_plain_formulas_to_the_bit():
    # normalise_rows divides without a mask when every row has a positive maximum, draft_load
    # bins STAY away by a shift, rebalance_load writes the mean out: the plain formulas'
    # results, to the bit.
    rng = np.random.default_rng(11)
    for _ in range(300):
        n_inst, n_reg = rng.integers(1, 40), rng.integers(1, 15)
        # Column-major like the model's pressure, with some institutions nobody presses for.
        pressure = rng.random((n_reg, n_inst)).T * (rng.random((n_inst, 1)) < 0.8)
        receives = rng.random(n_reg) < 0.8
        receives[rng.integers(n_reg)] = True
        penalty, rate = rng.random(n_reg) * 0.2, 0.01
        top = pressure.max(axis=1, keepdims=True)
        scaled = np.divide(pressure, top, out=np.zeros_like(pressure), where=top > 0)
        assert normalise_rows(pressure).tobytes() == scaled.tobytes()
        dest = rng.integers(STAY, n_reg, n_inst)
        load = draft_load(dest, n_reg)
        assert np.array_equal(load, np.bincount(dest[dest != STAY], minlength=n_reg))
        quota = load[receives].mean()
        if quota > 0:  # (with nothing to share, the penalty is returned as it is)
            new = np.where(receives, np.maximum(0.0, penalty + rate * (load / quota - 1.0)), 0.0)
            assert rebalance_load(penalty, load, receives, rate).tobytes() == new.tobytes()


def test_stakes_credit_blame_and_threats_are_their_formulas():
    # Plain formulas, one region or institution at a time, against the vectorised functions:
    # each region that does not receive loses the share of the staff based there that moves.
    rng = np.random.default_rng(12)
    for _ in range(300):
        n_inst, n_reg, n_unions = rng.integers(1, 40), rng.integers(2, 15), rng.integers(1, 8)
        dest = rng.integers(STAY, n_reg, n_inst)
        staff = rng.integers(1, 5000, n_inst) * rng.random(n_inst)
        receives = rng.random(n_reg) < 0.8
        receives[rng.integers(n_reg)] = False
        origins = np.nonzero(~receives)[0]
        origin = rng.choice(origins, n_inst)
        bids = rng.random((n_inst, n_reg)) < 0.2
        seat_share = rng.dirichlet(np.ones(n_reg))
        moving = dest != STAY
        won = np.bincount(dest[moving], weights=staff[moving], minlength=n_reg)
        lost = np.zeros(n_reg)
        for r in origins:
            based = origin == r
            if based.any():
                lost[r] = staff[based & moving].sum() / staff[based].sum()
        stake = np.where(receives, won / max(won.max(), 1.0), -lost)
        np.testing.assert_allclose(regional_stake(dest, staff, receives, origin), stake, atol=1e-15)
        won_a_bid = [any(bids[i, r] for i in range(n_inst) if dest[i] == r) for r in range(n_reg)]
        disappointed = bids.any(axis=0) & ~np.array(won_a_bid, dtype=bool)
        blame = float(
            seat_share[disappointed].sum() + sum(seat_share[r] * lost[r] for r in origins)
        )
        credit, got = credit_and_blame(dest, staff, bids, seat_share, origin)
        assert credit == float(seat_share[won > 0].sum())
        assert abs(got - blame) < 1e-12
        defends = rng.random((n_unions, n_inst)) < 0.3
        defended, threatened = defends @ staff, defends @ (staff * moving)
        share = np.divide(threatened, defended, out=np.zeros_like(defended), where=defended > 0)
        threat = union_threat(defends, moving, staff)
        assert threat.tobytes() == share.tobytes()


def test_one_origin_given_once_is_the_same_as_for_each_institution():
    rng = np.random.default_rng(13)
    for _ in range(100):
        n_inst, n_reg = rng.integers(1, 30), rng.integers(2, 10)
        dest = rng.integers(STAY, n_reg, n_inst)
        staff = rng.random(n_inst) * 1000 + 1
        origin = int(rng.integers(n_reg))
        each = np.full(n_inst, origin)
        np.testing.assert_allclose(
            origin_losses(dest, staff, origin, n_reg), origin_losses(dest, staff, each, n_reg)
        )


def test_two_origins_each_count_their_own_loss_by_hand():
    # Regions 0 and 1 are origins with 30% and 20% of the seats. Institution 0 (staff 3, from
    # region 0) moves to region 2; institution 1 (staff 1, from 0) and institution 2 (staff 2,
    # from 1) stay. Region 0 loses 3/4 of its staff, region 1 nothing.
    dest = np.array([2, STAY, STAY])
    staff = np.array([3.0, 1.0, 2.0])
    origin = np.array([0, 0, 1])
    bids = np.zeros((3, 4), dtype=bool)
    g, b = credit_and_blame(dest, staff, bids, np.array([0.3, 0.2, 0.25, 0.25]), origin)
    assert g == 0.25
    assert abs(b - 0.3 * 0.75) < 1e-12
    receives = np.array([False, False, True, True])
    np.testing.assert_allclose(regional_stake(dest, staff, receives, origin), [-0.75, 0, 1, 0])


def test_a_plan_of_half_the_scope_keeps_the_better_fitting_half_of_the_moves():
    draft = np.array([0, 1, STAY, 1, 0])
    fit = np.array([[0.9, 0.1], [0.2, 0.3], [0.5, 0.5], [0.1, 0.8], [0.4, 0.0]])
    open_ = np.ones(5, dtype=bool)
    # moves 0, 1, 3, 4 fit their destinations by 0.9, 0.3, 0.8, 0.4: the best two are 0 and 3
    assert scoped_plan(draft, open_, fit, 0.5).tolist() == [0, STAY, STAY, 1, STAY]
    assert scoped_plan(draft, open_, fit, 1.0).tolist() == draft.tolist()
    assert (scoped_plan(draft, open_, fit, 0.0) == STAY).all()


def test_a_plan_leaves_decided_institutions_as_decided():
    draft = np.array([1, 0, 0])
    fit = np.ones((3, 2))
    open_ = np.array([False, True, True])
    plan = scoped_plan(draft, open_, fit, 0.0)
    assert plan.tolist() == [1, STAY, STAY]


@given(st.integers(1, 30), st.floats(0, 1), st.integers(0, 2**32 - 1))
def test_a_plan_moves_the_ceiling_of_its_share_of_the_open_moves(n, scope, seed):
    rng = np.random.default_rng(seed)
    draft = rng.integers(-1, 3, n)
    open_ = rng.random(n) < 0.7
    plan = scoped_plan(draft, open_, rng.random((n, 3)), scope)
    movers = (open_ & (draft >= 0)).sum()
    assert (open_ & (plan >= 0)).sum() == int(np.ceil(scope * movers - 1e-9))
    assert np.array_equal(plan[~open_], draft[~open_])
    assert ((plan[open_] == STAY) | (plan[open_] == draft[open_])).all()
