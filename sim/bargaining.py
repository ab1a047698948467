"""Stakeholder bargaining: the compromise baseline and Bueno de Mesquita's expected-utility model.

Actors bargain over one issue at a time (the timing or the scope of the relocation
announcement). Each actor i holds a position x_i on [0, 100], a salience s_i in [0, 1] (how much
the issue matters to it) and a capability c_i >= 0 (its power); c_i * s_i is its effective power
on the issue.

Two mechanisms live here, both pure numpy:

* The compromise baseline (Stokman & Van Oosten 1994; Achen 2006):
  O = sum(c s x) / sum(c s). Every richer mechanism is compared against it on the same inputs.
* Bueno de Mesquita's (BDM) expected-utility model of challenges, offers and concessions, in the
  specification pinned below, with BDM's outcome rule: the forecast is the median position
  weighted by c * s once bargaining ends.

Pinned specification
--------------------
Scholz, J. B., Calbert, G. J. & Smith, G. A. (2011), "Unravelling Bueno De Mesquita's group
decision model", Journal of Theoretical Politics 23(4): 510-531 (conference version: ICAART 2011,
pp. 15-24), which reconstructs BDM (1994), "Political forecasting: an expected utility method",
in Bueno de Mesquita & Stokman (eds.), European Community Decision Making, Yale UP, pp. 71-104,
and BDM (1997), "A decision making model: its structure and form", International Interactions
23(3-4): 235-266. The equations below were checked against two public ports of Scholz et al.
(Python: dmasad/BDM_DecisionModel_Replication, whose docstrings cite the paper's sections 2-6 and
appendix steps 2-11; jmckib/bdm-scholz-expected-utility-model), which agree on each of them
except where one has a bug, noted below. The paper's own text was reachable only up to its input
table (Table 1, BDM 1994 p. 78), so the equation numbering is the ports', not checked against the
page.

With d_ij = |x_i - x_j| / span (span = 100, the width of the position scale, so d is in [0, 1]),
risk exponent r in [0.5, 2] and w_k = c_k s_k:

* Probability that i beats j (Scholz et al. sec. 4), each third actor k weighing in by how much
  nearer it is to i than to j::

      P_ij = sum_k w_k (|x_k - x_j| - |x_k - x_i|)^+  /  sum_k w_k ||x_k - x_j| - |x_k - x_i||

  and P_ij = 1/2 when the denominator is 0 (i and j at the same position). So P_ij + P_ji = 1.
  (Known port bug avoided: dividing by the sum of |votes| over *all* pairs of actors, which makes
  every P tiny.)
* Utilities to i of succeeding, failing, the status quo, things getting better or worse
  (sec. 3; BDM 1997)::

      U^s  = 2 - 4 (0.5 - 0.5 d_ij)^r            U^f = 2 - 4 (0.5 + 0.5 d_ij)^r
      U^sq = 2 - 4 (0.5)^r
      U^b  = 2 - 4 (0.5 - 0.25 (|x_i - mu| / span + d_ij))^r
      U^w  = 2 - 4 (0.5 + 0.25 (|x_i - mu| / span + d_ij))^r

  with mu the weighted median position.
* Expected utility of i challenging j (sec. 2.2): the target j resists with probability s_j::

      EU_ij = s_j (P_ij U^s + (1 - P_ij) U^f) + (1 - s_j) U^s
              - Q U^sq - (1 - Q) (T U^b + (1 - T) U^w)

  Q (probability the status quo holds without a challenge) and T (probability a change would
  favour i) are 1 in Scholz et al.'s runs, which removes U^b and U^w.
  "Own" utilities use the challenger's exponent r_i; "perceived" ones (how the target j estimates
  i's EU_ij) use j's exponent r_j. (Known port bug avoided: one port writes
  ``EU -= Q*Usq - (1-Q)*(...)``, which flips the sign of the (1 - Q) term.)
* Endogenous risk (sec. 5), optional: with every r = 1 compute each actor's threat
  S_i = sum_j EU_ji (what the others expect from challenging i), then
  R_i = (2 S_i - max S - min S) / (max S - min S) in [-1, 1] and r_i = (1 - R_i/3)/(1 + R_i/3),
  which lies in [0.5, 2].
* Offers (sec. 6): j challenges i when j's own EU_ji > 0. Target i classifies the challenge with
  its own estimates, a = EU_ij (own) and b = EU_ji as i perceives it:

  - conflict: 0 < a < b, i expects to lose the contest and moves to x_j;
  - compromise: a <= 0 < b and |a| < b, i moves the fraction |a| / b of the way to x_j;
  - capitulation: a < 0 < b and |a| >= b, i gives in and moves to x_j.

  (Known port bug avoided: a capitulation test written ``b < abs(b)``, never true.) A challenge
  that i expects to win (0 < b <= a) moves nobody. Each actor accepts, of the offers it
  received, the one that needs the least movement (Scholz et al.; BDM 1994), and all actors
  move at once.

Two consequences worth knowing. With every r = 1 and Q = 1,
a + b = 4 d_ij (1 - s_j (1 - P_ij) - s_i P_ij) >= 0 when saliences are at most 1, so a target
never expects to lose more than the challenger expects to gain: capitulation occurs only on the
boundary |a| = b (e.g. both saliences 1), where it moves the target exactly as far as a
compromise would. Genuine capitulation needs a risk-averse target (r > 1: failing hurts more than
succeeding pleases). And two actors at one position have EU 0 against each other, so nobody
challenges a like-minded actor.

Docking (docs/docking.md, tests/test_docking.py): on BDM's (1994) EU car-emission example the
compromise is exact and these functions agree with a line-by-line transcription of Scholz et
al.'s equations, but not with their published round-by-round medians (7.0 against 8.4-9.9),
which the published offer rules leave under-determined.
"""

from bisect import bisect_left
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from sim.influence import group_means
from sim.kernels import kernel

POSITION_MIN = 0.0
POSITION_MAX = 100.0
RISK_MIN = 0.5
RISK_MAX = 2.0

#: Offer kinds, in the order of their integer codes.
OFFER_KINDS = ("conflict", "compromise", "capitulation")

#: One row per offer that would move its target: who challenged whom, how the target read it,
#: where the target would end up, whether it took this offer, and the two expected utilities
#: behind the classification (both as the target estimates them).
OFFER_DTYPE = np.dtype(
    [
        ("proposer", np.int32),
        ("target", np.int32),
        ("kind", "U12"),
        ("new_position", np.float64),
        ("accepted", np.bool_),
        ("eu_proposer", np.float64),
        ("eu_target", np.float64),
    ]
)

_KIND_NAMES = np.array(OFFER_KINDS)
_NO_OFFERS = np.empty(0, dtype=OFFER_DTYPE)  # every unrecorded round's offers, read-only
_NO_OFFERS.flags.writeable = False


# --------------------------------------------------------------------------------------------
# Compromise baseline and BDM's outcome rule
# --------------------------------------------------------------------------------------------


@kernel(
    "Tuple((float64[:], float64[:]))(float64[:], int64[:], float64[:], int64[:], int64, "
    "int64[:], float64[:], float64[:], float64[:], float64[:])"
)
def bargaining_table(
    support, member_region, stake, leader_party, n_parties, leading_parties, party_salience,
    ministry_position, ministry_salience, mobilisation,
):  # fmt: skip
    """Positions (0-100) and saliences of the actors at the table (``RelocationModel.bargain``).

    In the table's order: regions, party leaderships, ministries, unions. A region's position
    is its lawmakers' mean support for announcing now, a leadership's its leaders' mean
    (``sim.influence.group_means``), a ministry's its own, and a union's 0 (staying put), with
    the union's mobilisation as its salience. A region's salience is 0.3 + 0.7 |stake|: the
    more the draft gives or takes, the more the decision matters to it, and it matters
    somewhat even with nothing at stake (assumption, docs/ODD.md).

    Args:
        support: (N,) each member's support for announcing now, in [0, 1].
        member_region: (N,) each member's region, -1 for none.
        stake: (R,) each region's stake in the draft, in [-1, 1] (``allocation.stake_of``).
        leader_party: (N,) a leader's party, -1 for the other members.
        n_parties: Number of parties.
        leading_parties: (L,) the parties at the table.
        party_salience: (L,) their leaderships' salience.
        ministry_position: (M,) the ministries' positions, 0-100.
        ministry_salience: (M,) their salience.
        mobilisation: (U,) each union's mobilisation, its salience.
    """
    n_regions, n_leading = stake.shape[0], leading_parties.shape[0]
    region_salience = np.empty(n_regions)
    for r in range(n_regions):
        region_salience[r] = 0.3 + 0.7 * abs(stake[r])
    salience = np.concatenate((region_salience, party_salience, ministry_salience, mobilisation))
    position = np.zeros(salience.shape[0])  # the unions' stay at 0
    regions = group_means(member_region, support, n_regions)
    leaderships = group_means(leader_party, support, n_parties)
    for r in range(n_regions):
        position[r] = 100 * regions[r]
    for j in range(n_leading):
        position[n_regions + j] = 100 * leaderships[leading_parties[j]]
    for j in range(ministry_position.shape[0]):
        position[n_regions + n_leading + j] = ministry_position[j]
    return position, salience


@kernel("float64(float64[:], float64[:], float64[:], float64[:])")
def largest_shift(position, salience, last_position, last_salience):
    """How far the table has moved since bargaining last closed, in points of 100.

    The largest change of any actor's position, or of any salience times 100 (saliences are
    0-1): bargaining reopens once it reaches ``reopen_threshold`` (``RelocationModel.bargain``).
    """
    shift = 0.0
    for k in range(position.shape[0]):
        shift = max(shift, abs(position[k] - last_position[k]))
    for k in range(salience.shape[0]):
        shift = max(shift, 100 * abs(salience[k] - last_salience[k]))
    return shift


def compromise(
    position: ArrayLike, salience: ArrayLike, capability: ArrayLike
) -> float | np.ndarray:
    """Power-weighted mean position, O = sum(c s x) / sum(c s).

    Source: Stokman & Van Oosten (1994), "The exchange of voting positions: an object-oriented
    model of policy networks", in Bueno de Mesquita & Stokman (eds.), European Community
    Decision Making, Yale UP; Achen (2006), "Evaluating political decision-making models", in
    Thomson et al. (eds.), The European Union Decides, Cambridge UP (the "compromise model").

    Args:
        position: (n,) positions on one issue, or (n, k) positions on k independent issues.
        salience: (n,) saliences, or (n, k) one per actor and issue; an (n,) salience with
            (n, k) positions applies the same salience to every issue. Non-negative.
        capability: (n,) capabilities, shared across issues. Non-negative.

    Returns:
        The compromise as a float for one issue, or a (k,) array for k issues. It lies within
        the range of the positions with positive weight.

    Raises:
        ValueError: on mismatched shapes, negative or non-finite inputs, or when sum(c s) = 0 on
            some issue (nobody has power on it, so no weighted mean exists).
    """
    x = np.asarray(position, dtype=float)
    s = np.asarray(salience, dtype=float)
    c = np.asarray(capability, dtype=float)
    if x.ndim not in (1, 2) or x.shape[0] == 0:
        raise ValueError(f"position must be (n,) or (n, k) with n >= 1, got shape {x.shape}")
    n = x.shape[0]
    if c.shape != (n,):
        raise ValueError(f"capability must have shape ({n},), got {c.shape}")
    if x.ndim == 2 and s.shape == (n,):
        s = s[:, None]
    elif s.shape != x.shape:
        raise ValueError(f"salience must have shape {x.shape}, got {s.shape}")
    # (Array methods .all() and .any(): np.all and np.any add a wrapper's cost to each call.)
    for name, arr in (("position", x), ("salience", s), ("capability", c)):
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} must be finite")
    if (s < 0).any() or (c < 0).any():
        raise ValueError("salience and capability must be non-negative")

    weight = c[:, None] * s if x.ndim == 2 else c * s
    total = weight.sum(axis=0)
    if (total <= 0).any():
        issues = np.flatnonzero(np.atleast_1d(total) <= 0).tolist()
        raise ValueError(
            f"sum(c * s) is 0 on issue(s) {issues}: nobody has power there, so the compromise "
            "is undefined"
        )
    result = (weight * x).sum(axis=0) / total
    return float(result) if x.ndim == 1 else result


def weighted_median(position: ArrayLike, weight: ArrayLike) -> float:
    """Weighted median position: BDM's forecast of the outcome under majority rule.

    Source: BDM (1994, pp. 79-81; 1997, p. 239): with majority rule in force the predicted
    outcome is the median voter's position, voters weighted by capability x salience, once
    bargaining has ended; the median voter theorem is Black (1948), J. Political Economy
    56(1): 23-34. In one dimension the weighted median is the Condorcet winner of the weighted
    pairwise votes that BDM uses.

    Args:
        position: (n,) positions on one issue.
        weight: (n,) non-negative weights, c * s for BDM.

    Returns:
        The smallest position at which the cumulative weight (positions sorted) reaches half the
        total. If it reaches exactly half (to 1e-12 relative) the median is the whole interval to
        the next position, and its midpoint is returned, so the rule is mirror-symmetric.

    Raises:
        ValueError: on mismatched shapes, negative or non-finite values, or zero total weight.
    """
    x = np.asarray(position, dtype=float)
    w = np.asarray(weight, dtype=float)
    if x.ndim != 1 or w.shape != x.shape or x.size == 0:
        raise ValueError(f"position and weight must be equal-length 1-D, got {x.shape}, {w.shape}")
    if not (np.isfinite(x).all() and np.isfinite(w).all()) or (w < 0).any():
        raise ValueError("positions must be finite and weights finite and non-negative")
    if not w.sum() > 0:
        raise ValueError("total weight is 0: the weighted median is undefined")
    return _weighted_median(x, w)


def _weighted_median(x: np.ndarray, w: np.ndarray) -> float:
    """:func:`weighted_median` on validated input (finite, w >= 0, sum(w) > 0)."""
    # (Array methods rather than np.argsort and np.cumsum, which only add a wrapper's cost.)
    order = x.argsort(kind="stable")
    xs = x[order]
    ws = w[order]
    # The running totals as Python floats (the same doubles): bisect and scalar arithmetic on
    # them cost a fraction of numpy's on numpy scalars, and these arrays are short.
    cumulative = ws.cumsum().tolist()
    total = cumulative[-1]
    half = 0.5 * total
    tol = 1e-12 * total
    m = bisect_left(cumulative, half - tol)  # first index with cumulative >= half
    if abs(cumulative[m] - half) <= tol:
        # Exactly half the weight at or below xs[m]: the median is the interval up to the next
        # position that carries weight (zero-weight actors do not vote).
        above = np.flatnonzero(ws[m + 1 :] > 0)
        if above.size:
            return float(0.5 * (xs[m] + xs[m + 1 + above[0]]))
    return float(xs[m])


# --------------------------------------------------------------------------------------------
# BDM expected-utility model (Scholz, Calbert & Smith 2011)
# --------------------------------------------------------------------------------------------


def bdm_win_probabilities(
    position: ArrayLike, salience: ArrayLike, capability: ArrayLike
) -> np.ndarray:
    """Probability that each actor beats each other actor in a contest, P[i, j].

    Source: Scholz, Calbert & Smith (2011), sec. 4, after BDM (1994, 1997)::

        P_ij = sum_k c_k s_k (|x_k - x_j| - |x_k - x_i|)^+
               / sum_k c_k s_k ||x_k - x_j| - |x_k - x_i||

    Every actor k (i and j included) backs the contestant it is nearer to, with its effective
    power c_k s_k times how much nearer it is. Where nobody takes sides (denominator 0: i and j
    at one position, or all power equidistant) P_ij = 1/2. Hence P + P.T = 1 and 0 <= P <= 1,
    both asserted.

    Args:
        position: (n,) positions on [0, 100].
        salience: (n,) saliences in [0, 1].
        capability: (n,) capabilities >= 0.

    Returns:
        (n, n) matrix, ``P[i, j]`` the probability that i beats j; the diagonal is 1/2.

    Raises:
        ValueError: on invalid inputs (see :func:`bdm_round`).
    """
    x, s, c = _validate_issue(position, salience, capability)
    return _win_probabilities(np.abs(x[:, None] - x[None, :]), c * s)


def bdm_expected_utilities(
    position: ArrayLike,
    salience: ArrayLike,
    capability: ArrayLike,
    risk: ArrayLike,
    *,
    span: float = POSITION_MAX - POSITION_MIN,
    q: float = 1.0,
    t: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Expected utility of each actor challenging each other actor, own and as perceived.

    Source: Scholz, Calbert & Smith (2011), secs. 2.2 and 3, after BDM (1997)::

        EU_ij = s_j (P_ij U^s + (1 - P_ij) U^f) + (1 - s_j) U^s - Q U^sq
                - (1 - Q) (T U^b + (1 - T) U^w)

    with U^s = 2 - 4 (0.5 - 0.5 d)^r, U^f = 2 - 4 (0.5 + 0.5 d)^r, U^sq = 2 - 4 (0.5)^r,
    U^b, U^w = 2 - 4 (0.5 -/+ 0.25 (|x_i - mu| / span + d))^r, d = |x_i - x_j| / span and mu the
    weighted median position. The utility curve's exponent r is the only thing that differs
    between the challenger's own estimate and the target's estimate of it.

    Args:
        position: (n,) positions on [0, 100].
        salience: (n,) saliences in [0, 1]; the target's salience is the chance it resists.
        capability: (n,) capabilities >= 0.
        risk: risk exponent(s) r, a scalar for everyone or (n,), each in [0.5, 2]. Utility
            is concave in the outcome for r > 1 (losing a contest hurts more than winning
            pleases: risk-averse), linear at 1, convex for r < 1 (risk-acceptant).
        span: width of the position scale used to turn distances into [0, 1]; 100 for the
            [0, 100] scale. Scholz et al. use the range of the issue (e.g. 6 for BDM's example).
        q: Q, probability that the status quo holds if i does not challenge; 1 in the paper.
        t: T, probability that a change of the status quo would favour i; 1 in the paper.

    Returns:
        ``(own, perceived)``, two (n, n) arrays. ``own[i, j]`` is i's expected utility of
        challenging j computed with r_i; ``perceived[i, j]`` is the same quantity as j estimates
        it, computed with r_j. Diagonals are 0; so is any pair at one position.

    Raises:
        ValueError: on invalid inputs (see :func:`bdm_round`).
    """
    x, s, c = _validate_issue(position, salience, capability)
    r = _validate_risk(risk, x.size)
    _validate_model_constants(x, span, q, t)
    dist = np.abs(x[:, None] - x[None, :])
    w = c * s
    prob = _win_probabilities(dist, w)
    deviation = _median_deviation(x, w, span, q)
    resisted = s * prob.T
    if r.ndim == 0:
        own = _expected_utility(dist / span, resisted, float(r), q, t, deviation)
        return own, own.copy()
    own = _expected_utility(dist / span, resisted, r[:, None], q, t, deviation)
    perceived = _expected_utility(dist / span, resisted, r[None, :], q, t, deviation)
    return own, perceived


def bdm_risk_exponents(
    position: ArrayLike,
    salience: ArrayLike,
    capability: ArrayLike,
    *,
    span: float = POSITION_MAX - POSITION_MIN,
    q: float = 1.0,
    t: float = 1.0,
) -> np.ndarray:
    """Endogenous risk exponents, read off how exposed each actor's position is.

    Source: Scholz, Calbert & Smith (2011), sec. 5 and appendix steps 2, 8-9, after BDM (1985),
    "The war trap revisited", APSR 79(1): 156-177. With every r = 1, S_i = sum_j EU_ji is how
    much the others expect to gain by challenging i; then
    R_i = (2 S_i - max S - min S) / (max S - min S) and r_i = (1 - R_i / 3) / (1 + R_i / 3).
    BDM's reading: an actor that holds the most exposed position has shown it accepts risk
    (r = 0.5, convex utility), one that holds the safest position is risk-averse (r = 2).

    Args:
        position: (n,) positions on [0, 100].
        salience: (n,) saliences in [0, 1].
        capability: (n,) capabilities >= 0.
        span: width of the position scale (see :func:`bdm_expected_utilities`).
        q: Q of :func:`bdm_expected_utilities`.
        t: T of :func:`bdm_expected_utilities`.

    Returns:
        (n,) exponents in [0.5, 2]: 0.5 for the most threatened actor, 2 for the least. All 1
        when every actor is equally threatened (including a single actor).

    Raises:
        ValueError: on invalid inputs (see :func:`bdm_round`).
    """
    x, s, c = _validate_issue(position, salience, capability)
    _validate_model_constants(x, span, q, t)
    dist = np.abs(x[:, None] - x[None, :])
    w = c * s
    prob = _win_probabilities(dist, w)
    return _endogenous_risk(dist / span, prob, s, q, t, _median_deviation(x, w, span, q))


def bdm_round(
    position: ArrayLike,
    salience: ArrayLike,
    capability: ArrayLike,
    risk: ArrayLike | None,
    *,
    span: float = POSITION_MAX - POSITION_MIN,
    q: float = 1.0,
    t: float = 1.0,
    record: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """One round of BDM challenges: every actor makes offers, every actor takes at most one.

    Source: Scholz, Calbert & Smith (2011), sec. 6 and appendix step 11, after BDM (1994, 1997).
    Actor j challenges i when its own EU_ji > 0. The target i reads the challenge with its own
    estimates a = EU_ij and b = EU_ji (as i perceives it): conflict if 0 < a < b (i moves to
    x_j), compromise if a <= 0 < b and |a| < b (i moves the fraction |a| / b towards x_j),
    capitulation if a < 0 < b and |a| >= b (i moves to x_j). Each actor accepts the offer that
    moves it least; ties go to the lowest proposer index. All actors move simultaneously.

    Args:
        position: (n,) positions on [0, 100].
        salience: (n,) saliences in [0, 1].
        capability: (n,) capabilities >= 0.
        risk: risk exponent(s) in [0.5, 2], a scalar for everyone or (n,); None derives them
            from the current positions as Scholz et al. do (:func:`bdm_risk_exponents`).
        span: width of the position scale (see :func:`bdm_expected_utilities`).
        q: Q of :func:`bdm_expected_utilities`.
        t: T of :func:`bdm_expected_utilities`.
        record: build the offers record; False returns an empty one and saves about a fifth
            of the round's time, for runs that do not log offers.

    Returns:
        ``(new_position, offers)``: the (n,) positions after the round, each between the old
        position and the accepted proposer's, so inside [0, 100] (asserted); and a structured
        array of dtype :data:`OFFER_DTYPE`, one row per offer that would move its target
        (fields proposer, target, kind, new_position, accepted, eu_proposer, eu_target), sorted
        by target then proposer. Rows with ``accepted`` set say who moved whom and why.

    Raises:
        ValueError: if positions are not finite or outside [0, 100], saliences outside [0, 1],
            capabilities negative, risk outside [0.5, 2], shapes mismatch, the positions spread
            wider than ``span``, or q, t are outside [0, 1].
    """
    x, s, c = _validate_issue(position, salience, capability)
    r = None if risk is None else _validate_risk(risk, x.size)
    _validate_model_constants(x, span, q, t)
    new_x, offers, _ = _round(x, s, c * s, r, span, q, t, record)
    _assert_in_range(new_x)
    return new_x, offers


@dataclass(frozen=True)
class BargainResult:
    """Outcome of :func:`bdm_bargain`; every array is read-only.

    Attributes:
        positions: (n,) final positions.
        forecast: BDM's predicted outcome, the c*s-weighted median of the final positions.
        compromise: the compromise (c*s-weighted mean) of the final positions.
        offers: one :data:`OFFER_DTYPE` array per round, the offers of that round.
        trajectory: (rounds + 1, n) positions, the initial ones first.
        risk: (rounds, n) risk exponents used in each round.
    """

    positions: np.ndarray
    forecast: float
    compromise: float
    offers: tuple[np.ndarray, ...]
    trajectory: np.ndarray
    risk: np.ndarray


def bdm_bargain(
    position: ArrayLike,
    salience: ArrayLike,
    capability: ArrayLike,
    risk: ArrayLike | None,
    rounds: int,
    *,
    span: float = POSITION_MAX - POSITION_MIN,
    q: float = 1.0,
    t: float = 1.0,
    record: bool = True,
) -> BargainResult:
    """Run BDM bargaining for a fixed number of rounds and forecast the outcome.

    Source: Scholz, Calbert & Smith (2011), appendix steps 1-12 (rounds of :func:`bdm_round`);
    the forecast is BDM's (1994, 1997) outcome rule, the median position weighted by
    capability x salience at the end of bargaining (:func:`weighted_median`). The compromise of
    the final positions (Stokman & Van Oosten 1994) is reported beside it as the baseline.

    Args:
        position: (n,) initial positions on [0, 100].
        salience: (n,) saliences in [0, 1], fixed during bargaining.
        capability: (n,) capabilities >= 0 with sum(c s) > 0.
        risk: risk exponent(s) in [0.5, 2], scalar or (n,); None recomputes them every round
            from the current positions, as Scholz et al. do.
        rounds: number of rounds, >= 0. A round in which nobody moves would repeat exactly, so
            later rounds reuse its result instead of recomputing it.
        span: width of the position scale (see :func:`bdm_expected_utilities`).
        q: Q of :func:`bdm_expected_utilities`.
        t: T of :func:`bdm_expected_utilities`.
        record: keep each round's offers; False leaves them empty (see :func:`bdm_round`).

    Returns:
        A :class:`BargainResult`.

    Raises:
        ValueError: on invalid inputs (see :func:`bdm_round`), a negative ``rounds``, or
            sum(c s) = 0 (no forecast exists).
    """
    x, s, c = _validate_issue(position, salience, capability)
    fixed_risk = None if risk is None else _validate_risk(risk, x.size)
    _validate_model_constants(x, span, q, t)
    if int(rounds) != rounds or rounds < 0:
        raise ValueError(f"rounds must be a non-negative integer, got {rounds}")
    w = c * s
    total = w.sum()
    if not total > 0:
        raise ValueError("sum(c * s) is 0: nobody has power on the issue, so no forecast exists")

    trajectory = np.empty((int(rounds) + 1, x.size))
    risks = np.empty((int(rounds), x.size))
    trajectory[0] = x
    offers: list[np.ndarray] = []
    current = x
    for k in range(int(rounds)):
        if k > 0 and (trajectory[k] == trajectory[k - 1]).all():
            # Same state as last round, so the same offers and risks: reuse them.
            offers.append(offers[-1])
            risks[k] = risks[k - 1]
            trajectory[k + 1] = current
            continue
        current, round_offers, used_risk = _round(current, s, w, fixed_risk, span, q, t, record)
        offers.append(round_offers)
        risks[k] = used_risk
        trajectory[k + 1] = current
    _assert_in_range(trajectory)

    for arr in (trajectory, risks, *offers):
        arr.flags.writeable = False
    final = trajectory[-1]
    return BargainResult(
        positions=final,
        forecast=_weighted_median(final, w),
        compromise=float(w.dot(final) / total),
        offers=tuple(offers),
        trajectory=trajectory,
        risk=risks,
    )


# --------------------------------------------------------------------------------------------
# Internals: validated float arrays in, no re-validation (this is the hot loop)
# --------------------------------------------------------------------------------------------


def _validate_issue(
    position: ArrayLike, salience: ArrayLike, capability: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check one issue's inputs and return them as float arrays (x, s, c)."""
    x = np.asarray(position, dtype=float)
    s = np.asarray(salience, dtype=float)
    c = np.asarray(capability, dtype=float)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(
            f"BDM bargains over one issue at a time: position must be (n,), got {x.shape}"
        )
    if s.shape != x.shape or c.shape != x.shape:
        raise ValueError(
            f"salience {s.shape} and capability {c.shape} must match position {x.shape}"
        )
    # Each test reads "not (lo <= min and max <= hi)", so NaN fails it as well.
    if not (POSITION_MIN <= x.min() and x.max() <= POSITION_MAX):
        raise ValueError(f"positions must be finite and lie in [{POSITION_MIN}, {POSITION_MAX}]")
    if not (0.0 <= s.min() and s.max() <= 1.0):
        raise ValueError("saliences must be finite and lie in [0, 1]")
    if not (0.0 <= c.min() and c.max() < np.inf):
        raise ValueError("capabilities must be finite and non-negative")
    return x, s, c


def _validate_risk(risk: ArrayLike, n: int) -> np.ndarray:
    """Return risk as a 0-d value (one exponent for all) or an (n,) array, each in [0.5, 2]."""
    r = np.asarray(risk, dtype=float)
    if r.ndim == 0:
        value = float(r)
    elif r.shape == (n,):
        low, high = r.min(), r.max()
        if not (RISK_MIN <= low and high <= RISK_MAX):
            raise ValueError(f"risk exponents must lie in [{RISK_MIN}, {RISK_MAX}]")
        if low != high:
            return r
        value = float(low)  # one exponent for everyone: own and perceived EU coincide
    else:
        raise ValueError(f"risk must be a scalar or have shape ({n},), got {r.shape}")
    if not RISK_MIN <= value <= RISK_MAX:
        raise ValueError(f"risk exponents must lie in [{RISK_MIN}, {RISK_MAX}], got {value}")
    return np.float64(value)


def _validate_model_constants(x: np.ndarray, span: float, q: float, t: float) -> None:
    """Check span, Q and T; distances over ``span`` must stay within [0, 1]."""
    if not 0 < span < np.inf:
        raise ValueError(f"span must be positive and finite, got {span}")
    spread = x.max() - x.min()
    if spread > span * (1 + 1e-12):
        raise ValueError(f"positions spread over {spread}, wider than span={span}")
    if not (0 <= q <= 1 and 0 <= t <= 1):
        raise ValueError(f"q and t are probabilities, got q={q}, t={t}")


@kernel("float64[:, :](float64[:, :], float64[:])")
def _win_backing(dist, w):
    """backing[i, j] = sum_k 2 w_k (|x_k - x_j| - |x_k - x_i|)^+, summed over k in order.

    The weight of those nearer to i than to j: the numerator of P_ij. A compiled loop over
    the n^3 terms, with k's order fixed, so that the sum does not depend on BLAS or CPU (BDM's
    "accept the offer that moves you least" can turn a difference of 1e-13 into another
    position).

    Args:
        dist: (n, n) ``dist[k, i] = |x_k - x_i|``.
        w: (n,) weights c s.
    """
    n = w.shape[0]
    backing = np.zeros((n, n))
    for k in range(n):
        for i in range(n):
            for j in range(n):
                gap = dist[k, j] - dist[k, i]
                if gap > 0.0:
                    backing[i, j] += w[k] * (gap + gap)
    return backing


def _win_probabilities(dist: np.ndarray, w: np.ndarray) -> np.ndarray:
    """P[i, j] from the distance matrix ``dist[k, i] = |x_k - x_i|`` and weights w = c s."""
    n = w.size
    backing = _win_backing(dist, w)
    # |g| = g^+ + (-g)^+ and gap_kji = -gap_kij, so the denominator is backing + backing.T:
    # exactly symmetric, which keeps P + P.T = 1 to rounding, and a lone powerful actor nearer
    # to i than to j gives P_ij = 1 exactly. (Numpy is faster on a transposed copy than on a
    # transposed operand.)
    contested = backing + backing.T.copy()
    prob = np.empty((n, n))
    prob.fill(0.5)
    np.divide(backing, contested, out=prob, where=contested > 0.0)
    assert prob.min() >= 0.0 and prob.max() <= 1.0, "win probabilities left [0, 1]"
    # max |P + P.T - 1| <= 1e-12, read off the extremes of P + P.T: with P in [0, 1], t - 1.0
    # is exact wherever it could pass, so this is the same test in fewer array passes.
    total = prob + prob.T.copy()
    assert total.min() - 1.0 >= -1e-12 and total.max() - 1.0 <= 1e-12, "P + P.T != 1"
    return prob


def _assert_in_range(positions: np.ndarray) -> None:
    """Positions after a round lie between the old and the proposer's, so inside [0, 100]."""
    assert positions.min() >= POSITION_MIN and positions.max() <= POSITION_MAX, (
        "position left [0, 100]"
    )


def _median_deviation(x: np.ndarray, w: np.ndarray, span: float, q: float) -> np.ndarray | None:
    """|x_i - mu| / span with mu the weighted median; only needed (and computed) when Q < 1.

    An (n, 1) column, as the challenger i indexes the rows of :func:`_expected_utility`'s EU.
    """
    if q == 1.0:
        return None
    if not w.sum() > 0:
        raise ValueError("Q < 1 needs the median position, undefined when sum(c * s) = 0")
    return (np.abs(x - _weighted_median(x, w)) / span)[:, None]


def _expected_utility(
    d: np.ndarray,
    resisted: np.ndarray,
    r: float | np.ndarray,
    q: float,
    t: float,
    deviation: np.ndarray | None,
) -> np.ndarray:
    """EU[i, j] of i challenging j, for scaled distances d and the target's resistance.

    ``resisted[i, j] = s_j P_ji``: the target j resists with probability s_j, then wins the
    contest with probability 1 - P_ij = P_ji. ``r`` is the challenger's exponent and
    ``deviation`` its |x_i - mu| / span (None when Q = 1), each broadcasting to d's shape.
    As d is symmetric, passing ``resisted`` and ``deviation`` (and an array r) transposed
    gives EU transposed, EU_ij at [j, i].

    Uses (0.5 -/+ 0.5 d)^r = 0.5^r (1 -/+ d)^r, so with g = 4 * 0.5^r
    U^s - U^sq = g (1 - (1 - d)^r) and U^s - U^f = g ((1 + d)^r - (1 - d)^r); then
    EU = U^s - U^sq - s_j (1 - P_ij) (U^s - U^f) when Q = 1. This is the equation of
    :func:`bdm_expected_utilities`, rearranged to cut array passes in the hot loop.
    """
    if isinstance(r, float) and r == 1.0:  # the default: risk-neutral, no powers needed
        nearer, farther, g = 1.0 - d, 1.0 + d, 2.0
    else:
        nearer, farther, g = (1.0 - d) ** r, (1.0 + d) ** r, 4.0 * 0.5**r
    # eu = g ((1 - nearer) - resisted (farther - nearer)), each step in place (fewer arrays).
    farther -= nearer
    farther *= resisted
    eu = np.subtract(1.0, nearer, out=nearer)
    eu -= farther
    eu *= g
    if deviation is None:  # Q = 1: without a challenge the status quo holds for sure
        return eu
    u_status_quo = 2.0 - 4.0 * 0.5**r
    spread = 0.25 * (deviation + d)
    u_better = 2.0 - 4.0 * (0.5 - spread) ** r
    u_worse = 2.0 - 4.0 * (0.5 + spread) ** r
    # eu above already subtracts U^sq in full; replace that by the Q-weighted mixture.
    return eu + u_status_quo - (q * u_status_quo + (1.0 - q) * (t * u_better + (1.0 - t) * u_worse))


def _endogenous_risk(
    d: np.ndarray,
    prob: np.ndarray,
    s: np.ndarray,
    q: float,
    t: float,
    deviation: np.ndarray | None,
) -> np.ndarray:
    """Scholz et al.'s risk exponents from the r = 1 expected utilities (sec. 5)."""
    eu = _expected_utility(d, s * prob.T, 1.0, q, t, deviation)
    threat = eu.sum(axis=0)  # threat[i] = sum_j EU_ji; the diagonal is 0
    high, low = threat.max(), threat.min()
    if high - low <= 1e-12 * max(1.0, abs(high), abs(low)):
        return np.ones_like(threat)
    acceptance = (2.0 * threat - high - low) / (high - low)
    exponent = (1.0 - acceptance / 3.0) / (1.0 + acceptance / 3.0)
    # Exactly [0.5, 2] in exact arithmetic; clip the rounding at the two extremes.
    return np.minimum(np.maximum(exponent, RISK_MIN), RISK_MAX)


def _round(
    x: np.ndarray,
    s: np.ndarray,
    w: np.ndarray,
    risk: np.ndarray | None,
    span: float,
    q: float,
    t: float,
    record: bool = True,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """One BDM round on validated inputs; returns (new positions, offers, risk used).

    The offers are empty unless ``record``; the risk is 0-d when one exponent served everyone.
    The new positions are not checked against [0, 100] here: callers assert that once on all
    the rounds they ran.
    """
    n = x.size
    dist = np.abs(x[:, None] - x)
    d = dist / span
    prob = _win_probabilities(dist, w)
    deviation = _median_deviation(x, w, span, q)
    if risk is None:
        risk = _endogenous_risk(d, prob, s, q, t, deviation)
        if (risk == risk[0]).all():
            risk = risk[0]

    # Rows are targets i, columns proposers j.
    if risk.ndim == 0:
        # Everyone shares one exponent, so one EU matrix serves all, computed straight into
        # this layout (the transposed one of EU_ij, d being symmetric) so that the arrays
        # below are C-contiguous: numpy is several times slower on transposed operands.
        eu_proposer = _expected_utility(  # j's EU of challenging i
            d, s[:, None] * prob, float(risk), q, t, None if deviation is None else deviation.T
        )
        eu_target = eu_proposer.T  # i's own EU of challenging j
        offer = eu_proposer > 0.0
    else:
        resisted = s * prob.T
        own = _expected_utility(d, resisted, risk[:, None], q, t, deviation)
        perceived = _expected_utility(d, resisted, risk[None, :], q, t, deviation)
        eu_proposer = perceived.T  # j's EU of challenging i as i estimates it (with r_i)
        # j challenges when its own estimate is positive; i reacts only if it agrees.
        offer = (own.T > 0.0) & (eu_proposer > 0.0)
        eu_target = own  # i's own EU of challenging j

    # Classify every offer by ratio = -a / b (a = eu_target, b = eu_proposer > 0):
    #   ratio <= -1      a >= b > 0: i expects to win the conflict, nobody moves;
    #   -1 < ratio < 0   0 < a < b: conflict that i loses, i moves all the way;
    #   0 <= ratio < 1   compromise, i moves the fraction |a| / b;
    #   ratio >= 1       capitulation, i moves all the way.
    # Where there is no offer the ratio is a placeholder (a / 1, cheaper than a masked
    # division) that ``moving`` masks out: nothing below reads it outside ``moving``.
    ratio = np.where(offer, eu_proposer, 1.0)
    np.divide(eu_target, ratio, out=ratio)
    np.negative(ratio, out=ratio)
    moving = ratio > -1.0
    moving &= offer
    fraction = np.where(ratio < 0.0, 1.0, np.minimum(ratio, 1.0))
    movement = np.where(moving, fraction * dist, np.inf)

    choice = movement.argmin(axis=1)
    chosen = choice + np.arange(0, n * n, n)  # flat indices of (i, choice[i])
    accepts = movement.ravel()[chosen] < np.inf
    step = np.where(accepts, fraction.ravel()[chosen], 0.0)
    goal = x[choice]
    # Land exactly on the proposer for full moves, and never overshoot it through rounding.
    new_x = np.where(step == 1.0, goal, x + step * (goal - x))
    new_x = np.minimum(np.maximum(new_x, np.minimum(x, goal)), np.maximum(x, goal))

    if not record:
        return new_x, _NO_OFFERS, risk
    flat = moving.ravel().nonzero()[0]
    target_idx, proposer_idx = np.divmod(flat, n)
    r = ratio.ravel()[flat]
    f = fraction.ravel()[flat]
    start, end = x[target_idx], x[proposer_idx]
    offers = np.empty(flat.size, dtype=OFFER_DTYPE)
    offers["proposer"] = proposer_idx
    offers["target"] = target_idx
    offers["kind"] = _KIND_NAMES[(r >= 0.0).view(np.int8) + (r >= 1.0).view(np.int8)]
    offers["new_position"] = np.where(f == 1.0, end, start + f * (end - start))
    offers["accepted"] = accepts[target_idx] & (choice[target_idx] == proposer_idx)
    offers["eu_proposer"] = eu_proposer.ravel()[flat]
    offers["eu_target"] = eu_target.ravel()[flat]
    return new_x, offers, risk
