"""Friedkin-Johnsen influence on the party-ties network.

Each lawmaker holds stances in [0, 1] (support for announcing now; support for the region's
claims). Every week a member moves towards the weighted stances of the members they listen to,
held back by their anchor, their constituency's interest:

    x(t+1) = Lambda W x(t) + (I - Lambda) u

with W row-stochastic influence weights from the ties graph, u the anchors, and
Lambda = diag(susceptibility), where susceptibility is the party's discipline.

Sources: Friedkin & Johnsen (1990), "Social influence and opinions", J. Math. Sociology 15;
Friedkin & Johnsen (1999), "Social influence networks and opinion change", Advances in Group
Processes 16. DeGroot (1974) is the special case Lambda = I.
"""

import numpy as np
from scipy import sparse

from sim.kernels import kernel


def row_stochastic(weights: np.ndarray) -> np.ndarray:
    """Normalise non-negative tie weights so that each row sums to 1.

    A member with no ties at all listens only to themselves (a 1 on the diagonal), so that
    W stays row-stochastic.

    Args:
        weights: (n, n) non-negative matrix; ``weights[i, j]`` is how much i listens to j.

    Returns:
        (n, n) row-stochastic matrix.
    """
    if np.any(weights < 0):
        raise ValueError("tie weights must be non-negative")
    w = np.array(weights, dtype=float)
    totals = w.sum(axis=1)
    isolated = totals == 0
    w[isolated, isolated] = 1.0
    totals[isolated] = 1.0
    return w / totals[:, None]


def friedkin_johnsen_step(
    stance: np.ndarray, influence: np.ndarray, susceptibility: np.ndarray, anchor: np.ndarray
) -> np.ndarray:
    """One Friedkin-Johnsen update, x' = Lambda W x + (I - Lambda) u.

    Args:
        stance: (n,) or (n, k) current stances x.
        influence: (n, n) row-stochastic W, dense or sparse (CSR: the model's, whose cost grows
            with the ties).
        susceptibility: (n,) diagonal of Lambda, each in [0, 1].
        anchor: same shape as ``stance``; the anchors u.

    Returns:
        The updated stances, same shape as ``stance``. Stances inside [0, 1] stay inside,
        because each new stance is a convex combination of old stances and the anchor.
    """
    lam = susceptibility if stance.ndim == 1 else susceptibility[:, None]
    return lam * (influence @ stance) + (1.0 - lam) * anchor


@kernel(
    "float64[:, ::1](int64[::1], int64[::1], float64[::1], float64[:, ::1], float64[::1], "
    "float64[:, ::1])"
)
def friedkin_johnsen_csr(indptr, indices, weights, stance, susceptibility, anchor):
    """``friedkin_johnsen_step`` compiled, for the model's two stances, over W in CSR form.

    Each row's sum runs over the member's ties in column order, as scipy's CSR product does,
    so the two agree to the bit, and the order no longer depends on BLAS or CPU. The two
    stances are summed side by side: two independent sums run about three times faster than
    one after the other, because each add waits for the previous one of its own sum only.
    The arrays must be C-contiguous, as the model's are: knowing the strides at compile time
    makes the step a third faster (14.6 against 9.3 µs at 300 members, 2026-12-05).

    Args:
        indptr: (n + 1,) CSR row pointers of W (``influence.indptr``).
        indices: (nnz,) CSR column indices, ascending within a row.
        weights: (nnz,) CSR values (``influence.data``).
        stance: (n, 2) current stances x: support for announcing, and for the region's claims.
        susceptibility: (n,) diagonal of Lambda.
        anchor: (n, 2) anchors u.

    Returns:
        (n, 2) new stances.
    """
    n = stance.shape[0]
    if stance.shape[1] != 2 or anchor.shape[1] != 2:
        raise ValueError("friedkin_johnsen_csr takes exactly two stances per member")
    out = np.empty((n, 2))
    for i in range(n):
        announce = 0.0
        claims = 0.0
        for p in range(indptr[i], indptr[i + 1]):
            announce += weights[p] * stance[indices[p], 0]
            claims += weights[p] * stance[indices[p], 1]
        lam = susceptibility[i]
        out[i, 0] = lam * announce + (1.0 - lam) * anchor[i, 0]
        out[i, 1] = lam * claims + (1.0 - lam) * anchor[i, 1]
    return out


@kernel("float64[:](int64[:], float64[:], int64)")
def group_means(group, values, n_groups):
    """(n_groups,) each group's mean of ``values``, summed in member order; 0 for no members.

    Args:
        group: (n,) each member's group (a region, a party), or -1 to leave her out.
        values: (n,) a value per member.
        n_groups: Number of groups.
    """
    total = np.zeros(n_groups)
    count = np.zeros(n_groups)
    for j in range(group.shape[0]):
        g = group[j]
        if g >= 0:
            total[g] += values[j]
            count[g] += 1.0
    for g in range(n_groups):
        if count[g] > 0:
            total[g] /= count[g]
    return total


@kernel(
    "float64[:](float64[:], boolean[:], int64[:], float64[:], int64[:], int64[:], float64[:], "
    "boolean[:], float64)"
)
def announce_anchor_base(
    stake, receives, member_region, pledge, member_party, faction, faction_stance, leader,
    region_gain_weight,
):  # fmt: skip
    """Each member's anchor for announcing now, before the unions' pressure (u in the step).

    A mix of her region's stake in the draft (a member without a region: the mean stake of
    the receiving regions) and her leadership's pledge: (1 - w) pledge + w clip(0.5 + stake).
    A faction's member takes her faction's stance for the pledge; a leader is anchored to the
    pledge alone. Assumption (docs/model.md, step 2): constituency interest and party pledge
    are the two things a member answers to.

    Args:
        stake: (R,) each region's stake in the draft, in [-1, 1] (``allocation.stake_of``).
        receives: (R,) bool, regions that may receive.
        member_region: (N,) each member's region, -1 for none.
        pledge: (P,) each party's pledge, in [0, 1].
        member_party: (N,) each member's party.
        faction: (N,) each member's faction, -1 for none.
        faction_stance: (F,) each faction's stance, in [0, 1].
        leader: (N,) bool, party leaders.
        region_gain_weight: w, the weight of the region's stake.
    """
    receiving, count = 0.0, 0
    for r in range(stake.shape[0]):
        if receives[r]:
            receiving += stake[r]
            count += 1
    no_region = receiving / count if count else np.nan
    base = np.empty(member_region.shape[0])
    for j in range(member_region.shape[0]):
        own = pledge[member_party[j]] if faction[j] < 0 else faction_stance[faction[j]]
        if leader[j]:
            base[j] = own
            continue
        regional = stake[member_region[j]] if member_region[j] >= 0 else no_region
        interest = min(1.0, max(0.0, 0.5 + regional))
        base[j] = region_gain_weight * interest + (1.0 - region_gain_weight) * own
    return base


@kernel("Tuple((int64, float64))(float64[:], float64[:])")
def largest_move(after, before):
    """The member whose stance moved most (the first of equals), and her signed move."""
    mover, move = 0, 0.0
    for i in range(after.shape[0]):
        change = after[i] - before[i]
        if abs(change) > abs(move):
            mover, move = i, change
    return mover, move


@kernel("float64[:](float64[:], float64[:], float64)")
def pressed_anchor(base, pressed, pressure):
    """Each member's anchor for announcing this week, clipped to [0, 1].

    Her ``announce_anchor_base`` less the unions' pressure on her.

    Args:
        base: (N,) ``announce_anchor_base``.
        pressed: (N,) how much the unions' pressure weighs on each member (0 for most).
        pressure: The unions' joint pressure this week.
    """
    anchor = np.empty(base.shape[0])
    for i in range(base.shape[0]):
        anchor[i] = min(1.0, max(0.0, base[i] - pressure * pressed[i]))
    return anchor


@kernel("Tuple((int64, float64))(int64, float64[:], int64[:], int64[:], float64[:])")
def strongest_pull(member, stance, indptr, indices, weights):
    """``strongest_influencer`` compiled, over W in CSR form: (j, pull) of largest |pull|."""
    source, pull = member, 0.0
    for p in range(indptr[member], indptr[member + 1]):
        this = weights[p] * (stance[indices[p]] - stance[member])
        if p == indptr[member] or abs(this) > abs(pull):  # the first of equals
            source, pull = indices[p], this
    return source, pull


@kernel(
    "Tuple((float64[:, ::1], float64[:], int64, float64))(int64[::1], int64[::1], float64[::1], "
    "float64[:, ::1], float64[::1], float64[:, ::1], float64[:], float64[:], float64, int64[:], "
    "int64)"
)
def deliberation(
    indptr, indices, weights, stance, susceptibility, anchor, anchor_base, pressed, pressure,
    member_region, n_regions,
):  # fmt: skip
    """The lawmakers' week (``LawmakerAgent.deliberate``) in one call of the kernels above.

    This week's anchors for announcing (``pressed_anchor``, written into column 0 of
    ``anchor``), one Friedkin-Johnsen step of both stances (``friedkin_johnsen_csr``), each
    region's mean claims (``group_means``: the zeal its lobbying starts from), and the largest
    move of support (``largest_move``). One call instead of four, because at 300 members a
    call's fixed cost is as large as its arithmetic.

    Returns:
        The (N, 2) new stances, (R,) each region's mean claims, and the member whose support
        moved most with her signed move.
    """
    anchor[:, 0] = pressed_anchor(anchor_base, pressed, pressure)
    after = friedkin_johnsen_csr(indptr, indices, weights, stance, susceptibility, anchor)
    zeal = group_means(member_region, after[:, 1], n_regions)
    mover, move = largest_move(after[:, 0], stance[:, 0])
    return after, zeal, mover, move


def csr_arrays(influence: sparse.csr_array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """W's CSR arrays as ``friedkin_johnsen_csr`` takes them: 64-bit indices at every size."""
    return (
        influence.indptr.astype(np.int64, copy=False),
        influence.indices.astype(np.int64, copy=False),
        influence.data,
    )


def friedkin_johnsen_equilibrium(
    influence: np.ndarray, susceptibility: np.ndarray, anchor: np.ndarray
) -> np.ndarray:
    """The closed-form fixed point x* = (I - Lambda W)^-1 (I - Lambda) u.

    It exists and is unique when I - Lambda W is invertible, which holds when every member
    is at least indirectly anchored (Friedkin & Johnsen 1999, Sec. 3).

    Args:
        influence: (n, n) row-stochastic W.
        susceptibility: (n,) diagonal of Lambda.
        anchor: (n,) or (n, k) anchors u.

    Returns:
        The equilibrium stances x*, same shape as ``anchor``.
    """
    lam = np.asarray(susceptibility, dtype=float)
    n = lam.shape[0]
    dense = influence.toarray() if sparse.issparse(influence) else influence
    system = np.eye(n) - lam[:, None] * dense
    rhs = (1.0 - lam) * anchor if anchor.ndim == 1 else (1.0 - lam)[:, None] * anchor
    return np.linalg.solve(system, rhs)


def strongest_influencer(
    member: int, stance: np.ndarray, influence: np.ndarray
) -> tuple[int, float]:
    """Who pulled ``member`` hardest this week, and by how much.

    The pull of j on i is W[i, j] * (x_j - x_i): the term j contributes to i's move. Used to
    write the "who moved whom" log.

    Args:
        member: Index i.
        stance: (n,) stances before the update.
        influence: (n, n) row-stochastic W, dense or sparse (CSR).

    Returns:
        (j, pull) with the largest absolute pull; j may be i itself only if i has no ties.
    """
    if sparse.issparse(influence):  # only the member's ties: a CSR row, columns in order
        start, end = influence.indptr[member], influence.indptr[member + 1]
        columns, weights = influence.indices[start:end], influence.data[start:end]
    else:
        columns, weights = np.arange(len(stance)), influence[member]
    pull = weights * (stance[columns] - stance[member])
    k = int(np.abs(pull).argmax())  # the first of equals, as over the dense row
    return int(columns[k]), float(pull[k])
