import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.allocation import (
    STAY,
    bureaucratic_fit,
    credit_and_blame,
    draft_allocation,
    draft_load,
    rebalance,
    rebalance_load,
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


def test_effort_rows_sum_to_capacity_times_zeal():
    intent = np.array([[1.0, 3.0], [0.0, 0.0]])
    e = lobbying_effort(np.array([2.0, 1.0]), intent, np.array([0.5, 1.0]))
    np.testing.assert_allclose(e, [[0.25, 0.75], [0, 0]])
    # The model's split form: shares once per run, effort every week.
    np.testing.assert_allclose(intent_shares(intent), [[0.25, 0.75], [0, 0]])
    split = effort_from_shares(np.array([2.0, 1.0]), intent_shares(intent), np.array([0.5, 1.0]))
    assert np.array_equal(split, e)


def test_mobilisation_rises_fast_and_decays_slowly_to_target():
    m = np.zeros(1)
    for _ in range(200):
        m = mobilisation_step(m, np.ones(1), 1.0, np.array([0.8]), 0.2, 0.05, 1.0)
    assert abs(m[0] - 0.8) < 1e-9  # the target is the union's strength under full threat
    up = mobilisation_step(np.array([0.4]), np.ones(1), 1.0, np.array([0.8]), 0.2, 0.05, 1.0)
    down = mobilisation_step(np.array([0.4]), np.zeros(1), 1.0, np.array([0.8]), 0.2, 0.05, 1.0)
    assert up[0] - 0.4 == 0.2 * 0.4 and abs(0.4 - down[0] - 0.05 * 0.4) < 1e-15


def test_union_threat_is_the_staff_share_moved():
    defends = np.array([[True, True, False]])
    t = union_threat(defends, np.array([True, False, True]), np.array([1.0, 3.0, 5.0]))
    assert t.tolist() == [0.25]
