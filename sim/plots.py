"""Figures of one run, and the helpers the notebooks share: elections on a time axis, party colours.

Importing this module leaves matplotlib's backend alone, so that notebooks and scripts can use
it with whatever backend they picked. ``timeline_figure`` builds a ``matplotlib.figure.Figure``
without pyplot: it needs no backend at all, and ``save_figure`` writes it headless (``relocsim
run --out``). In a notebook, show it with ``display(fig)``.
"""

import pandas as pd
from matplotlib.figure import Figure

__all__ = ["PARTY_COLOURS", "label_points", "mark_elections", "save_figure", "timeline_figure"]

LABEL_OFFSETS = [  # where a label may sit around its point, in typographic points, nearest first
    (dx * step, dy * step)
    for step in (1, 2, 3)
    for dx, dy in ((6, 4), (6, -10), (-6, 4), (-6, -10), (0, 12), (0, -18))
]

PARTY_COLOURS = {  # the parties' own colours where they have one; the dashboard's too
    "DP": "#1f5fbf",
    "UFP": "#d62728",
    "PPP": "#d62728",
    "JP": "#e6b800",
    "PP": "#ff7f0e",
    "ODP": "#17becf",
    "IND": "#8c8c8c",
}


def mark_elections(ax, scenario, *, label=True, weeks=False) -> list:
    """Draw the scenario's elections as vertical lines, on a date axis or a week axis.

    Presidential elections are dashed, the others (by-elections, local) dotted. Only the
    elections inside the axes' current x-range are drawn, so call it after plotting the data.

    Args:
        ax: The matplotlib axes; its x axis holds dates (``weeks=False``) or weeks after the
            scenario's start (``weeks=True``).
        scenario: A loaded scenario (``sim.load_scenario``), overrides included; anything with
            ``elections`` (and ``start``, for ``weeks=True``) will do.
        label: Whether to name the elections in the legend, e.g. "presidential election 09 Mar
            2022"; False for all but one of several stacked axes.
        weeks: Whether the x axis counts weeks after ``scenario.start`` instead of dates.

    Returns:
        The lines drawn, in the order of ``scenario.elections``.
    """
    start = pd.Timestamp(scenario.start) if weeks else None
    return _mark(ax, scenario.elections, start=start, label=label)


def _mark(ax, elections, *, start, label) -> list:
    low, high = sorted(ax.get_xlim())
    lines = []
    for e in elections:
        stamp = pd.Timestamp(e.date)
        x = stamp if start is None else (stamp - start).days / 7
        where = ax.xaxis.convert_units(x) if start is None else x
        if not low <= where <= high:
            continue
        lines.append(
            ax.axvline(
                x,
                color="black",
                linewidth=1,
                linestyle="--" if e.kind == "presidential" else ":",
                label=f"{e.kind} election {e.date:%d %b %Y}" if label else None,
            )
        )
    return lines


def timeline_figure(series: pd.DataFrame, scenario, outcome: dict, title: str) -> Figure:
    """Three stacked panels over calendar time; elections and blueprint named below them.

    Args:
        series: ``RunResult.series``.
        scenario: The run's scenario: its elections are marked, and each party's series is
            named by the labels it went by over the dates plotted (``UFP → PPP``).
        outcome: ``RunResult.outcome``, for the blueprint marker.
        title: Figure title.

    Returns:
        A matplotlib Figure, not managed by pyplot: save it with ``save_figure``, or show it
        with ``display(fig)`` in a notebook.
    """
    when = pd.to_datetime(series.index)
    first, last = (day.date() for day in (when.min(), when.max()))
    fig = Figure(figsize=(10, 8), layout="constrained")
    axes = fig.subplots(3, 1, sharex=True)
    top, mid, low = axes
    top.plot(when, series["readiness"], label="readiness (draft x bargained timing)")
    top.plot(when, series["p_announce"], label="P(announce) this week")
    top.plot(when, series["proximity"], label="election proximity g(tau)", linestyle=":")
    top.set_ylabel("share / probability")
    mid.plot(when, series["union_pressure"], color="tab:red", label="union mobilisation")
    mid.plot(when, series["blame"], color="tab:brown", label="blame B")
    mid.plot(when, series["credit"], color="tab:green", label="credit G")
    mid.set_ylabel("index (mobilisation, credit 0-1)")
    for column in (c for c in series.columns if c.startswith("stance_")):
        code = column.removeprefix("stance_")
        label = scenario.party_label(code, first, last)
        low.plot(when, series[column], color=PARTY_COLOURS.get(code), label=label)
    low.set_ylabel("mean support for announcing (0-1)")
    low.set_xlabel("date (weekly ticks)")
    for ax in axes:  # each panel's legend names its series; the marks get one legend below
        ax.legend(loc="upper left", fontsize=8, ncols=3)
    blueprint = outcome.get("blueprint_date")
    marks = []
    for ax in axes:
        marks = _mark(ax, scenario.elections, start=None, label=True)
        if blueprint:
            marks.append(
                ax.axvline(pd.Timestamp(blueprint), color="black", linewidth=2, label="blueprint")
            )
    if marks:
        fig.legend(handles=marks, loc="outside lower center", ncols=len(marks), fontsize=8)
    fig.suptitle(title)
    return fig


def label_points(ax, xs, ys, texts, **text_kwargs) -> list:
    """Label points without letting two labels overlap: greedy placement, nearest place first.

    Each label tries the offsets of ``LABEL_OFFSETS`` around its point in turn and takes the
    first where its box, as drawn, overlaps no label placed before it (the classic greedy
    point-feature labelling; Christensen, Marks & Shieber 1995, "An empirical study of
    algorithms for point-feature label placement", ACM Trans. Graphics 14(3)). If none is free,
    it takes the one that overlaps least. Labels are placed in the order given: put the ones
    that matter most first.

    Args:
        ax: The axes, with its limits and aspect already set (they fix where text lands).
        xs: The points' x, in data coordinates.
        ys: The points' y, in data coordinates.
        texts: One label per point.
        **text_kwargs: Passed to ``ax.annotate`` (``fontsize``, ``color``...).

    Returns:
        The annotations, one per point.
    """
    renderer = ax.figure.canvas.get_renderer()
    placed, out = [], []
    for x, y, text in zip(xs, ys, texts, strict=True):
        best = None
        for dx, dy in LABEL_OFFSETS:
            note = ax.annotate(
                text, (x, y), xytext=(dx, dy), textcoords="offset points",
                ha="left" if dx >= 0 else "right", va="bottom" if dy >= 0 else "top",
                **text_kwargs,
            )  # fmt: skip
            box = note.get_window_extent(renderer)
            overlap = sum(_overlap(box, other) for other in placed)
            if best is None or overlap < best[0]:
                if best is not None:
                    best[1].remove()
                best = (overlap, note, box)
            else:
                note.remove()
            if overlap == 0:
                break
        placed.append(best[2])
        out.append(best[1])
    return out


def _overlap(a, b) -> float:
    """The area two display boxes share (0 if they do not meet)."""
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(width, 0.0) * max(height, 0.0)


def save_figure(fig, path) -> None:
    """Save with no timestamp or version metadata, so that equal runs give equal files.

    A figure made through pyplot is closed afterwards; one made by ``timeline_figure`` needs
    no closing.
    """
    fig.savefig(path, dpi=110, metadata={"Software": None})
    if fig.canvas.manager is not None:  # made through pyplot: release it
        import matplotlib.pyplot as plt

        plt.close(fig)
