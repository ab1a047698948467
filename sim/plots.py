"""Figures of one run: the timeline with the elections marked."""

import matplotlib

matplotlib.use("Agg")  # files only; notebooks and the dashboard pick their own backend
import matplotlib.pyplot as plt
import pandas as pd


def timeline_figure(series: pd.DataFrame, elections, outcome: dict, title: str):
    """Three stacked panels over calendar time, elections as vertical lines.

    Args:
        series: ``RunResult.series``.
        elections: The scenario's elections (code, kind, date).
        outcome: ``RunResult.outcome``, for the blueprint marker.
        title: Figure title.

    Returns:
        A matplotlib Figure.
    """
    when = pd.to_datetime(series.index)
    fig, axes = plt.subplots(3, 1, figsize=(10, 8), sharex=True, constrained_layout=True)
    top, mid, low = axes
    top.plot(when, series["readiness"], label="readiness (draft x bargained timing)")
    top.plot(when, series["p_announce"], label="P(announce) this week")
    top.plot(when, series["proximity"], label="election proximity g(tau)", linestyle=":")
    top.set_ylabel("share / probability")
    mid.plot(when, series["union_pressure"], color="tab:red", label="union mobilisation")
    mid.plot(when, series["blame"], color="tab:brown", label="blame B")
    mid.plot(when, series["credit"], color="tab:green", label="credit G")
    mid.set_ylabel("index (0-1)")
    for column in (c for c in series.columns if c.startswith("stance_")):
        low.plot(when, series[column], label=column.removeprefix("stance_"))
    low.set_ylabel("mean support for announcing (0-1)")
    low.set_xlabel("date (weekly ticks)")
    for ax in axes:
        for e in elections:
            stamp = pd.Timestamp(e.date)
            if when[0] <= stamp <= when[-1]:
                ax.axvline(stamp, color="grey", linestyle="--", linewidth=1)
        ax.legend(loc="upper left", fontsize=8, ncols=3)
    for e in elections:
        stamp = pd.Timestamp(e.date)
        if when[0] <= stamp <= when[-1]:
            top.annotate(
                f"{e.kind} {e.date:%Y-%m-%d}",
                (stamp, 1.0),
                xycoords=("data", "axes fraction"),
                rotation=90,
                va="top",
                ha="right",
                fontsize=7,
            )
    if outcome.get("blueprint_date"):
        for ax in axes:
            ax.axvline(pd.Timestamp(outcome["blueprint_date"]), color="black", linewidth=2)
        top.annotate(
            "blueprint",
            (pd.Timestamp(outcome["blueprint_date"]), 0.5),
            xycoords=("data", "axes fraction"),
            rotation=90,
            ha="right",
            fontsize=8,
        )
    fig.suptitle(title)
    return fig


def save_figure(fig, path) -> None:
    """Save with no timestamp or version metadata, so that equal runs give equal files."""
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)
