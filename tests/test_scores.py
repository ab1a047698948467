"""Proper scores (experiments/scores.py) against closed forms and a numerical integral."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from experiments.scores import (
    NEVER,
    brier,
    categorical_brier,
    categorical_log,
    clip,
    crps_censored,
    log_score,
    log_week_bin,
    yes_share_error,
)


def test_brier_and_log_score_by_hand():
    assert brier(0.8, True) == pytest.approx(0.04) and brier(0.8, False) == pytest.approx(0.64)
    assert log_score(0.8, True, 100) == pytest.approx(-math.log(0.8))
    # an event no run foresaw costs log(2N), finite, and more with more runs
    assert log_score(0.0, True, 100) == pytest.approx(math.log(200))
    assert log_score(0.0, True, 1000) > log_score(0.0, True, 100)
    assert clip(1.0, 10) == 0.95


def test_the_brier_score_is_proper():
    # the expected score under the true probability q is smallest at p = q
    q = 0.3
    grid = np.linspace(0, 1, 101)
    expected = [q * brier(p, True) + (1 - q) * brier(p, False) for p in grid]
    assert grid[int(np.argmin(expected))] == pytest.approx(q)


def test_crps_of_a_point_forecast_is_the_distance():
    assert crps_censored(np.full(5, 10.0), 14.0, 100) == pytest.approx(4 / 100)
    assert crps_censored(np.full(5, 14.0), 10.0, 100) == pytest.approx(4 / 100)
    # no decision predicted and none came: perfect; a decision at s when none came: (H - s)/H
    assert crps_censored(np.full(5, NEVER), NEVER, 100) == 0.0
    assert crps_censored(np.full(5, 30.0), NEVER, 100) == pytest.approx(0.7)
    # none predicted, one came at y: (H - y) / H
    assert crps_censored(np.full(5, NEVER), 40.0, 100) == pytest.approx(0.6)


def _numeric(weeks, observed, horizon, steps=200_000):
    x = (np.arange(steps) + 0.5) * horizon / steps
    forecast = (np.sort(weeks)[None, :] <= x[:, None]).mean(axis=1)
    truth = (observed <= x).astype(float)
    return float(((forecast - truth) ** 2).mean())


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.one_of(st.floats(0, 120), st.just(NEVER)), min_size=1, max_size=30),
    st.one_of(st.floats(0, 119), st.just(NEVER)),
)
def test_crps_is_the_integral_of_its_definition(weeks, observed):
    weeks = np.array(weeks)
    got = crps_censored(weeks, observed, 120.0)
    assert 0.0 <= got <= 1.0
    assert got == pytest.approx(_numeric(weeks, observed, 120.0), abs=2e-4)


def test_log_week_bin_counts_the_truths_bin():
    weeks = np.array([1.0, 2.0, 5.0, NEVER])
    assert log_week_bin(weeks, 3.0, 100, 4, 4) == pytest.approx(-math.log(0.5))
    assert log_week_bin(weeks, NEVER, 100, 4, 4) == pytest.approx(-math.log(0.25))
    assert log_week_bin(weeks, 50.0, 100, 4, 4) == pytest.approx(math.log(8))  # clipped


def test_vote_and_destination_scores():
    assert yes_share_error({"A": 0.5, "B": 1.0}, {"A": 0.7, "B": 1.0}) == pytest.approx(0.02)
    assert math.isnan(yes_share_error({"A": 0.5}, {"C": 0.1}))
    shares = {"busan": 0.6, "jeonbuk": 0.3, "stay": 0.1}
    assert categorical_log(shares, "busan", 100) == pytest.approx(-math.log(0.6))
    assert categorical_brier(shares, "busan") == pytest.approx(0.16 + 0.09 + 0.01)
    assert categorical_brier({"busan": 1.0}, "busan") == 0.0
