"""sim.plots: the shared plotting helpers, and an import that leaves the backend alone."""

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import matplotlib.dates as mdates
import pandas as pd
import pytest
from matplotlib.figure import Figure

import sim
from sim.plots import PARTY_COLOURS, mark_elections, save_figure, timeline_figure


@pytest.fixture(scope="module")
def scenario():
    return sim.load_scenario("season2_2020")


def _axes():
    return Figure().subplots()


def _x(line) -> float:
    """The x position of a vertical line, in the axis' numbers (days for dates)."""
    xs = line.get_xdata()
    assert xs[0] == xs[1]
    return line.axes.xaxis.convert_units(xs[0])


def test_mark_elections_draws_the_elections_inside_the_date_range_only(scenario):
    inside = (e.date for e in scenario.elections if e.date <= scenario.horizon)
    by, presidential, local = inside  # April 2021 to June 2022
    assert by < presidential < local
    ax = _axes()
    days = pd.date_range(by + timedelta(days=7), local - timedelta(days=7), freq="7D")
    ax.plot(days, range(len(days)))
    ax.set_xlim(days[0], days[-1])
    lines = mark_elections(ax, scenario)
    assert [_x(line) for line in lines] == [mdates.date2num(pd.Timestamp(presidential))]
    assert lines[0].get_linestyle() == "--"
    assert lines[0].get_label() == f"presidential election {presidential:%d %b %Y}"
    assert ax.get_lines()[1:] == lines  # the data line, then nothing but the marks


def test_mark_elections_on_the_whole_window_draws_every_election(scenario):
    ax = _axes()
    ax.plot([pd.Timestamp(scenario.start), pd.Timestamp(scenario.horizon)], [0, 1])
    lines = mark_elections(ax, scenario, label=False)
    # The elections listed past the horizon (for the election clock) fall outside the axes.
    expected = [
        mdates.date2num(pd.Timestamp(e.date))
        for e in scenario.elections
        if e.date <= scenario.horizon
    ]
    assert [_x(line) for line in lines] == expected
    assert [line.get_linestyle() for line in lines] == [":", "--", ":"]
    assert all(line.get_label().startswith("_") for line in lines)  # not in the legend


def test_mark_elections_on_a_week_axis(scenario):
    weeks = {e.code: (e.date - scenario.start).days / 7 for e in scenario.elections}
    ax = _axes()
    ax.plot([weeks["presidential_2022"] - 1, weeks["local_2022"] + 1], [0, 1])
    lines = mark_elections(ax, scenario, weeks=True)
    assert [_x(line) for line in lines] == [weeks["presidential_2022"], weeks["local_2022"]]


def test_an_election_moved_out_of_the_range_is_not_drawn(scenario):
    moved = sim.load_scenario(
        "season2_2020", {"elections.presidential_2022.date": date(2023, 6, 1)}
    )
    ax = _axes()
    ax.plot([pd.Timestamp(moved.start), pd.Timestamp(moved.horizon)], [0, 1])
    lines = mark_elections(ax, moved)
    assert [line.get_label().split()[0] for line in lines] == ["by", "local"]


def test_timeline_figure_uses_the_helpers_and_saves_headless(tmp_path, scenario):
    # The first seed whose run announces a blueprint, so that the figure has one to mark.
    result = next(
        r
        for seed in range(100)
        if (r := sim.run("season2_2020", seed=seed)).outcome["blueprint_date"]
    )
    fig = timeline_figure(result.series, scenario, result.outcome, "a run")
    low = fig.axes[-1]
    labels = [text.get_text() for text in fig.legends[0].get_texts()]
    inside = [e for e in scenario.elections if e.date <= scenario.horizon]
    assert {f"{e.kind} election {e.date:%d %b %Y}" for e in inside} <= set(labels)
    assert "blueprint" in labels
    dp = next(line for line in low.get_lines() if line.get_label() == "DP")
    assert dp.get_color() == PARTY_COLOURS["DP"]
    save_figure(fig, tmp_path / "timeline.png")
    assert (tmp_path / "timeline.png").read_bytes().startswith(b"\x89PNG")


def test_party_colours_are_the_dashboards():
    pytest.importorskip("solara")
    from sim import dashboard_views

    assert dashboard_views.PARTY_COLOURS is PARTY_COLOURS


@pytest.mark.parametrize("backend", ["svg", "pdf"])
def test_import_leaves_the_backend_alone(backend):
    code = "import matplotlib, sim.plots, sim.cli\nprint(matplotlib.get_backend(), end='')"
    env = {**os.environ, "MPLBACKEND": backend}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        check=True,
    )
    assert done.stdout == backend


def test_map_labels_do_not_overlap_where_the_same_offset_for_all_would(scenario):
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from sim.plots import _overlap, label_points

    def figure():
        fig = Figure(figsize=(7, 8))
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        ax.scatter(lons, lats)
        ax.set_aspect(1 / np.cos(np.radians(36)))
        ax.set_xlim(125.8, 130.4)
        return fig, ax

    lons = [r.lon for r in scenario.regions]
    lats = [r.lat for r in scenario.regions]
    # as the notebooks label a region: its name, the staff it gains, the named banks it won
    names = [f"{r.name}: 1,200\nKDB, IBK" for r in scenario.regions]
    fig, ax = figure()
    notes = label_points(ax, lons, lats, names, fontsize=8)
    boxes = [n.get_window_extent(fig.canvas.get_renderer()) for n in notes]
    assert [n.get_text() for n in notes] == names and len(ax.texts) == len(names)
    clashes = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if _overlap(a, b)]
    assert not clashes
    # the same offset for every label, as the notebooks had: Busan lands on Gyeongnam
    fig, ax = figure()
    same = [
        ax.annotate(t, (x, y), xytext=(6, 4), textcoords="offset points", fontsize=8)
        for x, y, t in zip(lons, lats, names, strict=True)
    ]
    boxes = [n.get_window_extent(fig.canvas.get_renderer()) for n in same]
    assert any(_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])
