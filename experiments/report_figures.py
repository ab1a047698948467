"""The figures of ``relocsim report``: each built as a matplotlib Figure, then saved PNG and SVG.

- Per factor: P(before) at each level as a point with its Wilson interval. Levels are points,
  never joined by lines: a line would claim something between two levels, and many factors
  (strings, booleans, dates) have no "between". With the election's date as the factor, both
  definitions of "before" are shown side by side.
- Per pair of factors: a heatmap.
- When the blueprint lands, relative to polling day: one histogram, or, when the election's
  date is a factor, one panel per date (pooling them would mix different questions).
- PRIM boxes: each box's limits within each factor's range, with coverage and density.

Saved with a tight bounding box, so that no label is cut off, and without dates or software
versions in the metadata and with a fixed SVG id salt, so that equal stores give
byte-identical files.
"""

import math
import re
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.store import write_whole

WRAP = 60  # characters per line of a title or an axis label
LEVEL_SLOTS = 10  # a PRIM input with at most this many values is drawn level by level


def new_figure(width: float = 6.4, height: float = 4.2):
    """A figure (not tied to pyplot's state, so that nothing leaks between reports)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def save(fig, target: Path, stem: str) -> list[Path]:
    """Write ``stem.png`` and ``stem.svg``, each whole or not at all; every label fits."""
    png, svg = target / f"{stem}.png", target / f"{stem}.svg"
    options = {"bbox_inches": "tight"}
    write_whole(
        png,
        "wb",
        lambda f: fig.savefig(f, format="png", dpi=100, metadata={"Software": None}, **options),
    )
    write_whole(
        svg,
        "wb",
        lambda f: fig.savefig(f, format="svg", metadata={"Date": None, "Creator": None}, **options),
    )
    return [png, svg]


def slug(path: str) -> str:
    """A factor's path as a file name part."""
    return re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")


def wrap(text: str) -> str:
    """Long titles and labels over several lines, so that they fit the figure."""
    return "\n".join(textwrap.wrap(text, WRAP, break_long_words=False))


def level_figure(rows: pd.DataFrame, factor: str, label: str, own_label: str | None = None):
    """P(before) per level of one factor: points with their Wilson intervals.

    Args:
        rows: The summary's rows of this factor alone (level, p, lo, hi; p_own, lo_own,
            hi_own too when ``own_label`` is given).
        factor: The factor's path.
        label: What ``p`` is, e.g. ``P(blueprint before presidential_2022, 2022-03-09)``.
        own_label: What ``p_own`` is, where the factor is the election's own date.
    """
    fig = new_figure()
    ax = fig.add_subplot()
    xs = np.arange(len(rows))
    series = [("", label, "o", "tab:blue")]
    if own_label:
        series.append(("_own", own_label, "s", "tab:orange"))
    shift = 0.12 if own_label else 0.0
    for k, (suffix, name, marker, colour) in enumerate(series):
        p, lo, hi = (rows[c + suffix].to_numpy(dtype=float) for c in ("p", "lo", "hi"))
        ax.errorbar(
            xs + (k - (len(series) - 1) / 2) * 2 * shift,
            p,
            yerr=[p - lo, hi - p],
            fmt=marker,
            linestyle="none",
            color=colour,
            capsize=4,
            label=wrap(name),
        )
    ax.set_xticks(xs, list(rows["level"]), rotation=30 if len(rows) > 4 else 0)
    ax.set_xlim(-0.5, len(rows) - 0.5)
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"{factor} (factor level)")
    ax.set_ylabel("share of runs (95% Wilson interval)")
    if own_label:
        ax.set_title(wrap(f"P(blueprint before the election) by {factor}"), fontsize="medium")
        ax.legend(fontsize="small", loc="best")
    else:
        ax.set_title(wrap(f"{label} by {factor}"), fontsize="medium")
    ax.grid(alpha=0.3, axis="y")
    return fig


def heatmap_figure(rows: pd.DataFrame, l1: list, l2: list, f1: str, f2: str, label: str):
    """P(before) over the levels of two factors."""
    grid = rows.pivot(index="level", columns="level_2", values="p").reindex(index=l1, columns=l2)
    values = grid.to_numpy(dtype=float)
    fig = new_figure(7.2, 4.8)
    ax = fig.add_subplot()
    image = ax.imshow(values, vmin=0, vmax=1, cmap="viridis", aspect="auto")
    for (i, j), value in np.ndenumerate(values):
        if not np.isnan(value):
            colour = "white" if value < 0.5 else "black"
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", color=colour)
    ax.set_xticks(range(len(l2)), l2, rotation=30 if len(l2) > 4 else 0)
    ax.set_yticks(range(len(l1)), l1)
    ax.set_xlabel(f"{f2} (factor level)")
    ax.set_ylabel(f"{f1} (factor level)")
    ax.set_title(wrap(f"{label}: {f1} x {f2}"), fontsize="medium")
    fig.colorbar(image, ax=ax, label="share of runs")
    return fig


def spread_figure(weeks: pd.Series, panels: list[tuple[str, pd.Series, float | None]], election):
    """When the blueprint lands, in weeks from the election's (original) polling day.

    Args:
        weeks: Every finished run's blueprint week minus the polling week (NaN: no blueprint).
        panels: ``(title, mask, own_week)`` per panel: which runs it shows and, where the
            election's date is a factor, that level's polling week on the same axis.
        election: The election's code.
    """
    landed = weeks.dropna()
    bins = None
    if len(landed):
        lo, hi = math.floor(landed.min()), math.ceil(landed.max())
        bins = np.arange(lo, hi + 5, 4) if hi - lo > 40 else np.arange(lo, hi + 2, 1)
    fig = new_figure(6.4, 2.0 + 1.9 * len(panels) if len(panels) > 1 else 4.2)
    axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (title, mask, own_week) in zip(axes, panels, strict=True):
        shown = weeks[mask].dropna()
        if len(shown):
            ax.hist(shown, bins=bins, color="tab:blue", edgecolor="white")
        if own_week is None:
            ax.axvline(0, color="black", linestyle="--", label=f"{election} polling day")
        else:
            ax.axvline(0, color="grey", linestyle=":", label="the original polling day")
            ax.axvline(own_week, color="black", linestyle="--", label="this level's polling day")
        missing = int(mask.sum()) - len(shown)
        ax.set_title(f"{title}{len(shown)} runs; {missing} without a blueprint", fontsize="medium")
        ax.set_ylabel("runs")
        ax.legend(fontsize="small")
    axes[-1].set_xlabel(
        wrap(f"blueprint week minus the week of {election}'s original polling day (weeks)")
    )
    return fig


def sensitivity_figure(table: pd.DataFrame, kind: str, label: str):
    """Sobol (S1, ST) or Morris (mu*) indices with their confidence intervals."""
    fig = new_figure()
    ax = fig.add_subplot()
    xs = np.arange(len(table))
    if kind == "sobol":
        ax.bar(xs - 0.2, table["S1"], 0.4, yerr=table["S1_conf"], capsize=3, label="first order S1")
        ax.bar(xs + 0.2, table["ST"], 0.4, yerr=table["ST_conf"], capsize=3, label="total ST")
        ax.set_ylabel("Sobol index (share of variance, 95% CI)")
    else:
        ax.bar(xs, table["mu_star"], 0.6, yerr=table["mu_star_conf"], capsize=3, label="mu*")
        ax.set_ylabel(wrap(f"Morris mu* (change in {label}, 95% CI)"))
    ax.set_xticks(xs, list(table["factor"]), rotation=30, ha="right")
    ax.set_xlabel("factor")
    ax.set_title(wrap(f"{kind.capitalize()} sensitivity of {label}"), fontsize="medium")
    ax.legend()
    return fig


def prim_figure(boxes: list, x: pd.DataFrame, labels: dict[str, list], label: str):
    """Each PRIM box as bars: the part of each restricted factor's range that the box keeps.

    Args:
        boxes: The experiments.prim.PrimBox list, in the order found.
        x: The inputs PRIM saw (coded levels for dates, strings and booleans).
        labels: Coded factor -> its levels, to write limits as levels.
        label: What the boxes hold more of, e.g. ``P(blueprint before ...)``.
    """
    heights = [max(1, len(b.restricted)) for b in boxes]
    fig = new_figure(7.2, 1.2 + 0.55 * sum(heights) + 0.6 * len(boxes))
    axes = fig.subplots(len(boxes), 1, squeeze=False, height_ratios=heights)[:, 0]
    for i, (ax, box) in enumerate(zip(axes, boxes, strict=True)):
        names = list(box.restricted)
        for row, name in enumerate(names):
            lo, hi = box.limits[name]
            start, width = _kept(x[name].to_numpy(dtype=float), lo, hi)
            ax.barh(row, 1.0, color="0.9", edgecolor="0.6")  # the factor's whole range
            ax.barh(row, width, left=start, color="tab:blue")
            ax.text(1.02, row, f"{_limit(lo, name, labels)} to {_limit(hi, name, labels)}",
                    va="center", fontsize="small")  # fmt: skip
        ax.set_yticks(range(len(names)), names)
        ax.set_xlim(0, 1)
        ax.invert_yaxis()
        ax.set_title(
            f"box {i + 1}: coverage {box.coverage:.2f}, density {box.density:.2f}, "
            f"support {box.support:.2f} ({box.points} runs)",
            fontsize="medium",
        )
    axes[-1].set_xlabel(
        wrap("the factor's range in the runs, or its levels in order (the box keeps the blue part)")
    )
    fig.suptitle(wrap(f"PRIM boxes where {label} is high"), fontsize="medium")
    return fig


def _kept(values: np.ndarray, lo: float, hi: float) -> tuple[float, float]:
    """Where a box's limits lie in a factor's range, as (start, width) in [0, 1].

    A factor of a few levels gets one equal slot per level, so that a box keeping one level
    shows a bar; a factor of many values is drawn to scale.
    """
    levels = np.unique(values)
    if len(levels) <= LEVEL_SLOTS:
        first, last = np.searchsorted(levels, lo), np.searchsorted(levels, hi)
        return first / len(levels), (last - first + 1) / len(levels)
    span = (levels[-1] - levels[0]) or 1.0
    return (lo - levels[0]) / span, (hi - lo) / span


def _limit(value: float, name: str, labels: dict[str, list]) -> str:
    if name in labels:
        return str(labels[name][int(value)])
    return f"{value:.4g}"
