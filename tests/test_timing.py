import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.timing import (
    announcement_hazard,
    election_closeness,
    election_proximity,
    electoral_weight,
    weekly_probability,
)


def hazard_at(weeks_to_election, blame=0.5, credit=0.4):
    g = election_proximity(np.array([weeks_to_election]), np.array([1.0]), 40.0)
    return announcement_hazard(0.05, 1.0, credit, 1.0, blame, 6.0, g)


def test_hazard_falls_as_the_election_nears_all_else_equal():
    hazards = [hazard_at(tau) for tau in (80, 40, 20, 10, 1, 0)]
    assert all(a > b for a, b in itertools.pairwise(hazards))


def test_a_plan_whose_winners_outweigh_its_losers_comes_sooner_as_the_election_nears():
    hazards = [hazard_at(tau, blame=0.1, credit=0.9) for tau in (80, 40, 20, 10, 1, 0)]
    assert all(a < b for a, b in itertools.pairwise(hazards))


def test_hazard_is_flat_when_credit_and_blame_cancel():
    # b1 G = b2 B (1.0 * 0.6 = 6.0 * 0.1): the election clock has nothing to weigh
    assert hazard_at(80, blame=0.1, credit=0.6) == pytest.approx(
        hazard_at(0, blame=0.1, credit=0.6)
    )


def test_far_from_any_election_a_ready_plan_comes_at_the_base_rate():
    assert announcement_hazard(0.05, 1.0, 0.9, 1.0, 0.8, 6.0, 0.0) == 0.05


def test_the_permanent_campaign_weighs_the_plan_far_from_any_election():
    # with no election near (g = 0) the weight is c: h0 exp(c (b1 G - b2 B))
    h = announcement_hazard(0.05, 1.0, 0.9, 1.0, 0.8, 6.0, 0.0, permanent_campaign=0.25)
    assert h == pytest.approx(0.05 * np.exp(0.25 * (0.9 - 4.8)), rel=1e-12)


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1))
def test_the_permanent_campaign_interpolates_between_no_clock_and_polling_day(c, g, blame):
    h = announcement_hazard(0.05, 0.7, 0.3, 2.0, blame, 6.0, g, permanent_campaign=c)
    clock_only = announcement_hazard(0.05, 0.7, 0.3, 2.0, blame, 6.0, g)
    polling_day = announcement_hazard(0.05, 0.7, 0.3, 2.0, blame, 6.0, 1.0)
    lo, hi = sorted((clock_only, polling_day))
    assert lo * (1 - 1e-12) <= h <= hi * (1 + 1e-12)
    # c = 1: the clock no longer matters; c = 0: the clock alone
    assert announcement_hazard(0.05, 0.7, 0.3, 2.0, blame, 6.0, g, 1.0) == pytest.approx(
        polling_day, rel=1e-12
    )
    assert announcement_hazard(0.05, 0.7, 0.3, 2.0, blame, 6.0, g, 0.0) == clock_only


def test_hazard_closed_form():
    # h = h0 * r * exp(g (b1 G - b2 B)) with g = exp(-tau / scale)
    g = np.exp(-20 / 40)
    expected = 0.05 * 1.0 * np.exp(g * (1.0 * 0.4 - 6.0 * 0.5))
    assert hazard_at(20) == pytest.approx(expected, rel=1e-12)


def test_hazard_rises_with_credit():
    assert hazard_at(30, credit=0.6) > hazard_at(30, credit=0.2)


def test_proximity_ignores_past_elections_and_takes_the_nearest_weighted():
    assert election_proximity(np.array([-1.0]), np.array([1.0]), 40) == 0.0
    assert election_proximity(np.array([]), np.array([]), 40) == 0.0  # none left in the window
    g = election_proximity(np.array([-3.0, 10.0, 2.0]), np.array([1.0, 1.0, 0.3]), 40)
    assert g == pytest.approx(max(np.exp(-10 / 40), 0.3 * np.exp(-2 / 40)))


@given(st.floats(0, 50))
def test_weekly_probability_is_a_probability(h):
    p = weekly_probability(h)
    assert 0 <= p <= 1
    assert p == pytest.approx(1 - np.exp(-h))


def test_marginal_regions_count_fully_and_safe_ones_half():
    seats = np.array([0.2, 0.3, 0.5])
    weight = electoral_weight(seats, np.array([0.5, 1.0, 0.0]))
    assert weight == pytest.approx([0.2, 0.15, 0.25])


@given(st.floats(0, 1), st.floats(0, 1))
def test_electoral_weight_lies_between_half_and_all_of_the_seats(seat, ruling):
    w = electoral_weight(np.array([seat]), np.array([ruling]))[0]
    assert seat / 2 - 1e-15 <= w <= seat + 1e-15


def test_election_proximity_is_its_formula_to_the_bit():
    # Checked against the plain masked formula, with and without elections already past.
    rng = np.random.default_rng(8)
    for n in (1, 2, 5):
        for _ in range(100):
            tau = rng.uniform(-20, 200, n)
            weight = rng.random(n)
            ahead = tau >= 0
            expected = (
                float((weight[ahead] * np.exp(-tau[ahead] / 40.0)).max()) if ahead.any() else 0.0
            )
            assert election_proximity(tau, weight, 40.0) == expected


def test_election_closeness_is_zero_once_past_and_its_maximum_is_the_proximity():
    weeks, weight = np.array([-3.0, 10.0, 40.0]), np.array([1.0, 0.5, 1.0])
    closeness = election_closeness(weeks, weight, 40.0)
    np.testing.assert_allclose(closeness, [0.0, 0.5 * np.exp(-0.25), np.exp(-1.0)])
    assert closeness.max() == election_proximity(weeks, weight, 40.0)
