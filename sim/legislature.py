"""Acts in the National Assembly: recognition of a proposer, disciplined votes, fast-track.

An institution whose HQ an Act fixes in Seoul (KDB, IBK, KEXIM) moves only once the Assembly
amends that Act. Each week a pending bill's committee may take it up: a proposer is recognised
with probability proportional to their recognition weight (Baron & Ferejohn 1989, "Bargaining
in legislatures", APSR 83), and members vote yes when the value of the bill to them plus the
party line outweighs logistic noise (the random-utility vote of Baron & Ferejohn's members; the
party term follows Cox & McCubbins 2005 on party agenda control). A bill stuck in committee can
be designated for the fast track by 3/5 of all members (National Assembly Act Art. 85-2), a
supermajority pivot in Krehbiel's (1998) sense.
"""

import math

import numpy as np


def recognition_probabilities(weights: np.ndarray) -> np.ndarray:
    """Baron-Ferejohn recognition: P(i proposes) = weight_i / sum(weight).

    Args:
        weights: (n,) non-negative recognition weights (seat share, role).

    Returns:
        (n,) probabilities summing to 1.
    """
    w = np.asarray(weights, dtype=float)
    if np.any(w < 0) or w.sum() <= 0:
        raise ValueError("recognition weights must be non-negative with a positive sum")
    return w / w.sum()


def yes_probability(
    regional_gain: np.ndarray,
    party_line: np.ndarray,
    discipline: np.ndarray,
    regional_strength: float,
    discipline_strength: float,
    noise: float,
) -> np.ndarray:
    """Each member's probability of voting yes.

    P(yes) = logistic((a * gain + b * discipline * line) / noise): a member's regional gain
    from the bill (+1 for the destination, -1 for the losing capital region) and the party
    line (+1 whip for, -1 whip against), weighted by how disciplined the party is.

    Args:
        regional_gain: (n,) value of the bill to each member's constituency, in [-1, 1].
        party_line: (n,) the whip of the member's party, in [-1, 1].
        discipline: (n,) the member's party discipline, in [0, 1].
        regional_strength: a, logit weight of regional gain.
        discipline_strength: b, logit weight of the party line.
        noise: Scale of the logistic noise (> 0).

    Returns:
        (n,) probabilities in [0, 1] (0 or 1 only where the utility dwarfs the noise).
    """
    z = (regional_strength * regional_gain + discipline_strength * discipline * party_line) / noise
    # exp of a non-positive number only: no overflow however small the noise.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def cast_votes(p_yes: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Turn probabilities into votes with uniform draws from the model's RNG: yes if u < p."""
    return uniform < p_yes


def majority(yes: int, members: int) -> bool:
    """A simple majority: strictly more than half of ``members`` vote yes."""
    return yes > members / 2


def supermajority(yes: int, members: int, share: float) -> bool:
    """At least ``share`` of ``members`` vote yes, e.g. the fast track's 3/5 (Art. 85-2)."""
    return yes >= math.ceil(share * members - 1e-9)
