"""When the executive announces: credit and blame on the electoral clock.

The weekly hazard of announcing is

    h(t) = h0 * readiness * exp(w(tau) * (b1 * G - b2 * B)),   w = c + (1 - c) * g(tau)

with G the credit of the plan (the electoral weight of the regions that win an institution),
B its blame (the electoral weight of disappointed bidders and of the capital's lost staff, and
the unions' pressure), tau the weeks to the next election and g rising from 0 to 1 as tau falls
to 0. Both are counted in seats, marginal seats more (``electoral_weight``). c in [0, 1], the
permanent campaign, is how much the plan's politics weigh with no election near: at c = 0 a
ready plan far from an election comes at the base rate whatever its losers; at c = 1 the
clock is gone. Governments campaign between elections too (Blumenthal 1980, "The permanent
campaign"; Ornstein & Mann 2000, "The permanent campaign and its future"), so blame can hold
a plan back in mid-term; that it weighs less than just before polling day is Strobl et al.'s
cycle (below). As an election nears, a plan whose winners outweigh its losers is pulled
forward (credit claiming) and one whose losers weigh more is put off until after polling day
(blame avoidance). Sources:
Weaver (1986), "The politics of blame avoidance", J. Public Policy 6(4), for B, and its
negativity bias (b2 > b1 is expected, not imposed); Strobl, Baeck, Mueller & Angelova (2021),
"Electoral cycles in government policy making", BJPS 51:331, for the clock: governments adopt
costly measures early in the term and fewer as elections approach; Mayhew (1974), "Congress:
the electoral connection", for credit claiming before elections. ``readiness`` in [0, 1] (how
complete and agreed the draft is) is our addition: nothing is announced before a draft
exists. model-anchors.md section 4 proposed the form with G outside the clock; the issue
"Agents that decide" put both on it, so that the same calculus can pull a plan forward or
push it back.
"""

import math

import numpy as np

from sim.kernels import kernel


def election_closeness(weeks_to_election, weight, scale: float) -> np.ndarray:
    """(m,) each election's weighted closeness, weight_e * exp(-tau_e / scale); 0 once past.

    Args:
        weeks_to_election: (m,) weeks until each election; negative once it has passed.
        weight: (m,) how much each election counts, each in [0, 1].
        scale: Weeks over which the pressure builds up.
    """
    tau = np.asarray(weeks_to_election, dtype=float)
    return np.where(tau >= 0, np.asarray(weight) * np.exp(-np.maximum(tau, 0.0) / scale), 0.0)


def election_proximity(weeks_to_election: np.ndarray, weight: np.ndarray, scale: float) -> float:
    """g(tau): the strongest weighted closeness of any future election, in [0, 1].

    g = max_e weight_e * exp(-tau_e / scale) over elections still ahead (tau_e >= 0); past
    elections count 0, so the pressure resets the day after polling (``election_closeness``).

    Returns:
        g in [0, 1]; 0 if no election is ahead.
    """
    closeness = election_closeness(weeks_to_election, weight, scale)
    return float(closeness.max()) if closeness.size else 0.0


@kernel("Tuple((float64, int64))(float64[:], float64[:], float64, float64)")
def looming_election(election_week, weight, now, scale):
    """``election_proximity`` g, and the election behind it, compiled (the executive's clock).

    Args:
        election_week: (m,) each election's model time, in weeks.
        weight: (m,) how much each election counts.
        now: The model time; tau = election_week - now, negative once an election has passed.
        scale: Weeks over which the pressure builds up.

    Returns:
        g, and the index of the election with the largest closeness (the first of equals;
        0 when none is ahead, as ``np.argmax`` of ``election_closeness`` gives).
    """
    g, looming = 0.0, 0
    for e in range(election_week.shape[0]):
        tau = election_week[e] - now
        if tau >= 0:
            closeness = weight[e] * np.exp(-tau / scale)
            if closeness > g:
                g, looming = closeness, e
    return g, looming


def electoral_weight(seat_share: np.ndarray, ruling_share: np.ndarray) -> np.ndarray:
    """(R,) how much each region's voters weigh with the ruling party: seats, marginal ones more.

    w_r = seat_share_r * (1 + m_r) / 2 with m_r = 4 s_r (1 - s_r), s_r the ruling party's
    share of region r's members: a region the party holds by half counts fully, one it holds
    entirely or not at all counts half. Parties target swing regions with distributive goods
    (Lindbeck & Weibull 1987, Public Choice 52; Dixit & Londregan 1996, J. Politics 58(4));
    that safe and hopeless regions still count half is an assumption.

    Args:
        seat_share: (R,) share of all seats elected in each region.
        ruling_share: (R,) share of each region's members in the ruling party, in [0, 1].
    """
    marginality = 4.0 * ruling_share * (1.0 - ruling_share)
    return seat_share * (1.0 + marginality) / 2.0


def announcement_hazard(
    base: float,
    readiness: float,
    credit: float,
    credit_weight: float,
    blame: float,
    blame_weight: float,
    proximity: float,
    permanent_campaign: float = 0.0,
) -> float:
    """H = h0 * readiness * exp((c + (1 - c) g) * (b1 * G - b2 * B)).

    Args:
        base: h0, the weekly hazard of a complete draft whose credit and blame cancel.
        readiness: Completeness and agreement of the draft, in [0, 1].
        credit: G, the electoral weight of the regions that win (>= 0).
        credit_weight: b1.
        blame: B, the electoral weight of the losers, plus the unions' pressure (>= 0).
        blame_weight: b2.
        proximity: g(tau) in [0, 1].
        permanent_campaign: c in [0, 1], the weight of credit and blame with no election near.

    Returns:
        The weekly hazard rate h >= 0.
    """
    net = credit_weight * credit - blame_weight * blame
    weight = permanent_campaign + (1.0 - permanent_campaign) * proximity
    return base * readiness * math.exp(weight * net)


def weekly_probability(hazard: float) -> float:
    """Probability of the event within one week, 1 - exp(-h), for a constant hazard h."""
    return 1.0 - math.exp(-hazard)
