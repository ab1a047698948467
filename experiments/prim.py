"""PRIM scenario discovery (Friedman & Fisher 1999), in numpy.

The Patient Rule Induction Method looks for boxes in the space of the inputs (limits on each
input) in which an outcome is much more common than overall. Starting from the box that holds
every point, *peeling* repeatedly removes the slice of the box, an ``alpha`` share of its points
at the low or the high end of one input, whose removal raises the share of positive outcomes
in the box (its *density*) the most, until the box would hold fewer than ``min_support`` of all
points. Of the boxes on this peeling trajectory, the widest whose density is within a small
tolerance of the highest is kept (or the widest reaching a given threshold); *pasting* then
widens it again, an ``alpha`` slice at a time, while that raises the density. *Covering* removes the
points of the box and looks for the next box in the rest.

Discrete inputs (integers, levels coded as 0, 1, 2, ...) are peeled a whole level at a time
when an ``alpha`` slice would cut inside one level.

The `prim` package on PyPI (1.0.0, 2024) predates pandas 3, which this project runs on, so this
module implements the method; tests/test_experiments_report.py checks it on data whose true
box is known.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class PrimBox:
    """One box found by PRIM.

    Attributes:
        limits: Input name -> (low, high), inclusive, for every input; an input whose limits
            are its whole range in the data does not restrict the box.
        restricted: The inputs that the box restricts, in input order.
        coverage: Share of all positive outcomes (of the data the box was found in) that
            fall in the box.
        density: Share of positive outcomes among the points in the box.
        support: Share of the points (of the data the box was found in) in the box.
        points: Number of points in the box.
        trajectory: The peeling trajectory, one (support, density, coverage) per box.
    """

    limits: dict[str, tuple[float, float]]
    restricted: tuple[str, ...]
    coverage: float
    density: float
    support: float
    points: int
    trajectory: list[tuple[float, float, float]] = field(repr=False)

    def describe(self, labels: dict[str, list] | None = None) -> str:
        """The box as one line, e.g. ``0.2 <= x <= 0.6, y >= 0.3``.

        Args:
            labels: For coded discrete inputs, input name -> its levels (code i is
                ``levels[i]``), so that limits show as the levels themselves.
        """
        labels = labels or {}
        parts = []
        for name in self.restricted:
            lo, hi = self.limits[name]
            if name in labels:
                lo, hi = labels[name][int(lo)], labels[name][int(hi)]
            parts.append(f"{_show(lo)} <= {name} <= {_show(hi)}")
        return ", ".join(parts) if parts else "(the whole space)"


def prim(
    x: pd.DataFrame,
    y,
    *,
    alpha: float = 0.05,
    min_support: float = 0.05,
    paste: bool = True,
    threshold: float | None = None,
    tolerance: float = 0.05,
) -> PrimBox:
    """Find one PRIM box: peel, keep the densest box on the trajectory, paste.

    Args:
        x: Numeric inputs, one column per input, one row per point.
        y: Outcome per point, true/false (or 1/0).
        alpha: Share of the box's points removed by one peel (0 < alpha < 1).
        min_support: Smallest share of all points that a box may hold.
        paste: Whether to widen the chosen box again while that raises its density.
        threshold: Keep the widest box on the trajectory with at least this density (or
            the densest, if none reaches it).
        tolerance: Without a threshold, keep the widest box whose density is within this
            much of the highest on the trajectory: the very densest boxes are the smallest,
            and with noisy outcomes they fit the noise.

    Returns:
        The box.

    Raises:
        ValueError: On empty data, non-numeric inputs or parameters out of range.
    """
    if not 0 < alpha < 1 or not 0 < min_support <= 1:
        raise ValueError("alpha and min_support must lie in (0, 1)")
    values = np.asarray(x, dtype=float)
    outcome = np.asarray(y, dtype=float)
    if values.ndim != 2 or len(values) == 0 or len(values) != len(outcome):
        raise ValueError("x and y must have the same, non-zero number of rows")
    names = [str(c) for c in x.columns]
    n = len(values)
    low, high = values.min(axis=0), values.max(axis=0)
    inside = np.ones(n, dtype=bool)
    total = outcome.sum()

    def stats(mask: np.ndarray) -> tuple[float, float, float]:
        count = mask.sum()
        hits = outcome[mask].sum()
        return count / n, hits / count if count else 0.0, hits / total if total else 0.0

    box_lo, box_hi = low.copy(), high.copy()
    trajectory = [(*stats(inside), box_lo.copy(), box_hi.copy())]
    while True:
        best = None
        for j in range(values.shape[1]):
            column = values[inside, j]
            for side in (0, 1):
                cut = _peel_cut(column, alpha, side)
                if cut is None:
                    continue
                keep = inside & (values[:, j] >= cut if side == 0 else values[:, j] <= cut)
                support, density, _ = stats(keep)
                if support < min_support:
                    continue
                removed = inside.sum() - keep.sum()
                key = (density, -removed)  # densest; among equals, the smallest peel
                if best is None or key > best[0]:
                    best = (key, j, side, cut, keep)
        if best is None:
            break
        _, j, side, cut, inside = best
        if side == 0:
            box_lo[j] = values[inside, j].min()
        else:
            box_hi[j] = values[inside, j].max()
        trajectory.append((*stats(inside), box_lo.copy(), box_hi.copy()))

    top = max(t[1] for t in trajectory)
    floor = top - tolerance if threshold is None else min(threshold, top)
    densest = next(i for i, t in enumerate(trajectory) if t[1] >= floor)  # the widest such
    box_lo, box_hi = trajectory[densest][3].copy(), trajectory[densest][4].copy()
    if paste:
        box_lo, box_hi = _paste(values, outcome, box_lo, box_hi, alpha)
    mask = _in_box(values, box_lo, box_hi)
    support, density, coverage = stats(mask)
    restricted = tuple(
        name for j, name in enumerate(names) if box_lo[j] > low[j] or box_hi[j] < high[j]
    )
    return PrimBox(
        limits={name: (float(box_lo[j]), float(box_hi[j])) for j, name in enumerate(names)},
        restricted=restricted,
        coverage=float(coverage),
        density=float(density),
        support=float(support),
        points=int(mask.sum()),
        trajectory=[(float(s), float(d), float(c)) for s, d, c, _, _ in trajectory],
    )


def prim_boxes(
    x: pd.DataFrame,
    y,
    *,
    max_boxes: int = 3,
    alpha: float = 0.05,
    min_support: float = 0.05,
    paste: bool = True,
    tolerance: float = 0.05,
) -> list[PrimBox]:
    """Covering: find a box, set its points aside, find the next in the rest.

    Stops after ``max_boxes`` boxes, or when a box is no denser than the data it was found
    in (so it says nothing), or when fewer than 2 / ``min_support`` points are left. Each
    box's coverage, density and support refer to the data it was found in.
    """
    values = np.asarray(x, dtype=float)
    outcome = np.asarray(y, dtype=float)
    left = np.ones(len(values), dtype=bool)
    boxes: list[PrimBox] = []
    while len(boxes) < max_boxes and left.sum() >= 2 / min_support:
        rest = x[left]
        box = prim(
            rest,
            outcome[left],
            alpha=alpha,
            min_support=min_support,
            paste=paste,
            tolerance=tolerance,
        )
        if not box.restricted or box.density <= outcome[left].mean():
            break
        boxes.append(box)
        lo = np.array([box.limits[str(c)][0] for c in x.columns])
        hi = np.array([box.limits[str(c)][1] for c in x.columns])
        left &= ~_in_box(values, lo, hi)
    return boxes


def _peel_cut(column: np.ndarray, alpha: float, side: int) -> float | None:
    """The new low (side 0) or high (side 1) limit after peeling ``alpha`` of ``column``.

    Keeps ``column >= cut`` (side 0) or ``column <= cut`` (side 1). Where the alpha quantile
    falls inside the lowest (highest) value, that whole value is peeled. None if a peel would
    leave nothing.
    """
    distinct = np.unique(column)
    if len(distinct) < 2:
        return None
    if side == 0:
        q = np.quantile(column, alpha)
        cut = distinct[distinct > q][0] if (distinct > q).any() else None
        return None if cut is None or cut <= distinct[0] else float(cut)
    q = np.quantile(column, 1 - alpha)
    cut = distinct[distinct < q][-1] if (distinct < q).any() else None
    return None if cut is None or cut >= distinct[-1] else float(cut)


def _in_box(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return np.all((values >= lo) & (values <= hi), axis=1)


def _paste(values, outcome, lo, hi, alpha):
    """Widen the box one alpha slice at a time while its density rises."""
    lo, hi = lo.copy(), hi.copy()
    while True:
        mask = _in_box(values, lo, hi)
        density = outcome[mask].mean()
        step = max(1, round(alpha * mask.sum()))
        best = None
        for j in range(values.shape[1]):
            others = np.ones(values.shape[1], dtype=bool)
            others[j] = False
            beside = _in_box(values[:, others], lo[others], hi[others])
            for side in (0, 1):
                outside = values[:, j] < lo[j] if side == 0 else values[:, j] > hi[j]
                pool = np.sort(values[beside & outside, j])
                if not len(pool):
                    continue
                take = min(step, len(pool))
                edge = pool[len(pool) - take] if side == 0 else pool[take - 1]
                new_lo, new_hi = lo.copy(), hi.copy()
                (new_lo if side == 0 else new_hi)[j] = edge
                grown = _in_box(values, new_lo, new_hi)
                gain = outcome[grown].mean()
                if gain > density and (best is None or gain > best[0]):
                    best = (gain, new_lo, new_hi)
        if best is None:
            return lo, hi
        _, lo, hi = best


def _show(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
