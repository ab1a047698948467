"""The ministries' draft: which region gets which institution, and who wins or loses by it.

Phase 1 (2003-2005) allocated institutions by functional clusters per province under an equity
principle across provinces (facts.md, "Phase 1"). The draft here scores every institution-region
pair by that bureaucratic fit, mixes in the political pressure the ministries receive, and
spreads institutions with an equity penalty on regions that already receive many. The
fit/pressure mix is the "two-stage" influence-then-decision scheme of Stokman & Van den Bos
(1992): positions are shaped first, then a rule maps them to an outcome.
"""

import numpy as np

STAY = -1  # destination code of an institution that stays in the capital region

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
    return np.divide(values, top, out=np.zeros_like(values, dtype=float), where=top > 0)


def draft_allocation(
    fit: np.ndarray,
    pressure: np.ndarray,
    fit_weight: float,
    equity_weight: float,
    stay_threshold: float,
    receives: np.ndarray,
) -> np.ndarray:
    """Each institution to one receiving region, or to stay.

    score = w * fit + (1 - w) * pressure (pressure scaled per institution to [0, 1]). Every
    institution first picks its best region. Within a region, its k-th best pick (k = 1, 2...)
    loses ``equity_weight * max(0, k / quota - 1)``, where quota is the mean number of picks
    per receiving region, and goes to its second-best region if that now scores higher: as
    Phase 1 gave the province with KEPCO fewer other bodies. One pass, so it cannot oscillate.
    An institution whose final score is below ``stay_threshold`` stays.

    Args:
        fit: (I, R) bureaucratic fit in [0, 1].
        pressure: (I, R) non-negative political pressure.
        fit_weight: w in [0, 1].
        equity_weight: Strength of the equity penalty (>= 0).
        stay_threshold: Minimum score to move.
        receives: (R,) bool, regions that may receive.

    Returns:
        (I,) destination region index, or STAY (-1). Exactly one entry per institution.
    """
    score = fit_weight * fit + (1.0 - fit_weight) * normalise_rows(pressure)
    score = np.where(receives[None, :], score, -np.inf)
    order = np.argsort(-score, axis=1, kind="stable")
    best, second = order[:, 0], order[:, 1] if score.shape[1] > 1 else order[:, 0]
    rows = np.arange(len(best))
    best_score, second_score = score[rows, best], score[rows, second]
    # rank of each pick within its region, best score first
    by_region = np.lexsort((-best_score, best))
    starts = np.searchsorted(best[by_region], best[by_region])
    rank = np.empty(len(best), dtype=int)
    rank[by_region] = np.arange(len(best)) - starts + 1
    quota = len(best) / max(int(receives.sum()), 1)
    penalised = best_score - equity_weight * np.maximum(0.0, rank / quota - 1.0)
    go_second = second_score > penalised
    dest = np.where(go_second, second, best)
    final = np.where(go_second, second_score, penalised)
    return np.where(final >= stay_threshold, dest, STAY)


def staff_won(destination: np.ndarray, staff: np.ndarray, n_regions: int) -> np.ndarray:
    """Head-office staff each region receives under ``destination`` ((R,), zeros if none)."""
    moving = destination != STAY
    return np.bincount(destination[moving], weights=staff[moving], minlength=n_regions)


def credit_and_blame(
    destination: np.ndarray,
    staff: np.ndarray,
    bids: np.ndarray,
    seat_share: np.ndarray,
    source_region: int,
) -> tuple[float, float]:
    """Electoral credit G and regional blame B of announcing ``destination``.

    G is the seat share (an electorate proxy) of regions that win at least one institution.
    B is the seat share of regions that bid and win none of their bids, plus the capital
    region's seat share times the share of eligible staff it loses. Both lie in [0, 1]. This
    operationalises "winners are few, losers are many" (Weaver 1986) in the units the hazard
    needs (model-anchors.md section 4).

    Args:
        destination: (I,) region index or STAY.
        staff: (I,) head-office staff.
        bids: (I, R) bool open bids.
        seat_share: (R,) share of all seats elected in each region.
        source_region: Index of the capital region that loses institutions.

    Returns:
        (G, B).
    """
    won = staff_won(destination, staff, len(seat_share)) > 0
    bidders = bids.any(axis=0)
    disappointed = bidders & ~won
    lost_share = staff[destination != STAY].sum() / staff.sum()
    credit = float(seat_share[won].sum())
    blame = float(seat_share[disappointed].sum() + seat_share[source_region] * lost_share)
    return credit, blame
