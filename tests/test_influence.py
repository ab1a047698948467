import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.influence import (
    friedkin_johnsen_equilibrium,
    friedkin_johnsen_step,
    row_stochastic,
    strongest_influencer,
)


def random_system(seed, n=30, k=2):
    rng = np.random.default_rng(seed)
    w = row_stochastic(rng.random((n, n)) * (rng.random((n, n)) < 0.3))
    lam = rng.uniform(0.1, 0.95, n)
    u = rng.random((n, k))
    return w, lam, u


@given(st.integers(0, 10_000))
@settings(max_examples=30, deadline=None)
def test_iteration_converges_to_closed_form(seed):
    w, lam, u = random_system(seed)
    x = np.random.default_rng(seed + 1).random(u.shape)
    for _ in range(600):
        x = friedkin_johnsen_step(x, w, lam, u)
    np.testing.assert_allclose(x, friedkin_johnsen_equilibrium(w, lam, u), atol=1e-9)


def test_two_member_closed_form_by_hand():
    # x1 = l1 * (x2) + (1 - l1) u1 and x2 = l2 * x1 + (1 - l2) u2 when each listens only to
    # the other; solving by substitution gives x1 = ((1-l1) u1 + l1 (1-l2) u2) / (1 - l1 l2).
    l1, l2, u1, u2 = 0.8, 0.5, 1.0, 0.0
    w = np.array([[0.0, 1.0], [1.0, 0.0]])
    x = friedkin_johnsen_equilibrium(w, np.array([l1, l2]), np.array([u1, u2]))
    expected_x1 = ((1 - l1) * u1 + l1 * (1 - l2) * u2) / (1 - l1 * l2)
    assert x[0] == np.float64(expected_x1) or abs(x[0] - expected_x1) < 1e-12
    assert abs(x[1] - (l2 * x[0] + (1 - l2) * u2)) < 1e-12


def test_degroot_limit_reaches_consensus():
    # Lambda = I is DeGroot: a connected, aperiodic W drives everyone to one value.
    w = row_stochastic(np.ones((5, 5)))
    x = np.array([0.0, 0.1, 0.5, 0.9, 1.0])
    for _ in range(50):
        x = friedkin_johnsen_step(x, w, np.ones(5), x * 0)
    assert np.ptp(x) < 1e-12


def test_zero_susceptibility_holds_the_anchor():
    w, _, u = random_system(3)
    x = friedkin_johnsen_step(np.zeros_like(u), w, np.zeros(len(u)), u)
    np.testing.assert_array_equal(x, u)


@given(st.integers(0, 10_000))
@settings(max_examples=30, deadline=None)
def test_stances_stay_in_unit_interval(seed):
    w, lam, u = random_system(seed)
    x = np.random.default_rng(seed).random(u.shape)
    for _ in range(20):
        x = friedkin_johnsen_step(x, w, lam, u)
        assert x.min() >= 0 and x.max() <= 1


def test_row_stochastic_gives_isolated_members_a_self_loop():
    w = row_stochastic(np.array([[0.0, 2.0, 2.0], [0.0, 0.0, 0.0], [1.0, 0.0, 3.0]]))
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    assert w[1, 1] == 1.0
    np.testing.assert_allclose(w[0], [0, 0.5, 0.5])


def test_strongest_influencer_is_the_largest_pull():
    w = np.array([[0.5, 0.1, 0.4], [0, 1, 0], [0, 0, 1]])
    who, pull = strongest_influencer(0, np.array([0.0, 1.0, 0.5]), w)
    assert who == 2 and abs(pull - 0.2) < 1e-12


def test_a_sparse_w_gives_the_dense_answers():
    from scipy import sparse

    rng = np.random.default_rng(3)
    dense = row_stochastic(rng.random((30, 30)) * (rng.random((30, 30)) < 0.2))
    csr = sparse.csr_array(dense)
    stance, lam, anchor = rng.random(30), rng.random(30), rng.random(30)
    np.testing.assert_allclose(
        friedkin_johnsen_step(stance, csr, lam, anchor),
        friedkin_johnsen_step(stance, dense, lam, anchor),
        rtol=1e-12,
    )
    for member in range(30):
        assert strongest_influencer(member, stance, csr) == strongest_influencer(
            member, stance, dense
        )
    np.testing.assert_allclose(
        friedkin_johnsen_equilibrium(csr, lam, anchor),
        friedkin_johnsen_equilibrium(dense, lam, anchor),
    )
