import numpy as np
import pytest

from sim.assembly import Bill, regional_gain, week_of_bill
from sim.legislature import (
    cast_votes,
    majority,
    recognition_probabilities,
    supermajority,
    yes_probability,
)
from sim.parameters import LegislatureParams


def test_recognition_is_proportional():
    p = recognition_probabilities(np.array([1.0, 1.0, 5.0, 3.0]))
    np.testing.assert_allclose(p, [0.1, 0.1, 0.5, 0.3])
    with pytest.raises(ValueError):
        recognition_probabilities(np.zeros(3))


def test_fast_track_needs_three_fifths_of_all_members():
    # 3/5 of 300 is 180: the DP bloc's 180 seats exactly (facts.md).
    assert supermajority(180, 300, 0.6)
    assert not supermajority(179, 300, 0.6)
    assert majority(151, 300) and not majority(150, 300)


def test_yes_probability_follows_gain_and_whip():
    p = yes_probability(
        np.array([1.0, 0.0, -1.0, 0.0]),
        np.array([0.0, 1.0, 0.0, -1.0]),
        np.full(4, 1.0),
        2.0,
        3.0,
        1.0,
    )
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-np.array([2.0, 3.0, -2.0, -3.0]))))


def test_yes_probability_is_stable_when_noise_is_tiny():
    with np.errstate(over="raise"):  # an overflow in exp would raise here
        p = yes_probability(np.array([1.0, -1.0, 0.0]), np.zeros(3), np.ones(3), 100.0, 3.0, 0.01)
    assert p.tolist() == [1.0, 0.0, 0.5]


def test_votes_follow_draws():
    assert cast_votes(np.array([0.5, 0.5]), np.array([0.4, 0.6])).tolist() == [True, False]


def members(n=300, gain=0.0, line=1.0):
    committee = np.zeros(n, bool)
    committee[:24] = True
    return {
        "gain": np.full(n, gain),
        "line": np.full(n, line),
        "discipline": np.full(n, 1.0),
        "seated": np.ones(n, bool),
        "committees": committee[:, None],
        "party": np.zeros(n, int),
        "faction": np.full(n, -1),
        "recognition": np.ones(n),
    }


def test_a_united_house_passes_a_bill_in_one_week():
    bill = Bill(0, 1, introduced=0)
    events = week_of_bill(
        bill,
        1,
        members(gain=1.0, line=1.0),
        np.random.default_rng(1),
        LegislatureParams(discipline_strength=20),
    )
    assert bill.stage == "passed" and bill.closed == 1, events


def test_a_hostile_house_never_passes_and_refuses_fast_track():
    bill = Bill(0, 1, introduced=0)
    rng = np.random.default_rng(2)
    params = LegislatureParams(committee_patience_weeks=3, discipline_strength=20)
    for week in range(1, 20):
        week_of_bill(bill, week, members(gain=-1.0, line=-1.0), rng, params)
    assert bill.stage == "committee" and bill.fast_track_tried


def test_regional_gain_by_region():
    region = np.array([0, 1, 2, 3, -1])
    bids = np.array([False, True, True, False])
    np.testing.assert_array_equal(regional_gain(region, 1, bids, 3), [0, 1, -0.5, -1, 0])
