"""Tests for sim/bargaining.py: the compromise baseline and the BDM expected-utility model.

Expected values marked "by hand" were worked out on paper from the equations in the module
docstring (Scholz, Calbert & Smith 2011), not copied from a run of the code; the arithmetic is
written out next to each so a reader can check it.

Docking: the published fixture is BDM's (1994, p. 78) EU car-emission example, reprinted as
Table 1 of Scholz et al. (2011). Its inputs are below. Scholz et al. publish their results as
figures (position trajectories per round) and no numeric table of them could be retrieved, so no
round-by-round docking test is possible; the fixture is used for what can be computed by hand
from the published inputs (the weighted median and the compromise) and for invariants.
"""

import dataclasses

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim.bargaining import (
    OFFER_DTYPE,
    OFFER_KINDS,
    BargainResult,
    bdm_bargain,
    bdm_expected_utilities,
    bdm_risk_exponents,
    bdm_round,
    bdm_win_probabilities,
    compromise,
    weighted_median,
)

# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------

# BDM (1994) Table, via Scholz et al. (2011) Table 1: year by which emission standards for
# medium-sized cars should apply (x), capability (c) and salience (s, 0-100). The two public
# ports disagree on the Netherlands and Belgium rows (7/40 and 4/80, or 4/80 and 7/40); both
# have c = 0.08, so the swap only relabels two actors and changes no result below.
EU_EMISSIONS = {
    "actor": [
        "Netherlands",
        "Belgium",
        "Luxembourg",
        "Germany",
        "France",
        "Italy",
        "UK",
        "Ireland",
        "Denmark",
        "Greece",
    ],
    "capability": [0.08, 0.08, 0.03, 0.16, 0.16, 0.16, 0.16, 0.05, 0.05, 0.08],
    "position": [7, 4, 4, 4, 10, 10, 10, 7, 4, 7],
    "salience": [40, 80, 20, 80, 60, 60, 90, 10, 100, 70],
}

# A three-actor example worked by hand throughout: w = c s = [1, 1, 0.8].
X3 = np.array([0.0, 40.0, 100.0])
S3 = np.array([0.5, 1.0, 0.8])
C3 = np.array([2.0, 1.0, 1.0])

# By hand, P_ij = sum_k w_k (|x_k - x_j| - |x_k - x_i|)^+ / sum_k w_k |...|:
#   A vs B: gaps (k = A, B, C) = +40, -40, -40 -> 40 / (40 + 40 + 32) = 5/14
#   A vs C: gaps = +100, +20, -100 -> 120 / (100 + 20 + 80) = 3/5
#   B vs C: gaps = +60, +60, -60 -> 120 / (60 + 60 + 48) = 5/7
P3 = np.array(
    [
        [0.5, 5 / 14, 3 / 5],
        [9 / 14, 0.5, 5 / 7],
        [2 / 5, 2 / 7, 0.5],
    ]
)

# By hand with r = 1, Q = 1 the utilities are U^s = 2d, U^f = -2d, U^sq = 0, so
# EU_ij = 2 d_ij (1 - 2 s_j (1 - P_ij)) with d = |x_i - x_j| / 100:
#   EU_AB = 0.8 (1 - 2 * 1.0 * 9/14) = -1.6/7     EU_BA = 0.8 (1 - 2 * 0.5 * 5/14) = 3.6/7
#   EU_AC = 2.0 (1 - 2 * 0.8 * 2/5)  =  5.04/7    EU_CA = 2.0 (1 - 2 * 0.5 * 3/5)  = 5.6/7
#   EU_BC = 1.2 (1 - 2 * 0.8 * 2/7)  =  4.56/7    EU_CB = 1.2 (1 - 2 * 1.0 * 5/7)  = -3.6/7
EU3 = (
    np.array(
        [
            [0.0, -1.6, 5.04],
            [3.6, 0.0, 4.56],
            [5.6, -3.6, 0.0],
        ]
    )
    / 7
)


def _issue(min_size: int = 1, max_size: int = 12):
    """Hypothesis strategy for one issue: (positions, saliences, capabilities)."""
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(
            hnp.arrays(float, n, elements=st.floats(0, 100, allow_subnormal=False)),
            hnp.arrays(float, n, elements=st.floats(0, 1, allow_subnormal=False)),
            hnp.arrays(float, n, elements=st.floats(0, 10, allow_subnormal=False)),
        )
    )


# --------------------------------------------------------------------------------------------
# Compromise
# --------------------------------------------------------------------------------------------


def test_compromise_hand_example():
    # (1 * 0 + 1 * 40 + 0.8 * 100) / (1 + 1 + 0.8) = 120 / 2.8 = 300 / 7
    assert compromise(X3, S3, C3) == pytest.approx(300 / 7, rel=1e-15)


def test_compromise_several_issues():
    x = np.array([[0.0, 100.0], [50.0, 0.0], [100.0, 50.0]])
    s = np.array([[1.0, 0.5], [1.0, 1.0], [0.0, 0.5]])
    c = np.array([1.0, 2.0, 1.0])
    # issue 0: w = [1, 2, 0] -> (0 + 100 + 0) / 3; issue 1: w = [0.5, 2, 0.5] -> (50 + 0 + 25) / 3
    np.testing.assert_allclose(compromise(x, s, c), [100 / 3, 25.0], rtol=1e-15)
    # An (n,) salience applies to every issue.
    np.testing.assert_allclose(
        compromise(x, [1.0, 1.0, 1.0], c), [(0 + 100 + 100) / 4, (100 + 0 + 50) / 4]
    )


def test_compromise_without_power_raises():
    with pytest.raises(ValueError, match="sum"):
        compromise(X3, [0.0, 0.0, 0.0], C3)
    with pytest.raises(ValueError, match=r"issue\(s\) \[1\]"):
        compromise(np.ones((3, 2)), np.array([[1.0, 0.0]] * 3), C3)
    with pytest.raises(ValueError, match="shape"):
        compromise(X3, S3, [1.0, 2.0])


@given(_issue(), st.floats(1e-3, 1e3))
def test_compromise_invariants(issue, factor):
    x, s, c = issue
    assume((c * s).sum() > 1e-9)
    o = compromise(x, s, c)
    assert x.min() - 1e-9 <= o <= x.max() + 1e-9
    assert compromise(x, s, factor * c) == pytest.approx(o, rel=1e-12, abs=1e-12)
    assert compromise(np.full_like(x, x[0]), s, c) == pytest.approx(x[0], rel=1e-15)


# --------------------------------------------------------------------------------------------
# Weighted median (BDM's forecast rule)
# --------------------------------------------------------------------------------------------


def test_weighted_median_hand_examples():
    # w = [1, 1, 0.8], total 2.8, half 1.4; cumulative 1 at x = 0, 2 at x = 40 -> 40.
    assert weighted_median(X3, C3 * S3) == 40.0
    # total 10, half 5; sorted cumulative 1, 3, 6, 10 -> 30, whatever the input order.
    assert weighted_median([40, 10, 30, 20], [4, 1, 3, 2]) == 30.0
    # Exactly half at 0: every point of [0, 100] is a median; the midpoint is reported.
    assert weighted_median([0, 100], [1, 1]) == 50.0
    # A zero-weight actor does not vote, so it does not end the interval.
    assert weighted_median([0, 30, 100], [1, 0, 1]) == 50.0
    with pytest.raises(ValueError, match="weight"):
        weighted_median([1, 2], [0, 0])


def test_eu_emissions_fixture_median_and_compromise():
    x = np.array(EU_EMISSIONS["position"], float)
    s = np.array(EU_EMISSIONS["salience"], float) / 100
    c = np.array(EU_EMISSIONS["capability"])
    # By hand, w = c s: at 4: 0.064 + 0.006 + 0.128 + 0.05 = 0.248; at 7: 0.032 + 0.005 + 0.056
    # = 0.093; at 10: 0.096 + 0.096 + 0.144 = 0.336. Total 0.677, half 0.3385; the cumulative
    # weight passes it at 7 (0.248, then 0.341): BDM's median voter position is 7.
    assert weighted_median(x, c * s) == 7.0
    # Compromise: (0.248 * 4 + 0.093 * 7 + 0.336 * 10) / 0.677 = 5.003 / 0.677
    assert compromise(x, s, c) == pytest.approx(5.003 / 0.677, rel=1e-12)


# --------------------------------------------------------------------------------------------
# Win probabilities
# --------------------------------------------------------------------------------------------


def test_win_probabilities_hand_example():
    np.testing.assert_allclose(bdm_win_probabilities(X3, S3, C3), P3, rtol=0, atol=1e-15)


def test_two_actor_probability_is_power_share():
    # With two actors P_ij = w_i / (w_i + w_j): 3 / 4 here. The known wrong denominator (the sum
    # of |votes| over every pair of actors) would shrink this far below 1/2.
    p = bdm_win_probabilities([20, 60], [1.0, 0.5], [3.0, 2.0])
    assert p[0, 1] == pytest.approx(0.75, abs=1e-15)
    assert p[1, 0] == pytest.approx(0.25, abs=1e-15)


@pytest.mark.parametrize("n", [3, 25, 27, 40, 60])
def test_win_probabilities_match_pairwise_definition(n):
    # A direct pair-by-pair evaluation of the formula; n >= 27 also covers the blocked
    # evaluation of the n^3 array (two blocks at n = 27, more at 40 and 60).
    rng = np.random.default_rng(n)
    x = rng.choice([0.0, 12.5, 50.0, 80.0, 100.0], n) if n == 3 else rng.uniform(0, 100, n)
    s, c = rng.uniform(0, 1, n), rng.uniform(0, 5, n)
    w = c * s
    expected = np.full((n, n), 0.5)
    for i in range(n):
        for j in range(n):
            gap = np.abs(x - x[j]) - np.abs(x - x[i])
            denominator = np.sum(w * np.abs(gap))
            if denominator > 0:
                expected[i, j] = np.sum(w * np.maximum(gap, 0)) / denominator
    np.testing.assert_allclose(bdm_win_probabilities(x, s, c), expected, rtol=1e-12, atol=1e-14)


@given(_issue())
def test_win_probabilities_are_complementary_and_bounded(issue):
    x, s, c = issue
    p = bdm_win_probabilities(x, s, c)
    np.testing.assert_allclose(p + p.T, 1.0, rtol=0, atol=1e-12)
    assert p.min() >= 0.0 and p.max() <= 1.0
    np.testing.assert_array_equal(np.diag(p), 0.5)
    same = x[:, None] == x[None, :]
    np.testing.assert_array_equal(p[same], 0.5)


@given(_issue(min_size=2), st.data())
def test_actor_with_all_capability_wins_wherever_it_is_nearer(issue, data):
    x, s, _ = issue
    k = data.draw(st.integers(0, x.size - 1))
    c = np.zeros(x.size)
    c[k] = data.draw(st.floats(0.1, 10))
    s[k] = data.draw(st.floats(0.1, 1))
    p = bdm_win_probabilities(x, s, c)
    nearer = np.abs(x[k] - x)[:, None] < np.abs(x[k] - x)[None, :]  # k nearer to i than to j
    assert nearer.any() or np.all(x == x[0])
    np.testing.assert_allclose(p[nearer], 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(p[nearer.T], 0.0, rtol=0, atol=1e-12)


# --------------------------------------------------------------------------------------------
# Expected utilities and risk
# --------------------------------------------------------------------------------------------


def test_expected_utilities_hand_example():
    own, perceived = bdm_expected_utilities(X3, S3, C3, 1.0)
    np.testing.assert_allclose(own, EU3, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(own, perceived)


def test_risk_averse_utilities_by_hand():
    # r = 2, d = 1: U^s = 2 - 4 * 0^2 = 2, U^f = 2 - 4 * 1^2 = -2, U^sq = 2 - 4 * 0.25 = 1.
    # w = [3, 0.5], so P_01 = 3 / 3.5 = 6/7 and P_10 = 1/7.
    # EU_10 = s_0 (P_10 U^s + P_01 U^f) + (1 - s_0) U^s - U^sq = (2/7 - 12/7) + 0 - 1 = -17/7
    # EU_01 = s_1 (P_01 U^s + P_10 U^f) + (1 - s_1) U^s - U^sq = 0.5 * 10/7 + 1 - 1 = 5/7
    own, _ = bdm_expected_utilities([0, 100], [1.0, 0.5], [3.0, 1.0], 2.0)
    np.testing.assert_allclose(own, [[0, 5 / 7], [-17 / 7, 0]], rtol=0, atol=1e-14)


def test_status_quo_terms_by_hand():
    # x = [0, 100], equal power: P = 1/2, median = 50 (midpoint of the tie), d = 1, r = 1.
    # U^s = 2, U^f = -2, U^sq = 0; |x_0 - mu| / 100 = 0.5, so the spread is 0.25 (0.5 + 1):
    # U^b = 2 - 4 (0.5 - 0.375) = 1.5 and U^w = 2 - 4 (0.5 + 0.375) = -1.5.
    # With s_1 = 0.5: s_1 (P U^s + (1 - P) U^f) + (1 - s_1) U^s = 0 + 1 = 1, then subtract
    # Q U^sq + (1 - Q) (T U^b + (1 - T) U^w).
    args = ([0, 100], [0.5, 0.5], [1.0, 1.0], 1.0)
    for q, t, expected in [(1, 1, 1.0), (0, 1, -0.5), (0, 0, 2.5), (0.5, 1, 0.25)]:
        own, _ = bdm_expected_utilities(*args, q=q, t=t)
        assert own[0, 1] == pytest.approx(expected, abs=1e-14), (q, t)


@given(_issue(min_size=2), st.data())
def test_own_and_perceived_use_challenger_and_target_risk(issue, data):
    x, s, c = issue
    r = np.array(data.draw(st.lists(st.floats(0.5, 2), min_size=x.size, max_size=x.size)))
    own, perceived = bdm_expected_utilities(x, s, c, r)
    for i in range(x.size):
        own_i, _ = bdm_expected_utilities(x, s, c, r[i])
        np.testing.assert_allclose(own[i], own_i[i], rtol=1e-12, atol=1e-12)  # i's own r_i
        np.testing.assert_allclose(perceived[:, i], own_i[:, i], rtol=1e-12, atol=1e-12)  # r_j
    np.testing.assert_array_equal(np.diag(own), 0.0)


def test_risk_exponents_range_and_extremes():
    x = np.array(EU_EMISSIONS["position"], float)
    s = np.array(EU_EMISSIONS["salience"], float) / 100
    c = np.array(EU_EMISSIONS["capability"])
    r = bdm_risk_exponents(x, s, c, span=6)
    own, _ = bdm_expected_utilities(x, s, c, 1.0, span=6)
    threat = own.sum(axis=0)  # what the others expect from challenging each actor
    assert r.min() == pytest.approx(0.5) and r.max() == pytest.approx(2.0)
    assert r[np.argmax(threat)] == pytest.approx(0.5)  # most exposed: risk-acceptant
    assert r[np.argmin(threat)] == pytest.approx(2.0)  # safest: risk-averse
    # Equal threat everywhere (all at one position) gives risk neutrality.
    np.testing.assert_array_equal(bdm_risk_exponents([5, 5, 5], [1, 1, 1], [1, 2, 3]), 1.0)


# --------------------------------------------------------------------------------------------
# Rounds
# --------------------------------------------------------------------------------------------


def test_round_hand_example():
    new, offers = bdm_round(X3, S3, C3, 1.0)
    # Target A gets two offers. From B: EU_AB = -1.6/7 < 0 < EU_BA = 3.6/7 and 1.6 < 3.6, a
    # compromise: A moves 1.6/3.6 = 4/9 of the way to 40, to 160/9. From C: 0 < EU_AC = 5.04/7 <
    # EU_CA = 5.6/7, a conflict A expects to lose: to 100. A takes the smaller move.
    # Target B: EU_AB < 0 and EU_CB < 0, nobody challenges it.
    # Target C: A's challenge (EU_AC = 5.04/7) is a conflict C expects to win (EU_CA = 5.6/7 is
    # larger), so no move. From B: EU_CB = -3.6/7 < 0 < EU_BC = 4.56/7, a compromise: C moves
    # 3.6/4.56 = 15/19 of the way from 100 to 40, to 100 - 60 * 15/19 = 1000/19.
    np.testing.assert_allclose(new, [160 / 9, 40.0, 1000 / 19], rtol=1e-14)
    assert offers.dtype == OFFER_DTYPE
    rows = {(int(o["proposer"]), int(o["target"])): o for o in offers}
    assert set(rows) == {(1, 0), (2, 0), (1, 2)}
    assert rows[(1, 0)]["kind"] == "compromise" and rows[(1, 0)]["accepted"]
    assert rows[(2, 0)]["kind"] == "conflict" and not rows[(2, 0)]["accepted"]
    assert rows[(2, 0)]["new_position"] == 100.0
    assert rows[(1, 2)]["kind"] == "compromise" and rows[(1, 2)]["accepted"]
    assert rows[(1, 0)]["eu_target"] == pytest.approx(-1.6 / 7)
    assert rows[(1, 0)]["eu_proposer"] == pytest.approx(3.6 / 7)


def test_capitulation_is_reachable():
    # The known port bug tests "b < |b|", which is never true. Here (r = 2, values by hand in
    # test_risk_averse_utilities_by_hand) actor 1 would lose 17/7 by challenging while actor
    # 0 gains 5/7: |a| >= b, so actor 1 capitulates all the way to 0.
    new, offers = bdm_round([0, 100], [1.0, 0.5], [3.0, 1.0], 2.0)
    np.testing.assert_array_equal(new, [0.0, 0.0])
    assert offers.tolist() == [(0, 1, "capitulation", 0.0, True, 5 / 7, -17 / 7)]


def test_like_minded_actors_do_not_challenge():
    new, offers = bdm_round([30, 30, 30], [1, 0.5, 0.2], [1, 2, 3], 1.5)
    np.testing.assert_array_equal(new, 30.0)
    assert offers.size == 0


@settings(max_examples=200)
@given(_issue(min_size=2), st.data())
def test_rounds_keep_positions_in_range_and_take_one_least_move(issue, data):
    x, s, c = issue
    risk = data.draw(
        st.one_of(
            st.none(),
            st.floats(0.5, 2),
            st.lists(st.floats(0.5, 2), min_size=x.size, max_size=x.size).map(np.array),
        )
    )
    new, offers = bdm_round(x, s, c, risk)
    assert new.min() >= 0.0 and new.max() <= 100.0
    # Each new position lies between the old one and some old position (it moved towards a
    # proposer), so it stays in the hull of the old positions.
    assert np.all(new >= x.min()) and np.all(new <= x.max())
    assert set(offers["kind"]) <= set(OFFER_KINDS)
    for i in range(x.size):
        mine = offers[offers["target"] == i]
        taken = mine[mine["accepted"]]
        assert taken.size <= 1
        if taken.size == 0:
            assert new[i] == x[i]
            continue
        assert new[i] == pytest.approx(taken["new_position"][0], abs=1e-9)
        moves = np.abs(mine["new_position"] - x[i])
        assert abs(new[i] - x[i]) <= moves.min() + 1e-9  # the least movement
        assert np.all(mine["proposer"] != i)


# --------------------------------------------------------------------------------------------
# Bargaining
# --------------------------------------------------------------------------------------------


def test_bargain_one_round_matches_round_and_reports_rules():
    result = bdm_bargain(X3, S3, C3, 1.0, 1)
    assert isinstance(result, BargainResult)
    np.testing.assert_allclose(result.positions, [160 / 9, 40.0, 1000 / 19], rtol=1e-14)
    # Forecast: weighted median of [17.8, 40, 52.6] with w = [1, 1, 0.8] is 40 (as before).
    assert result.forecast == 40.0
    assert result.compromise == pytest.approx(compromise(result.positions, S3, C3), rel=1e-14)
    assert len(result.offers) == 1 and result.offers[0].size == 3
    np.testing.assert_array_equal(result.trajectory[0], X3)
    np.testing.assert_array_equal(result.risk, [[1.0, 1.0, 1.0]])
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.forecast = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        result.positions[0] = 1.0


def test_bargain_zero_rounds_and_record_off():
    result = bdm_bargain(X3, S3, C3, 1.0, 0)
    np.testing.assert_array_equal(result.positions, X3)
    assert result.offers == () and result.forecast == 40.0
    quiet = bdm_bargain(X3, S3, C3, 1.0, 3, record=False)
    loud = bdm_bargain(X3, S3, C3, 1.0, 3)
    np.testing.assert_array_equal(quiet.trajectory, loud.trajectory)
    assert all(o.size == 0 for o in quiet.offers)


@settings(max_examples=50)
@given(_issue(min_size=1, max_size=8), st.sampled_from([1.0, 1.5, None, "each"]))
def test_bargain_record_changes_nothing_but_the_offers(issue, risk):
    # record=False skips building the offers; everything else must come out bit for bit the
    # same, whichever way the risk exponents are set (one for all, one each, endogenous).
    x, s, c = issue
    assume((c * s).sum() > 1e-9)
    if risk == "each":
        risk = np.linspace(0.5, 2.0, x.size)
    quiet = bdm_bargain(x, s, c, risk, 3, record=False)
    loud = bdm_bargain(x, s, c, risk, 3)
    np.testing.assert_array_equal(quiet.trajectory, loud.trajectory)
    np.testing.assert_array_equal(quiet.risk, loud.risk)
    assert (quiet.forecast, quiet.compromise) == (loud.forecast, loud.compromise)
    assert all(o.size == 0 and o.dtype == OFFER_DTYPE for o in quiet.offers)
    assert not any(o.flags.writeable for o in (*quiet.offers, *loud.offers))
    new, offers = bdm_round(x, s, c, risk, record=False)
    np.testing.assert_array_equal(new, loud.trajectory[1])
    assert offers.size == 0 and offers.dtype == OFFER_DTYPE


def test_eu_emissions_fixture_bargaining_invariants():
    x = np.array(EU_EMISSIONS["position"], float)
    s = np.array(EU_EMISSIONS["salience"], float) / 100
    c = np.array(EU_EMISSIONS["capability"])
    # Scholz et al. normalise distances by the issue's range, 10 - 4 = 6 years.
    result = bdm_bargain(x, s, c, None, 10, span=6)
    assert result.trajectory.shape == (11, 10) and result.risk.shape == (10, 10)
    assert result.trajectory.min() >= 4.0 and result.trajectory.max() <= 10.0
    assert np.all((result.risk >= 0.5) & (result.risk <= 2.0))
    assert 4.0 <= result.forecast <= 10.0
    assert result.forecast == weighted_median(result.positions, c * s)


@settings(max_examples=50)
@given(_issue(min_size=1, max_size=8), st.integers(0, 4))
def test_bargain_trajectory_stays_in_range(issue, rounds):
    x, s, c = issue
    assume((c * s).sum() > 1e-9)
    result = bdm_bargain(x, s, c, 1.0, rounds)
    assert result.trajectory.shape == (rounds + 1, x.size)
    assert result.trajectory.min() >= x.min() and result.trajectory.max() <= x.max()
    assert x.min() <= result.forecast <= x.max()


@pytest.mark.parametrize(
    ("position", "salience", "capability", "risk"),
    [
        ([-1, 50], [1, 1], [1, 1], 1.0),  # position below 0
        ([50, 101], [1, 1], [1, 1], 1.0),  # position above 100
        ([50, float("nan")], [1, 1], [1, 1], 1.0),
        ([50, 60], [1, 1.5], [1, 1], 1.0),  # salience above 1
        ([50, 60], [1, 1], [1, -1], 1.0),  # negative capability
        ([50, 60], [1, 1], [1, 1], 2.5),  # risk above 2
        ([50, 60], [1, 1], [1, 1], [1.0, 0.4]),  # risk below 0.5
        ([50, 60], [1, 1], [1, 1, 1], 1.0),  # shape mismatch
        ([[50, 60]], [[1, 1]], [1], 1.0),  # two issues at once
    ],
)
def test_invalid_inputs_raise(position, salience, capability, risk):
    with pytest.raises(ValueError):
        bdm_round(position, salience, capability, risk)


def test_bargain_needs_power_and_span_must_cover_positions():
    with pytest.raises(ValueError, match="sum"):
        bdm_bargain([10, 20], [0, 0], [1, 1], 1.0, 2)
    with pytest.raises(ValueError, match="span"):
        bdm_round([0, 10], [1, 1], [1, 1], 1.0, span=5)
