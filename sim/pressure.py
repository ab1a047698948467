"""Pressure on the decision: regions lobbying for institutions, unions mobilising against.

Regions spread their lobbying capacity over the institutions they want, in proportion to how
much they want each, and it reaches the ministries through their lawmakers; access through the
ruling party counts more (the party "refines" the ministries' plan, seed article). Unions
mobilise as a move of their institution looks near, and relax when it recedes, a partial
adjustment rule (assumption, in the spirit of the attrition models of Alesina & Drazen 1991:
each side's cost of holding out rises with the threat).
"""

import numpy as np

from sim.kernels import kernel


def lobbying_effort(capacity: np.ndarray, intent: np.ndarray, zeal: np.ndarray) -> np.ndarray:
    """Effort (R, I) of each region on each institution.

    effort[r, i] = capacity_r * zeal_r * intent[r, i] / sum_i intent[r, i]: a region's total
    effort is its capacity scaled by its lawmakers' zeal for its claims.

    Args:
        capacity: (R,) lobbying capacity.
        intent: (R, I) non-negative desire for each institution.
        zeal: (R,) mean claim stance of the region's lawmakers, in [0, 1].

    Returns:
        (R, I) effort; each row sums to capacity * zeal (or 0 if the region wants nothing).
    """
    return effort_from_shares(capacity, intent_shares(intent), zeal)


def intent_shares(intent: np.ndarray) -> np.ndarray:
    """(R, I) share of each region's desire that goes to each institution; rows sum to 1 or 0.

    Intents are fixed for a run, so the model computes these once (``lobbying_effort`` is
    ``effort_from_shares`` of them).
    """
    total = intent.sum(axis=1, keepdims=True)
    return np.divide(intent, total, out=np.zeros_like(intent, dtype=float), where=total > 0)


def effort_from_shares(capacity: np.ndarray, share: np.ndarray, zeal: np.ndarray) -> np.ndarray:
    """(R, I) effort capacity_r * zeal_r * share[r, i], from precomputed ``intent_shares``."""
    return (capacity * zeal)[:, None] * share


def political_pressure(
    effort: np.ndarray, ruling_share: np.ndarray, ruling_access: float
) -> np.ndarray:
    """Pressure (I, R) reaching the ministries: effort * (1 + ruling_access * ruling_share_r)."""
    return (effort * (1.0 + ruling_access * ruling_share)[:, None]).T


def union_threat(defends: np.ndarray, moving: np.ndarray, staff: np.ndarray) -> np.ndarray:
    """Share of each union's defended staff that the current draft would move, (U,) in [0, 1].

    Args:
        defends: (U, I) bool, the union defends the institution.
        moving: (I,) bool, the draft moves the institution.
        staff: (I,) head-office staff.
    """
    defended = defends @ staff
    threatened = defends @ (staff * moving)
    # Usually every union defends some staff: a plain division then gives the same numbers as
    # the masked one at less cost. (NaN fails the test as it fails defended > 0; with no
    # unions at all, the masked division returns the empty result.)
    if defended.size and defended.min() > 0:
        return np.divide(threatened, defended, out=np.empty_like(defended, dtype=float))
    return np.divide(
        threatened, defended, out=np.zeros_like(defended, dtype=float), where=defended > 0
    )


def mobilisation_step(
    mobilisation: np.ndarray,
    threat: np.ndarray,
    nearness: float,
    strength: np.ndarray,
    rise: float,
    decay: float,
    anticipation: float,
) -> np.ndarray:
    """Move each union's mobilisation towards its target, faster up than down.

    target = strength * min(1, anticipation * nearness * threat); mobilisation rises by
    ``rise * (target - m)`` when below target and falls by ``decay * (m - target)`` when above.

    Args:
        mobilisation: (U,) current mobilisation, each in [0, 1] (or one union's float).
        threat: (U,) share of each union's defended staff the draft moves.
        nearness: How near an announcement looks, in [0, 1].
        strength: (U,) organisational strength, each in [0, 1].
        rise: Weekly adjustment rate upwards.
        decay: Weekly adjustment rate downwards.
        anticipation: Gain of nearness on the perceived threat.

    Returns:
        The new mobilisation, each in [0, 1].
    """
    target = strength * np.minimum(1.0, anticipation * nearness * threat)
    rate = np.where(target > mobilisation, rise, decay)
    return mobilisation + rate * (target - mobilisation)


# A union's repertoire, mildest first, with the mobilisation each needs (assumption: an
# escalation ladder in the order of Tilly's repertoire of contention, Tilly 1978, ch. 5; the
# thresholds are not from a source). A lawsuit needs a decision to challenge.
UNION_ACTIONS = ("none", "appeal to lawmakers", "rally", "strike", "lawsuit")
ACTION_THRESHOLDS = (0.05, 0.2, 0.4)  # mobilisation for appealing, rallying, striking
LAWSUIT = UNION_ACTIONS.index("lawsuit")


def union_action(mobilisation: float, decided_against: bool) -> str:
    """The strongest action a union's mobilisation affords this week.

    Args:
        mobilisation: The union's mobilisation, in [0, 1].
        decided_against: Whether a decision already moves some of its members' institutions;
            a mobilised union then takes it to court rather than to the street.

    Returns:
        One of ``UNION_ACTIONS``.
    """
    level = sum(mobilisation >= t for t in ACTION_THRESHOLDS)
    if level and decided_against:
        return "lawsuit"
    return UNION_ACTIONS[level]


@kernel("float64[:](boolean[:, :], int64[:], float64[:])")
def threat_of(defends, draft, staff):
    """``union_threat`` compiled: each union's share of defended staff that ``draft`` moves.

    Args:
        defends: (U, I) bool, the union defends the institution.
        draft: (I,) destinations; an institution moves unless it is STAY (-1).
        staff: (I,) head-office staff.
    """
    n_unions = defends.shape[0]
    threat = np.zeros(n_unions)
    for u in range(n_unions):
        defended, threatened = 0.0, 0.0
        for i in range(staff.shape[0]):
            if defends[u, i]:
                defended += staff[i]
                if draft[i] != -1:
                    threatened += staff[i]
        if defended > 0:
            threat[u] = threatened / defended
    return threat


def union_actions(mobilisation: np.ndarray, decided_against: np.ndarray) -> np.ndarray:
    """(U,) each union's ``union_action``, as its index in ``UNION_ACTIONS``."""
    level = np.searchsorted(ACTION_THRESHOLDS, mobilisation, side="right")  # thresholds passed
    return np.where((level > 0) & decided_against, LAWSUIT, level)


@kernel(
    "Tuple((float64[:], int64[:], int64[:]))(float64[:], float64[:], float64, float64[:], "
    "float64, float64, float64, boolean[:], int64[:])"
)
def mobilise_unions(
    mobilisation, threat, nearness, strength, rise, decay, anticipation, decided_against,
    last_action,
):  # fmt: skip
    """Every union's ``mobilisation_step`` and ``union_actions``, compiled: the unions' turn.

    Args:
        mobilisation: (U,) current mobilisation.
        threat: (U,) share of each union's defended staff the draft moves.
        nearness: How near an announcement looks, in [0, 1].
        strength: (U,) organisational strength.
        rise: Weekly adjustment rate upwards.
        decay: Weekly adjustment rate downwards.
        anticipation: Gain of nearness on the perceived threat.
        decided_against: (U,) a decision already moves some of the union's institutions.
        last_action: (U,) each union's action last week.

    Returns:
        (U,) new mobilisation; (U,) each union's action as its index in UNION_ACTIONS; the
        indices of the unions whose action changed.
    """
    n = mobilisation.shape[0]
    level = np.empty(n)
    action = np.empty(n, np.int64)
    for u in range(n):
        m = mobilisation[u]
        target = strength[u] * min(1.0, anticipation * nearness * threat[u])
        rate = rise if target > m else decay
        level[u] = m + rate * (target - m)
        passed = 0
        for t in ACTION_THRESHOLDS:
            if level[u] >= t:
                passed += 1
        action[u] = LAWSUIT if passed > 0 and decided_against[u] else passed
    return level, action, np.flatnonzero(action != last_action)


@kernel(
    "Tuple((float64[:, :], float64[:], int64[:]))(float64[:], float64[:], float64[:, :], "
    "float64[:], float64[:], float64)"
)
def lobby_regions(capacity, zeal, share, wants, logged, change_logged):
    """Every region's ``effort_from_shares``, compiled: the regions' turn.

    Args:
        capacity: (R,) lobbying capacity.
        zeal: (R,) the region's lawmakers' mean claim stance.
        share: (R, I) ``intent_shares``.
        wants: (R,) 1 for a region that wants some institution, else 0.
        logged: (R,) each region's total effort when it last said why.
        change_logged: Relative change of its total effort after which a region says why again.

    Returns:
        (R, I) effort; (R,) each region's total effort; the indices of the regions due to say
        why.
    """
    n_regions, n_inst = share.shape
    effort = np.empty((n_regions, n_inst))
    total = np.empty(n_regions)
    due = np.empty(n_regions, np.bool_)
    for r in range(n_regions):
        spent = capacity[r] * zeal[r]
        for i in range(n_inst):
            effort[r, i] = spent * share[r, i]
        total[r] = spent * wants[r]
        due[r] = total[r] > 0 and abs(total[r] - logged[r]) >= change_logged * logged[r]
    return effort, total, np.flatnonzero(due)


@kernel("float64[:, :](float64[:, :], float64[:], float64)")
def pressure_reaching(effort, ruling_share, ruling_access):
    """``political_pressure`` compiled: (I, R) the regions' effort as it reaches the ministries."""
    n_regions, n_inst = effort.shape
    pressure = np.empty((n_inst, n_regions))
    for r in range(n_regions):
        access = 1.0 + ruling_access * ruling_share[r]
        for i in range(n_inst):
            pressure[i, r] = effort[r, i] * access
    return pressure


@kernel(
    "Tuple((float64[:, :], float64[:], int64[:], float64[:, :]))(float64[:], float64[:], "
    "float64[:, :], float64[:], float64[:], float64, float64[:], float64)"
)
def lobbying_week(capacity, zeal, share, wants, logged, change_logged, ruling_share, access):  # noqa: D417
    """The regions' week (``RegionAgent.lobby``) in one call of the two kernels above.

    Their effort (``lobby_regions``) and the pressure it puts on the ministries
    (``pressure_reaching``): one call instead of two, because on 14 regions and 122
    institutions a call's fixed cost is as large as its arithmetic.

    Args:
        capacity, zeal, share, wants, logged, change_logged: As for ``lobby_regions``.
        ruling_share: (R,) the ruling party's share of each region's members.
        access: ``ruling_access``, the extra weight of access through the ruling party.

    Returns:
        ``lobby_regions``' effort, totals and regions due to say why, and (I, R) the pressure.
    """
    effort, total, due = lobby_regions(capacity, zeal, share, wants, logged, change_logged)
    return effort, total, due, pressure_reaching(effort, ruling_share, access)


@kernel("float64(float64[:], float64[:])")
def joint_pressure(mobilisation, weight):
    """The unions' joint pressure, sum_u weight_u * mobilisation_u, summed in union order."""
    total = 0.0
    for u in range(mobilisation.shape[0]):
        total += mobilisation[u] * weight[u]
    return total
