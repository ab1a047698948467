"""The ministries' draft: which region gets which institution, and who wins or loses by it.

Phase 1 (2003-2005) allocated institutions by functional clusters per province under an equity
principle across provinces (facts.md, "Phase 1"). The draft here scores every institution-region
pair by that bureaucratic fit, mixes in the political pressure the ministries receive, and
spreads institutions with an equity penalty on regions that already receive many. The
fit/pressure mix is the "two-stage" influence-then-decision scheme of Stokman & Van den Bos
(1992): positions are shaped first, then a rule maps them to an outcome.
"""

import numpy as np

from sim.kernels import kernel

STAY = -1  # destination code of an institution that stays in the capital region
UNDECIDED = -2  # destination of an institution the executive has not decided on yet

# Parts of bureaucratic fit (sum to 1): the sector cluster dominates as in Phase 1 (facts.md);
# open bids and hub status are the Season 2 additions the press reported. Assumption.
FIT_CLUSTER, FIT_BID, FIT_HUB = 0.6, 0.25, 0.15


def bureaucratic_fit(
    cluster_match: np.ndarray, bids: np.ndarray, hub: np.ndarray, is_finance: np.ndarray
) -> np.ndarray:
    """Fit of each institution to each region, in [0, 1].

    Args:
        cluster_match: (I, R) bool, the institution's sector is one of the region's clusters.
        bids: (I, R) bool, the region openly bids for the institution.
        hub: (R,) financial-hub status, 1 designated, 0.7 pledged, 0 none.
        is_finance: (I,) bool, the institution is a financial body.

    Returns:
        (I, R) fit = 0.6 cluster + 0.25 bid + 0.15 hub (finance bodies only).
    """
    return FIT_CLUSTER * cluster_match + FIT_BID * bids + FIT_HUB * np.outer(is_finance, hub)


def normalise_rows(values: np.ndarray) -> np.ndarray:
    """Scale each row to a maximum of 1 (rows of zeros stay zero)."""
    top = values.max(axis=1, keepdims=True)
    # Usually every row has a positive maximum: a plain division then gives the same numbers
    # as the masked one below at half its cost. (A NaN maximum fails the test as it fails
    # top > 0; an empty array, which has no minimum, takes the masked division.)
    if top.size and top.min() > 0:
        return values / top
    return np.divide(values, top, out=np.zeros_like(values, dtype=float), where=top > 0)


def draft_allocation(
    fit: np.ndarray,
    pressure: np.ndarray,
    fit_weight: float,
    penalty: np.ndarray,
    stay_threshold: float,
    receives: np.ndarray,
    taste: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Each institution to one receiving region, or to stay.

    utility = w * fit + (1 - w) * pressure - penalty_r + taste, with pressure scaled per
    institution to [0, 1], penalty_r the drafting ministry's current equity penalty on region r
    (see ``rebalance``) and taste the ministry's idiosyncratic term for the pair. Each
    institution goes to its best region, or stays if even that scores below ``stay_threshold``.
    With taste = sigma * a standard Gumbel draw per pair, the best region is a multinomial-logit
    choice over the whole utility, fit and pressure alike (McFadden 1974; see ``logit_shares``):
    every receiving region has a positive chance, whatever its fit, and pressure and fit trade
    off in the same units.

    Args:
        fit: (I, R) bureaucratic fit in [0, 1].
        pressure: (I, R) non-negative political pressure.
        fit_weight: w in [0, 1].
        penalty: (R,) non-negative equity penalties.
        stay_threshold: Minimum utility to move.
        receives: (R,) bool, regions that may receive.
        taste: (I, R) idiosyncratic term, or a scalar (0: the deterministic draft).

    Returns:
        (I,) destination region index, or STAY (-1). Exactly one entry per institution.
    """
    score = fit_weight * fit + (1.0 - fit_weight) * normalise_rows(pressure) - penalty
    score += taste  # in place: score is a fresh array
    score[:, ~receives] = -np.inf
    best = score.argmax(axis=1)
    moves = score[np.arange(len(best)), best] >= stay_threshold
    return np.where(moves, best, STAY)


def logit_shares(utility: np.ndarray, scale: float) -> np.ndarray:
    """(I, R) probability that each region is an institution's best, utility + Gumbel taste.

    With taste = scale * a standard Gumbel draw, independent per pair, the maximum falls on
    region r with probability exp(u_r / scale) / sum_s exp(u_s / scale): the multinomial
    logit (McFadden 1974). Regions with utility -inf (those that may not receive) get 0.

    Args:
        utility: (I, R) systematic utilities, as in ``draft_allocation`` before the taste.
        scale: The Gumbel scale (``drafting.idiosyncrasy``), > 0.
    """
    z = utility / scale
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def scoped_plan(draft: np.ndarray, open_: np.ndarray, fit: np.ndarray, scope: float) -> np.ndarray:
    """The plan a bargained scope allows: the best-fitting share of the draft's open moves.

    Of the m institutions that are open (not yet decided) and that the draft moves, a plan of
    scope s keeps the ceil(s m) whose fit to their draft destination is highest, and the rest
    of the open ones stay; decided institutions keep their draft entry, which is their decision.
    The bargaining position 0-100 reads "how much to announce now" (docs/model.md, step 5); that
    the ministries start where a move fits best is an assumption, in the spirit of Phase 1's
    allocation by functional clusters (facts.md).

    Args:
        draft: (I,) draft destination, region index or STAY.
        open_: (I,) bool, the institution is not decided yet.
        fit: (I, R) bureaucratic fit.
        scope: s in [0, 1], the bargained scope / 100.

    Returns:
        (I,) the plan's destinations.
    """
    moving = np.nonzero(open_ & (draft >= 0))[0]
    keep = int(np.ceil(scope * len(moving) - 1e-9))
    best_first = moving[np.argsort(-fit[moving, draft[moving]], kind="stable")]
    plan = np.where(open_, STAY, draft)
    plan[best_first[:keep]] = draft[best_first[:keep]]
    return plan


def rebalance(
    penalty: np.ndarray, destination: np.ndarray, receives: np.ndarray, rate: float
) -> np.ndarray:
    """One week of the ministry's equity adjustment: penalise over-served regions.

    penalty_r += rate * (load_r / quota - 1), kept >= 0, where quota is the mean load of the
    receiving regions. Repeated week after week this is a tatonnement (price adjustment) that
    spreads institutions across provinces, as Phase 1's equity principle did (facts.md: the
    province with KEPCO got fewer other bodies); a small rate keeps it from oscillating.

    Args:
        penalty: (R,) current penalties.
        destination: (I,) current draft.
        receives: (R,) bool, regions that may receive.
        rate: Weekly adjustment rate (>= 0).

    Returns:
        (R,) new penalties, zero for regions that cannot receive.
    """
    return rebalance_load(penalty, draft_load(destination, len(penalty)), receives, rate)


def draft_load(destination: np.ndarray, n_regions: int) -> np.ndarray:
    """(R,) number of institutions the draft sends to each region, as floats."""
    # Shifted by one, STAY (-1) counts in bin 0, which is dropped: cheaper than selecting the
    # moving institutions first. A lower code such as UNDECIDED stays negative: bincount
    # rejects it, shifted or not.
    return np.bincount(destination - STAY, minlength=n_regions + 1)[1:].astype(float)


def rebalance_load(
    penalty: np.ndarray, load: np.ndarray, receives: np.ndarray, rate: float
) -> np.ndarray:
    """``rebalance`` from the draft's ``draft_load``, which changes only with the draft."""
    served = load[receives]
    # The mean written out: np.mean is this sum over this count, without its dispatch. (With
    # no receiving region, np.mean itself, for its "Mean of empty slice" warning.)
    quota = served.sum() / served.size if served.size else served.mean()
    if quota == 0:
        return penalty
    return np.where(receives, np.maximum(0.0, penalty + rate * (load / quota - 1.0)), 0.0)


def staff_won(destination: np.ndarray, staff: np.ndarray, n_regions: int) -> np.ndarray:
    """Head-office staff each region receives under ``destination`` ((R,), zeros if none)."""
    return _won_and_moved(destination, staff, n_regions)[0]


def _won_and_moved(
    destination: np.ndarray, staff: np.ndarray, n_regions: int
) -> tuple[np.ndarray, np.ndarray]:
    """``staff_won``, and the staff of the moving institutions (the capital region's loss).

    Callers that need both then select the moving institutions once.
    """
    moving = destination != STAY
    moved = staff[moving]
    return np.bincount(destination[moving], weights=moved, minlength=n_regions), moved


def origin_losses(destination: np.ndarray, staff: np.ndarray, origin, n_regions: int) -> np.ndarray:
    """(R,) share of the eligible staff based in each region that ``destination`` moves away.

    Args:
        destination: (I,) region index or STAY.
        staff: (I,) head-office staff.
        origin: (I,) region index each institution would move from, or one index for all.
        n_regions: R.

    Returns:
        (R,) in [0, 1]; 0 for a region no institution comes from.
    """
    if np.ndim(origin) == 0:  # one origin for all: the common case, and a cheaper one
        losses = np.zeros(n_regions)
        losses[origin] = staff[destination != STAY].sum() / staff.sum()
        return losses
    based = np.bincount(origin, weights=staff, minlength=n_regions)
    lost = np.bincount(
        origin, weights=np.where(destination != STAY, staff, 0.0), minlength=n_regions
    )
    return np.divide(lost, based, out=np.zeros(n_regions), where=based > 0)


def regional_stake(
    destination: np.ndarray, staff: np.ndarray, receives: np.ndarray, origin=None
) -> np.ndarray:
    """What each region stands to gain (+) or lose (-) from the draft, in [-1, 1].

    A receiving region's stake is the staff it wins relative to the best-served region; a
    region that does not receive has minus the share of the staff based there that it loses.

    Args:
        destination: (I,) region index or STAY.
        staff: (I,) head-office staff.
        receives: (R,) bool.
        origin: (I,) origin region of each institution; default: the first region that does
            not receive, for all.
    """
    won, _ = _won_and_moved(destination, staff, len(receives))
    origin = int(np.argmin(receives)) if origin is None else origin
    lost = origin_losses(destination, staff, origin, len(receives))
    # Not in place: with nothing moving, bincount's zeros are integers.
    stake = won / max(won.max(), 1.0)
    stake[~receives] = -lost[~receives]
    return stake


def credit_and_blame(
    destination: np.ndarray,
    staff: np.ndarray,
    bids: np.ndarray,
    seat_share: np.ndarray,
    origin,
) -> tuple[float, float]:
    """Electoral credit G and regional blame B of announcing ``destination``.

    G is the seat share (an electorate proxy) of regions that win at least one institution.
    B is the seat share of regions that bid and win none of their bids, plus each origin
    region's seat share times the share of the eligible staff based there that it loses. Both
    lie in [0, 1]. This operationalises "winners are few, losers are many" (Weaver 1986) in the
    units the hazard needs (model-anchors.md section 4). A bidder's reference point is what it
    campaigned for: one that loses every bid is a loser even if the plan sends it something
    else, and is then counted in both G and B (outcomes are judged as gains or losses from a
    reference point: Kahneman & Tversky 1979, "Prospect theory", Econometrica 47(2)).

    Args:
        destination: (I,) region index or STAY.
        staff: (I,) head-office staff.
        bids: (I, R) bool open bids.
        seat_share: (R,) share of all seats elected in each region.
        origin: (I,) region index each institution would move from, or one index (the
            capital region) for all.

    Returns:
        (G, B).
    """
    won_staff, _ = _won_and_moved(destination, staff, len(seat_share))
    won = won_staff > 0
    moving = np.flatnonzero(destination != STAY)
    to = destination[moving]
    bids_won = np.bincount(to, weights=bids[moving, to], minlength=len(seat_share))
    disappointed = bids.any(axis=0) & (bids_won == 0)  # bidders that win none of their bids
    losses = origin_losses(destination, staff, origin, len(seat_share))
    credit = float(seat_share[won].sum())
    blame = float(seat_share[disappointed].sum() + seat_share @ losses)
    return credit, blame


# ---- compiled kernels: the drafting ministry's weekly work (sim.kernels) --------------------
# Each is the numpy function above, written as loops: the numpy function is its oracle
# (tests/test_kernels.py). Sums run first element first.


@kernel(
    "int64[:](float64[:, :], float64[:, :], float64, float64[:], float64, boolean[:], "
    "float64[:, :], int64[:])"
)
def redraw(fit, pressure, fit_weight, penalty, stay_threshold, receives, taste, decided):
    """``draft_allocation`` for the undecided institutions; the decided keep their decision.

    Args:
        fit: (I, R) bureaucratic fit, as for ``draft_allocation``.
        pressure: (I, R) political pressure, any memory layout.
        fit_weight: w in [0, 1].
        penalty: (R,) equity penalties.
        stay_threshold: Minimum utility to move.
        receives: (R,) bool, regions that may receive.
        taste: (I, R) the ministry's idiosyncratic term.
        decided: (I,) the executive's decisions, UNDECIDED where none.

    Returns:
        (I,) the new draft: region index or STAY.
    """
    n_inst, n_regions = fit.shape
    draft = np.empty(n_inst, np.int64)
    for i in range(n_inst):
        if decided[i] != UNDECIDED:
            draft[i] = decided[i]
            continue
        top = pressure[i, 0]
        for r in range(1, n_regions):
            top = max(top, pressure[i, r])
        best, best_score = 0, -np.inf
        for r in range(n_regions):
            score = -np.inf
            if receives[r]:
                scaled = pressure[i, r] / top if top > 0 else 0.0
                score = fit_weight * fit[i, r] + (1.0 - fit_weight) * scaled - penalty[r]
                score += taste[i, r]
            if r == 0 or score > best_score:
                best, best_score = r, score
        draft[i] = best if best_score >= stay_threshold else STAY
    return draft


@kernel("float64[:](float64[:], int64[:], boolean[:], float64)")
def rebalance_draft(penalty, draft, receives, rate):
    """``rebalance``: one week's equity penalties from the draft itself.

    Args:
        penalty: (R,) current penalties.
        draft: (I,) destinations, region index or STAY.
        receives: (R,) bool, regions that may receive.
        rate: Weekly adjustment rate.
    """
    n_regions = penalty.shape[0]
    load = np.zeros(n_regions)
    for i in range(draft.shape[0]):
        if draft[i] >= 0:
            load[draft[i]] += 1.0
    served, count = 0.0, 0
    for r in range(n_regions):
        if receives[r]:
            served += load[r]
            count += 1
    if count == 0 or served == 0:
        return penalty
    quota = served / count
    new = np.zeros(n_regions)
    for r in range(n_regions):
        if receives[r]:
            new[r] = max(0.0, penalty[r] + rate * (load[r] / quota - 1.0))
    return new


@kernel(
    "Tuple((int64[:], int64, float64[:]))(float64[:, :], float64[:, :], float64, float64[:], "
    "float64, boolean[:], float64[:, :], int64[:], int64[:], float64)"
)
def drafting_week(
    fit, pressure, fit_weight, penalty, stay_threshold, receives, taste, decided, draft, rate,
):  # fmt: skip
    """The drafter's week (``MinistryAgent.draft``) in one call of the kernels above.

    The draft redrawn (``redraw``), how many destinations that changed, and next week's equity
    penalties from the new draft (``rebalance_draft``). One call instead of three, because on
    122 institutions a call's fixed cost is as large as its arithmetic.

    Args:
        fit: (I, R) bureaucratic fit.
        pressure: (I, R) political pressure.
        fit_weight: w in [0, 1].
        penalty: (R,) this week's equity penalties.
        stay_threshold: Minimum utility to move.
        receives: (R,) bool, regions that may receive.
        taste: (I, R) the ministry's idiosyncratic term.
        decided: (I,) the executive's decisions, UNDECIDED where none.
        draft: (I,) last week's draft.
        rate: The equity penalties' weekly adjustment rate (``rebalance_draft``).

    Returns:
        (I,) the new draft, the number of institutions whose destination it changed, and (R,)
        the new equity penalties.
    """
    new = redraw(fit, pressure, fit_weight, penalty, stay_threshold, receives, taste, decided)
    moved = 0
    for i in range(new.shape[0]):
        if new[i] != draft[i]:
            moved += 1
    return new, moved, rebalance_draft(penalty, new, receives, rate)


@kernel("Tuple((float64[:], float64[:]))(int64[:], float64[:], int64[:], int64)")
def won_and_lost(destination, staff, origin, n_regions):
    """(R,) staff each region wins, and (R,) share of the staff based there that it loses.

    The two halves of ``regional_stake`` and ``credit_and_blame`` (``_won_and_moved`` and
    ``origin_losses``), with one origin per institution.
    """
    won = np.zeros(n_regions)
    based = np.zeros(n_regions)
    lost = np.zeros(n_regions)
    for i in range(destination.shape[0]):
        based[origin[i]] += staff[i]
        if destination[i] != STAY:
            won[destination[i]] += staff[i]
            lost[origin[i]] += staff[i]
    for r in range(n_regions):
        lost[r] = lost[r] / based[r] if based[r] > 0 else 0.0
    return won, lost


@kernel("float64[:](int64[:], float64[:], boolean[:], int64[:])")
def stake_of(destination, staff, receives, origin):
    """``regional_stake``: each region's gain (+) or loss (-) from the draft, in [-1, 1]."""
    won, lost = won_and_lost(destination, staff, origin, receives.shape[0])
    top = max(won.max(), 1.0)
    stake = np.empty(receives.shape[0])
    for r in range(receives.shape[0]):
        stake[r] = won[r] / top if receives[r] else -lost[r]
    return stake


@kernel(
    "UniTuple(float64, 2)(int64[:], float64[:], boolean[:, :], boolean[:], float64[:], int64[:])"
)
def credit_and_blame_of(destination, staff, bids, bid_any, seat_share, origin):
    """``credit_and_blame``: (G, B) of announcing ``destination``.

    Args:
        destination: (I,) region index or STAY.
        staff: (I,) head-office staff.
        bids: (I, R) bool open bids.
        bid_any: (R,) bool, the region bids for some institution (``bids.any(axis=0)``, which
            is fixed for a run: passed, not recomputed at every call).
        seat_share: (R,) electoral weight of each region.
        origin: (I,) region each institution would move from.
    """
    n_regions = seat_share.shape[0]
    won, lost = won_and_lost(destination, staff, origin, n_regions)
    won_a_bid = np.zeros(n_regions, np.bool_)
    for i in range(destination.shape[0]):
        if destination[i] != STAY and bids[i, destination[i]]:
            won_a_bid[destination[i]] = True
    credit, blame = 0.0, 0.0
    for r in range(n_regions):
        if won[r] > 0:
            credit += seat_share[r]
        if bid_any[r] and not won_a_bid[r]:
            blame += seat_share[r]
    for r in range(n_regions):
        blame += seat_share[r] * lost[r]
    return credit, blame


@kernel("int64[:](int64[:], int64[:], float64[:, :], float64)")
def plan_of(draft, decided, fit, scope):
    """``scoped_plan``, with the open institutions those not ``decided`` (UNDECIDED)."""
    n = draft.shape[0]
    plan = draft.copy()
    moving = np.empty(n, np.int64)
    m = 0
    for i in range(n):
        if decided[i] == UNDECIDED:
            plan[i] = STAY
            if draft[i] >= 0:
                moving[m] = i
                m += 1
    moving = moving[:m]
    ranked = np.empty(m)
    for k in range(m):
        ranked[k] = -fit[moving[k], draft[moving[k]]]
    best_first = moving[np.argsort(ranked, kind="mergesort")]  # stable: ties in index order
    keep = min(m, max(0, int(np.ceil(scope * m - 1e-9))))
    for k in range(keep):
        plan[best_first[k]] = draft[best_first[k]]
    return plan


@kernel(
    "Tuple((int64[:], float64, float64))(int64[:], int64[:], float64[:, :], float64, "
    "float64[:], boolean[:, :], boolean[:], float64[:], int64[:])"
)
def weigh_plan(draft, decided, fit, scope, staff, bids, bid_any, seat_share, origin):
    """The plan a scope allows (``plan_of``) and its credit and blame (``credit_and_blame_of``).

    One call for ``RelocationModel.weigh_the_plan``, which needs both whenever the draft or
    the scope moves.

    Returns:
        (I,) the plan, and its credit G and regional blame B.
    """
    plan = plan_of(draft, decided, fit, scope)
    credit, blame = credit_and_blame_of(plan, staff, bids, bid_any, seat_share, origin)
    return plan, credit, blame
