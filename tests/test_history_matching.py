"""History matching's pure functions against closed forms (experiments/history_matching.py)."""

import math

import numpy as np
import pytest

from experiments.history_matching import (
    binary_implausibility,
    gaussian_implausibility,
    identification,
    not_ruled_out,
    second_largest,
)


def test_binary_implausibility_is_the_standardised_miss():
    # P = 0.5 from 10 runs, truth 1: smoothed p = 5.5/11 = 0.5, so I = 0.5 / sqrt(0.25 + 0.01)
    assert binary_implausibility(5, 10, True, 0.1) == pytest.approx(0.5 / math.sqrt(0.26))
    # never in 10 runs although it happened: p~ = 0.5/11 keeps the variance above zero
    p = 0.5 / 11
    assert binary_implausibility(0, 10, True, 0.0) == pytest.approx(1 / math.sqrt(p * (1 - p)))
    # symmetric in the labels: 3 of 10 that did not happen, 7 of 10 that did
    assert binary_implausibility(3, 10, False, 0.1) == pytest.approx(
        binary_implausibility(7, 10, True, 0.1)
    )
    assert np.allclose(binary_implausibility([0, 5], [10, 10], True, 0.1)[1], 0.5 / 0.26**0.5)


def test_gaussian_implausibility():
    assert gaussian_implausibility(10.0, 4.0, 27.0, 3.0) == pytest.approx(1.0)


def test_second_largest_ignores_nan_and_falls_back_to_the_largest():
    matrix = np.array([[1.0, 5.0, np.nan], [4.0, np.nan, np.nan], [2.0, 3.0, 7.0]])
    assert list(second_largest(matrix)) == [2.0, 3.0, 7.0]


def test_a_setting_survives_below_the_cut_and_structural_misses_are_set_aside():
    matrix = np.array(
        [
            [0.5, 2.0, 4.0, 1.0],
            [1.0, 3.5, 0.2, 2.9],
            [0.1, 0.1, 0.1, 2.0],
            [9.0, 8.0, 7.0, 6.0],  # no setting matches it
        ]
    )
    kept, cut, missed = not_ruled_out(matrix, cut=3.0)
    assert list(missed) == [3] and cut == 3.0
    # second largest of the first three rows: 0.5, 2.0, 0.2, 2.0
    assert list(kept) == [0, 1, 2, 3]
    # a cut of 1 keeps settings 0 and 2 only; asked for 3, the three least implausible come,
    # with the cut they imply (setting 1's 2.0; setting 3 ties it, with a higher mean: 1.97
    # against 1.87)
    kept, cut, missed = not_ruled_out(matrix, cut=1.0, at_least=3)
    assert list(missed) == [3] and list(kept) == [0, 1, 2] and cut == 2.0


def test_ties_at_the_saturated_implausibility_are_broken_by_the_data_not_the_order():
    # Settings 0-3 miss two binary events in all their runs: the implausibility saturates at one
    # value, so their second-largest ties. (Setting 4 matches both but fails the rest.) The
    # third row tells them apart; the design's order must not.
    saturated = 1.0 / np.sqrt(0.5 / 11 * (1 - 0.5 / 11) + 0.1**2)
    matrix = np.array([
        [saturated] * 4 + [0.1],
        [saturated] * 4 + [0.1],
        [2.9, 2.0, 0.1, 1.0, 9.0],
        [0.1] * 4 + [9.0],
    ])  # fmt: skip
    kept, cut, _ = not_ruled_out(matrix, cut=3.0, at_least=2)
    assert list(kept) == [2, 3] and cut == saturated


def test_identification_tells_a_flat_posterior_from_a_narrow_one():
    rng = np.random.default_rng(1)
    flat = identification(rng.uniform(0, 10, 400), 0, 10)
    assert not flat["identified"] and flat["width"] == pytest.approx(1.0, abs=0.05)
    narrow = identification(rng.uniform(2, 4, 400), 0, 10)
    assert narrow["identified"] and narrow["width"] == pytest.approx(1.8 / 9, abs=0.03)
    assert narrow["q05"] == pytest.approx(2.1, abs=0.1)
    assert not identification(np.array([1.0]), 0, 10)["identified"]
