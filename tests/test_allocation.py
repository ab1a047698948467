import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.allocation import STAY, bureaucratic_fit, credit_and_blame, draft_allocation, staff_won
from sim.pressure import lobbying_effort, mobilisation_step, union_threat


@given(st.integers(0, 10_000), st.floats(0, 1), st.floats(0, 2), st.floats(0, 1))
@settings(max_examples=50, deadline=None)
def test_one_destination_per_institution(seed, fit_weight, equity, threshold):
    rng = np.random.default_rng(seed)
    n_inst, n_reg = 40, 8
    receives = rng.random(n_reg) < 0.8
    receives[0] = True
    dest = draft_allocation(
        rng.random((n_inst, n_reg)),
        rng.random((n_inst, n_reg)),
        fit_weight,
        equity,
        threshold,
        receives,
    )
    assert dest.shape == (n_inst,)
    assert np.all((dest == STAY) | receives[np.clip(dest, 0, None)] & (dest >= 0))


def test_without_equity_each_goes_to_its_best_fit():
    fit = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.3]])
    dest = draft_allocation(fit, np.zeros_like(fit), 1.0, 0.0, 0.25, np.array([True, True]))
    assert dest.tolist() == [0, 0, 1]


def test_equity_spreads_institutions():
    # Three institutions all fit region 0 best (0.9, 0.89, 0.88), region 1 at 0.8. Quota is
    # 3 / 2 = 1.5, so region 0's picks lose 0, 0.5 * (2 / 1.5 - 1) = 0.167 and
    # 0.5 * (3 / 1.5 - 1) = 0.5: the first stays, the other two go to region 1.
    fit = np.array([[0.9, 0.8], [0.89, 0.8], [0.88, 0.8]])
    dest = draft_allocation(fit, np.zeros_like(fit), 1.0, 0.5, 0.1, np.array([True, True]))
    assert dest.tolist() == [0, 1, 1]
    dest = draft_allocation(fit, np.zeros_like(fit), 1.0, 0.0, 0.1, np.array([True, True]))
    assert set(dest.tolist()) == {0}


def test_poor_fits_stay():
    dest = draft_allocation(
        np.full((2, 2), 0.1), np.zeros((2, 2)), 1.0, 0.0, 0.5, np.array([True, True])
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
