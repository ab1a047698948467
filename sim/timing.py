"""When the executive announces: a blame-avoidance hazard on the election clock.

The weekly hazard of announcing is

    h(t) = h0 * readiness * exp(b1 * G - b2 * B * g(tau))

with G the credit from winning regions, B the salience-weighted losers (unions, the capital
region, regions whose bids fail), tau the weeks to the next election and g rising from 0 to 1
as tau falls to 0. The form is the one proposed in model-anchors.md section 4 from:
Weaver (1986), "The politics of blame avoidance", J. Public Policy 6(4); Strobl, Baeck,
Mueller & Angelova (2021), "Electoral cycles in government policy making", BJPS 51:331
(governments adopt costly measures less often as elections approach). ``readiness`` in [0, 1]
(how complete and agreed the draft is) is our addition: nothing is announced before a draft
exists.

B is amplified by the visible division of the ruling party (``party_division``): voters punish
parties that appear divided (Greene & Haber 2015, "The consequences of appearing divided: an
analysis of party evaluations and vote choice", Electoral Studies), so a decision that splits
the ruling party's lawmakers costs more than one they carry together. This is how the ties
network reaches the timing: cohesive parties pull their members together (Friedkin-Johnsen,
sim/influence.py) and so lower the blame of announcing.
"""

import numpy as np


def election_proximity(weeks_to_election: np.ndarray, weight: np.ndarray, scale: float) -> float:
    """g(tau): the strongest weighted closeness of any future election, in [0, 1].

    g = max_e weight_e * exp(-tau_e / scale) over elections still ahead (tau_e >= 0); past
    elections count 0, so the pressure resets the day after polling.

    Args:
        weeks_to_election: (m,) weeks until each election; negative once it has passed.
        weight: (m,) how much each election counts, each in [0, 1].
        scale: Weeks over which the pressure builds up.

    Returns:
        g in [0, 1]; 0 if no election is ahead.
    """
    tau = np.asarray(weeks_to_election, dtype=float)
    weight = np.asarray(weight)
    # Usually every election in the list is still ahead: one minimum tells, and no copies are
    # made then. (A NaN minimum fails the test, and NaN fails tau >= 0: dropped below.)
    if not (tau.size and tau.min() >= 0):
        ahead = tau >= 0
        tau, weight = tau[ahead], weight[ahead]
        if tau.size == 0:
            return 0.0
    return float((weight * np.exp(-tau / scale)).max())


def party_division(stances: np.ndarray) -> float:
    """D = 2 * standard deviation of the ruling party's members' stances, in [0, 1].

    Stances lie in [0, 1], so their standard deviation is at most 0.5 (half the members at
    each end): D = 1 is a party split down the middle, D = 0 one that speaks with one voice.

    Args:
        stances: (n,) stances of the ruling party's lawmakers, each in [0, 1].

    Returns:
        D in [0, 1]; 0 for fewer than two members.
    """
    if len(stances) < 2:
        return 0.0
    # np.std(stances) (population, ddof=0) written out with the same operations in the same
    # order, so the result is the same to the bit; np.std's dispatch costs more than the sums
    # themselves on a party's few hundred members, and this runs every week.
    n = len(stances)
    deviation = stances - stances.sum() / n
    return min(1.0, 2.0 * float(np.sqrt((deviation * deviation).sum() / n)))


def voiced_blame(blame: float, division: float, division_weight: float) -> float:
    """B' = B * exp(w_D * D): losers' blame, louder when the ruling party is divided.

    Multiplicative, like every other term of the hazard's exponent: a party twice as divided
    multiplies the blame by the same factor again, whatever the blame.
    """
    return blame * float(np.exp(division_weight * division))


def announcement_hazard(
    base: float,
    readiness: float,
    credit: float,
    credit_weight: float,
    blame: float,
    blame_weight: float,
    proximity: float,
) -> float:
    """H = h0 * readiness * exp(b1 * G - b2 * B * g).

    Args:
        base: h0, the weekly hazard with a complete draft and no election effect.
        readiness: Completeness and agreement of the draft, in [0, 1].
        credit: G, credit from winning regions (>= 0).
        credit_weight: b1.
        blame: B, salience-weighted losers (>= 0).
        blame_weight: b2.
        proximity: g(tau) in [0, 1].

    Returns:
        The weekly hazard rate h >= 0.
    """
    return (
        base * readiness * float(np.exp(credit_weight * credit - blame_weight * blame * proximity))
    )


def weekly_probability(hazard: float) -> float:
    """Probability of the event within one week, 1 - exp(-h), for a constant hazard h."""
    return 1.0 - float(np.exp(-hazard))
