import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.timing import (
    announcement_hazard,
    election_proximity,
    party_division,
    voiced_blame,
    weekly_probability,
)


def hazard_at(weeks_to_election, blame=0.5, credit=0.4):
    g = election_proximity(np.array([weeks_to_election]), np.array([1.0]), 40.0)
    return announcement_hazard(0.05, 1.0, credit, 1.0, blame, 6.0, g)


def test_hazard_falls_as_the_election_nears_all_else_equal():
    hazards = [hazard_at(tau) for tau in (80, 40, 20, 10, 1, 0)]
    assert all(a > b for a, b in itertools.pairwise(hazards))


def test_hazard_is_flat_without_losers():
    assert hazard_at(80, blame=0.0) == pytest.approx(hazard_at(0, blame=0.0))


def test_hazard_closed_form():
    # h = h0 * r * exp(b1 G - b2 B g) with g = exp(-tau / scale)
    g = np.exp(-20 / 40)
    expected = 0.05 * 1.0 * np.exp(1.0 * 0.4 - 6.0 * 0.5 * g)
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


def test_party_division_closed_forms():
    assert party_division(np.full(10, 0.7)) == 0.0  # one voice
    assert party_division(np.array([0.0, 1.0] * 5)) == 1.0  # split down the middle
    assert party_division(np.array([0.3])) == 0.0  # a party of one cannot be divided
    x = np.array([0.2, 0.4, 0.9])
    assert party_division(x) == pytest.approx(2 * np.sqrt(((x - x.mean()) ** 2).mean()))


def test_voiced_blame_is_multiplicative_and_neutral_at_unity():
    assert voiced_blame(0.6, 0.0, 10.0) == 0.6  # a united party: blame as it is
    assert voiced_blame(0.6, 0.3, 0.0) == 0.6  # weight 0 switches the effect off
    once, twice = voiced_blame(1.0, 0.1, 5.0), voiced_blame(1.0, 0.2, 5.0)
    assert twice == pytest.approx(once**2) and once == pytest.approx(np.exp(0.5))


def test_party_division_is_numpys_std_to_the_bit():
    # party_division writes np.std out for speed; it must not change a single result.
    rng = np.random.default_rng(7)
    for n in (2, 3, 17, 150, 303):
        for _ in range(50):
            x = rng.random(n) ** rng.uniform(0.2, 5.0)
            assert party_division(x) == min(1.0, 2.0 * float(np.std(x)))


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
