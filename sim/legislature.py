"""Acts in the National Assembly: recognition of a proposer, disciplined votes, fast-track.

An institution whose HQ an Act fixes in Seoul (KDB, IBK, KEXIM) moves only once the Assembly
amends that Act. Each week a pending bill's committee may take it up: a proposer is recognised
with probability proportional to their recognition weight (Baron & Ferejohn 1989, "Bargaining
in legislatures", APSR 83). A member weighs the cues of her competing principals (Carey 2007,
"Competing principals, political institutions, and party unity in legislative voting", AJPS
51): her constituency's gain from the bill, her party's whip (Cox & McCubbins 2005 on party
agenda control; optionally as strong as her party's leadership is committed to it) and her
faction leader's stance; and, weakest, the norm of reciprocity that backs a colleague's bill
when nothing weightier is at stake (universalism: Weingast 1979, "A rational choice perspective
on congressional norms", AJPS 23). When they conflict she follows the weightiest (Kingdon 1989,
"Congressmen's Voting Decisions", 3rd ed., ch. 10: the consensus mode of decision), and votes
yes when that cue, plus her caucus's mood of the day, outweighs logistic noise (the
random-utility vote of Baron & Ferejohn's members). With a band set, a member whose utility
lies near zero abstains (an ordered logit of no, abstain and yes: McKelvey & Zavoina
1975, "A statistical model for the analysis of ordinal level dependent variables", J. Math.
Sociology 4; indifferent members abstain: Cohen & Noll 1991, "How to vote, whether to vote",
Political Behavior 13(2)), unless the chamber bars abstention. A bill stuck in committee can
be designated for the fast track by 3/5 of all members (National Assembly Act Art. 85-2), a
supermajority pivot in Krehbiel's (1998) sense.
"""

import math

import numpy as np

from sim.kernels import kernel


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


def committed_whip(whip: np.ndarray, support: np.ndarray) -> np.ndarray:
    """Each party's whip weighted by its leadership's commitment to it, in [-1, 1].

    A leadership presses its members as hard as it cares about the outcome: party pressure
    shows on the votes its leaders count as theirs (Snyder & Groseclose 2000, "Estimating
    party influence in congressional roll-call voting", AJPS 44), and a leader's cue moves
    members when the leader is seen to mean it (Kingdon 1989, ch. 4). The commitment is the
    leadership's support s for the bill for a yes whip and 1 - s for a no whip (assumption in
    form: linear, and 1 only for a leadership wholly for, or wholly against, the bill). So a
    whip agreed between floor leaders for a bill the leadership barely supports weighs little,
    and a government whipping its own pledge weighs almost fully.

    Args:
        whip: (P,) each party's declared whip: +1 yes, -1 no, 0 free.
        support: (P,) its leadership's support for the bill, in [0, 1]; NaN where the party
            has no leader to be committed or not, whose whip then keeps its full weight.

    Returns:
        (P,) the committed whips: whip * s where whip > 0, whip * (1 - s) where it is < 0, 0
        on a free vote, whip itself where s is NaN.
    """
    whip = np.asarray(whip, dtype=float)
    support = np.asarray(support, dtype=float)
    commitment = np.where(whip > 0, support, 1.0 - support)
    return whip * np.where(np.isnan(support), 1.0, commitment)


@kernel("float64[:](int64[:], boolean[:], float64[:], int64)")
def leadership_support(party, leader, support, n_parties):
    """(P,) each party's leaders' mean support for a bill; NaN for a party with no leader.

    Args:
        party: (N,) each member's party.
        leader: (N,) bool, the party leaders.
        support: (N,) each member's support for the bill, in [0, 1].
        n_parties: P.
    """
    total = np.zeros(n_parties)
    count = np.zeros(n_parties)
    for j in range(party.shape[0]):  # in member order: a fixed order of summation
        if leader[j]:
            total[party[j]] += support[j]
            count[party[j]] += 1.0
    mean = np.full(n_parties, np.nan)
    for p in range(n_parties):
        if count[p] > 0:
            mean[p] = total[p] / count[p]
    return mean


CUES = ("constituency", "whip", "faction", "reciprocity")
"""The cues a member weighs, in the order that breaks a tie: the constituency first (Kingdon
1989 finds it the weightiest actor in a member's field), reciprocity last (it decides only where
nothing else weighs as much)."""


def member_cues(
    regional_gain: np.ndarray,
    party_line: np.ndarray,
    discipline: np.ndarray,
    faction_line: np.ndarray,
    regional_strength: float,
    discipline_strength: float,
    reciprocity: float,
) -> np.ndarray:
    """The logit weight of each cue for each member, signed (+ for yes), in the order of CUES.

    - constituency: a * gain, the value of the bill to her constituency, in [-1, 1];
    - whip: b * discipline * line, her party's whip (+1 for, -1 against, 0 free) weighted by
      how disciplined the party is;
    - faction: b * faction_line, her faction leader's stance on the bill, in [-1, 1] (0 outside
      a faction). A faction is a party within the party (Carey 2007), so its leader's cue has
      the whip's full weight, undiscounted by the party's discipline (assumption): a leader
      sure of her stance can carry her members against a whip.
    - reciprocity: r, the same for every member and every bill: the norm of universalism, by
      which a member backs a colleague's bill for a region's benefit, expecting the same for
      her own (Weingast 1979; Weingast, Shepsle & Johnsen 1981, "The political economy of
      benefits and costs", JPE 89). Being the same for all, it decides only for a member whose
      other cues weigh less: no stake in the bill, and a free vote or a weak whip.

    Args:
        regional_gain: (n,) value of the bill to each member's constituency, in [-1, 1].
        party_line: (n,) the whip of the member's party, in [-1, 1].
        discipline: (n,) the member's party discipline, in [0, 1].
        faction_line: (n,) her faction leader's stance on the bill, in [-1, 1].
        regional_strength: a, logit weight of regional gain.
        discipline_strength: b, logit weight of a whip.
        reciprocity: r >= 0, logit weight of the norm of reciprocity.

    Returns:
        (4, n) signed cues.
    """
    return np.stack([
        regional_strength * regional_gain,
        discipline_strength * discipline * party_line,
        discipline_strength * faction_line,
        np.full(len(regional_gain), float(reciprocity)),
    ])  # fmt: skip


def weightiest_cue(cues: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each member's weightiest cue (Kingdon 1989's consensus mode).

    When her cues agree, the weightiest has their common sign: she votes with her field. When
    they conflict, the cue of largest magnitude decides; a tie goes to the earlier cue in CUES.

    Args:
        cues: (k, n) signed cues (``member_cues``).

    Returns:
        The (n,) signed value of each member's weightiest cue, and its (n,) row in ``cues``.
    """
    which = np.abs(cues).argmax(axis=0)  # argmax takes the first of equal magnitudes
    return cues[which, np.arange(cues.shape[1])], which


def yes_probability(utility: np.ndarray, noise: float) -> np.ndarray:
    """Each member's probability of voting yes: logistic(utility / noise).

    Args:
        utility: (n,) the logit utility of voting yes (her weightiest cue plus her caucus's
            shock of the day).
        noise: Scale of the logistic noise (> 0).

    Returns:
        (n,) probabilities in [0, 1] (0 or 1 only where the utility dwarfs the noise).
    """
    z = np.asarray(utility, dtype=float) / noise
    # exp of a non-positive number only: no overflow however small the noise.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def cast_votes(p_yes: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Turn probabilities into votes with uniform draws from the model's RNG: yes if u < p."""
    return uniform < p_yes


def ordered_votes(
    utility: np.ndarray, noise: float, band: float, uniform: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Yes, abstain or no by an ordered logit with one uniform draw per member.

    P(yes) = logistic((U - c) / s) and P(no) = logistic((-U - c) / s); she abstains otherwise,
    with probability logistic((U + c) / s) - logistic((U - c) / s). With the uniform u she votes
    yes if u < P(yes), no if u >= 1 - P(no), and abstains in between. At c = 0 nobody abstains
    and the votes are ``cast_votes(yes_probability(U, s), u)``.

    Args:
        utility: (n,) the logit utility of voting yes.
        noise: s, the scale of the logistic noise (> 0).
        band: c >= 0, the half-width of the band in which she abstains.
        uniform: (n,) uniform draws.

    Returns:
        (n,) bool yes votes, and (n,) bool abstentions.
    """
    yes = cast_votes(yes_probability(utility - band, noise), uniform)
    abstain = ~yes & cast_votes(yes_probability(utility + band, noise), uniform)
    return yes, abstain


def majority(yes: int, members: int) -> bool:
    """A simple majority: strictly more than half of ``members`` vote yes."""
    return yes > members / 2


def supermajority(yes: int, members: int, share: float) -> bool:
    """At least ``share`` of ``members`` vote yes, e.g. the fast track's 3/5 (Art. 85-2)."""
    return yes >= math.ceil(share * members - 1e-9)


def recognise(rng: np.random.Generator, weights: np.ndarray) -> int:
    """Draw the recognised proposer: i with probability weights_i / sum(weights).

    The draw ``rng.choice(len(weights), p=recognition_probabilities(weights))`` makes, with its
    one uniform, at a fraction of its cost: the same seed recognises the same member.
    """
    return first_past(weights, rng.random())


@kernel("int64(float64[:], float64)")
def first_past(weights, uniform):
    """The first i whose cumulative share of ``weights`` exceeds ``uniform`` (numpy's choice).

    As ``Generator.choice`` with p: the cumulative sum of the probabilities, divided by its
    last entry, searched for the uniform draw from the right.
    """
    total = 0.0
    for w in weights:
        if w < 0:
            raise ValueError("recognition weights must be non-negative with a positive sum")
        total += w
    if not total > 0:
        raise ValueError("recognition weights must be non-negative with a positive sum")
    cdf = np.empty(weights.shape[0])
    running = 0.0
    for i in range(weights.shape[0]):
        running += weights[i] / total
        cdf[i] = running
    return np.searchsorted(cdf / cdf[-1], uniform, side="right")


@kernel("float64(float64)")
def logistic(z):
    """1 / (1 + exp(-z)), as ``yes_probability`` computes it: exp of a non-positive number."""
    e = np.exp(-abs(z))
    return 1.0 / (1.0 + e) if z >= 0 else e / (1.0 + e)


@kernel(
    "Tuple((boolean[:], boolean[:], int64[:]))(float64[:], float64[:], float64[:], float64[:], "
    "int64[:], int64[:], float64[:], float64[:], float64, float64, float64, float64, float64)"
)
def votes_by_weightiest_cue(
    gain, line, discipline, faction_line, voters, bloc, shock, uniform,
    regional_strength, discipline_strength, reciprocity, noise, band,
):  # fmt: skip
    """The votes of ``voters`` by their weightiest cue, compiled.

    For each voter: ``member_cues``, ``weightiest_cue``, and ``ordered_votes`` of it plus her
    caucus's shock, the numpy functions above, which are its oracle.

    Args:
        gain: (N,) the bill's value to each member's constituency.
        line: (N,) each member's whip.
        discipline: (N,) each member's party discipline.
        faction_line: (N,) each member's faction leader's stance.
        voters: (n,) indices of the members who vote.
        bloc: (N,) each member's caucus.
        shock: (caucuses,) each caucus's mood of the day.
        uniform: (n,) the voters' uniform draws.
        regional_strength: a.
        discipline_strength: b.
        reciprocity: r.
        noise: The logistic noise's scale.
        band: The half-width of the band in which a voter abstains (0: nobody does).

    Returns:
        (n,) bool yes votes, (n,) bool abstentions, and (n,) the index in CUES of each voter's
        weightiest cue.
    """
    n = voters.shape[0]
    yes = np.empty(n, np.bool_)
    abstain = np.empty(n, np.bool_)
    which = np.empty(n, np.int64)
    for k in range(n):
        j = voters[k]
        cues = (
            regional_strength * gain[j],
            discipline_strength * discipline[j] * line[j],
            discipline_strength * faction_line[j],
            reciprocity,
        )
        best = 0
        for c in range(1, 4):
            if abs(cues[c]) > abs(cues[best]):  # a tie goes to the earlier cue
                best = c
        utility = cues[best] + shock[bloc[j]]
        yes[k] = uniform[k] < logistic((utility - band) / noise)
        # with no band nobody abstains: the second logistic is needed only inside a band
        abstain[k] = band > 0 and not yes[k] and uniform[k] < logistic((utility + band) / noise)
        which[k] = best
    return yes, abstain, which
