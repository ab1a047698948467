"""The teaching dashboard (``relocsim dashboard``, docs/dashboard.md): a Solara page.

Mesa's ``ModelController`` (the Step, Play and Reset of its SolaraViz) runs the model and
re-creates it from the controls on Reset, so ``DashboardModel`` takes them as keyword arguments
and turns them into scenario overrides. The page lays out its own controls and the four views
itself, at sizes that stay readable on a projector at 1280x720 (SolaraViz's own controls and
grid cannot be switched off). The views are ``@solara.component`` components that draw plain
SVG and HTML: they need no chart library in the browser, so the page runs offline, and a step
re-renders in milliseconds. The ties graph is laid out once per model, with a fixed seed. A
toggle above the views shows instead the many-runs view (sim/many_runs.py) or the Info view
(sim/info.py).

Solara's browser app loads its JavaScript from a CDN path that the server proxies to the
Internet. ``fetch_web_assets`` fills that path's cache from the npm registry once, so that the
dashboard also runs with no Internet (``make test`` does this; so does ``relocsim dashboard``).
"""

import html
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import warnings
import weakref
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

import networkx as nx
import numpy as np
import solara
from mesa.visualization import Slider
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter

from sim.allocation import STAY, UNDECIDED
from sim.info import Info
from sim.many_runs import ManyRuns
from sim.model import RelocationModel
from sim.plots import PARTY_COLOURS  # the notebooks' and the figures' colours too
from sim.runner import weeks_in
from sim.scenario import Scenario, available_scenarios, load_scenario

DEFAULT_SCENARIO = "season2_2020"
DEFAULT_SEED = 7
LAYOUT_SEED = 2020  # the ties graph's layout: seeded, so that a run always looks the same
TITLE = "relocsim: moving public institutions out of Seoul (2020-22)"
PLAY_INTERVAL_MS = 100  # Mesa's default pace for Play: a week every 0.1 s, the run in 13 s
# The page's layout at 1280x720 and up: the controls in a column on the left; on the right the
# timeline over the full width, and below it the why log, the draft and the ties side by side.
PAGE = (
    "display: grid; grid-template-columns: 300px minmax(0, 1fr); height: 100vh;"
    " background: #eef0f3; color: #222; font-size: 13px; line-height: 1.35"
)
SIDE = "overflow-y: auto; padding: 8px 12px; background: #fff; border-right: 1px solid #d8d8d8"
MAIN = (
    "display: flex; flex-direction: column; gap: 6px; padding: 6px; min-width: 0;"
    " min-height: 0; overflow: auto"
)
ROW = (
    "flex: 1 1 0; min-height: 240px; display: grid; gap: 6px;"
    " grid-template-columns: minmax(0, 1fr) minmax(0, 1.2fr) minmax(0, 1fr);"
    " grid-template-rows: minmax(0, 1fr)"
)
CARD = (  # a view: white, and it scrolls inside when its cell is too small for it
    "overflow: auto; padding: 6px 10px; font-size: 13px; background: #fff; color: #222;"
    " border-radius: 4px; box-shadow: 0 1px 2px rgba(0, 0, 0, 0.15)"
)
VIEWS = {  # what the toggle above the views shows: one run week by week, many runs, the Info
    "one run": "display: flex; flex-direction: column; gap: 6px; flex: 1 1 0; min-height: 0",
    "many runs": "overflow: auto",
    "info": "flex: 1 1 0; min-height: 0; overflow-y: auto",
}
HIDDEN = "display: none"
HEAD = "font-size: 15px; line-height: 1.3; margin-bottom: 4px"
NOTE = "font-size: 12px; color: #555"
FINISHED = (
    "margin: 4px 0; padding: 4px 8px; background: #fff3cd; border: 1px solid #d9b44a;"
    " border-radius: 4px; font-weight: bold"
)

OTHER_COLOURS = ["#9467bd", "#2ca02c", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"]

# Solara's server asks for a SameSite=None session cookie, so that a page embedded in another
# site's iframe keeps its session; that needs https, so over plain http on any host but
# "localhost" (here 127.0.0.1) it sets SameSite=Lax and warns on the first page load. Lax is
# what this page needs (it is never embedded), so the warning says nothing to act on.
warnings.filterwarnings(
    "ignore",
    message="Cookies with samesite=none require https",
    category=UserWarning,
    module="solara.server.starlette",
)


# ---- the model that Reset re-creates ----------------------------------------------------------
class DashboardModel(RelocationModel):
    """A RelocationModel built from the dashboard's controls (keyword arguments only).

    Args:
        scenario_name: A shipped scenario (``available_scenarios()``).
        cohesion_scale: Multiplies the cohesion of the two main parties (the executive's and
            the challenger's: DP and UFP), capped at 1.
        discipline_scale: Multiplies those two parties' discipline, capped at 1.
        union_strength: Strength of the largest union (KFIU); None keeps the scenario's.
        election_shift: Weeks by which every presidential election moves (negative: earlier).
        blame_weight: ``parameters.timing.blame_weight`` (b2); None keeps the scenario's.
        fit_weight: ``parameters.drafting.fit_weight``; None keeps the scenario's.
        rng: The run's seed.
    """

    def __init__(
        self,
        scenario_name: str = DEFAULT_SCENARIO,
        cohesion_scale: float = 1.0,
        discipline_scale: float = 1.0,
        union_strength: float | None = None,
        election_shift: int = 0,
        blame_weight: float | None = None,
        fit_weight: float | None = None,
        rng: int = DEFAULT_SEED,
    ):
        self.controls = {
            "scenario_name": scenario_name,
            "cohesion_scale": cohesion_scale,
            "discipline_scale": discipline_scale,
            "union_strength": union_strength,
            "election_shift": int(election_shift),
            "blame_weight": blame_weight,
            "fit_weight": fit_weight,
            "rng": int(rng),
        }
        base = load_scenario(scenario_name)
        self.overrides = control_overrides(base, **self.controls)
        super().__init__(load_scenario(scenario_name, self.overrides), rng=int(rng))
        self.weeks = weeks_in(self.setting)

    def step(self) -> None:
        """One week; the run stops at the scenario's horizon (Step and Play then grey out)."""
        super().step()
        if self.steps >= self.weeks:
            self.running = False


def main_parties(setting: Scenario) -> tuple[str, ...]:
    """The executive's party and the challenger (DP and UFP in the default scenario)."""
    return tuple(dict.fromkeys((setting.executive.party, setting.challenger)))


def umbrella_union(setting: Scenario):
    """The union with the most members (the KFIU in the default scenario), or None."""
    return max(setting.unions, key=lambda u: u.members, default=None)


def control_overrides(
    base: Scenario,
    *,
    cohesion_scale: float = 1.0,
    discipline_scale: float = 1.0,
    union_strength: float | None = None,
    election_shift: int = 0,
    blame_weight: float | None = None,
    fit_weight: float | None = None,
    **_ignored,
) -> dict[str, object]:
    """Scenario overrides (dotted paths, as for ``sim.run``) for the dashboard's controls."""
    out: dict[str, object] = {}
    parties = {p.code: p for p in base.parties}
    for code in main_parties(base):
        party = parties[code]
        if cohesion_scale != 1.0:
            out[f"parties.{code}.cohesion"] = _unit(party.cohesion * cohesion_scale)
        if discipline_scale != 1.0:
            out[f"parties.{code}.discipline"] = _unit(party.discipline * discipline_scale)
    union = umbrella_union(base)
    if union is not None and union_strength is not None:
        out[f"unions.{union.code}.strength"] = _unit(union_strength)
    if election_shift:
        for e in base.elections:
            if e.kind == "presidential":  # no earlier than the start: scenarios require it
                moved = e.date + timedelta(weeks=int(election_shift))
                out[f"elections.{e.code}.date"] = max(moved, base.start)
    if blame_weight is not None:
        out["parameters.timing.blame_weight"] = round(float(blame_weight), 4)
    if fit_weight is not None:
        out["parameters.drafting.fit_weight"] = _unit(fit_weight)
    return out


def _unit(value: float) -> float:
    """Clip to [0, 1] and drop slider float noise (0.30000000000000004)."""
    return round(min(1.0, max(0.0, float(value))), 4)


def model_params(scenario_name: str = DEFAULT_SCENARIO) -> dict:
    """The controls, as Mesa's ``Slider`` specs; their defaults reproduce ``relocsim run``.

    ``control_readout`` gives each slider's unit and scale, shown beside it on the page.
    """
    s = load_scenario(scenario_name)
    union = umbrella_union(s)
    pair = " & ".join(s.party_label(c, s.start, s.horizon) for c in main_parties(s))
    return {
        "scenario_name": {
            "type": "Select",
            "value": scenario_name,
            "values": available_scenarios(),
            "label": "Scenario",
        },
        "cohesion_scale": Slider(f"Party cohesion, {pair}", 1.0, 0.0, 1.4, 0.05),
        "discipline_scale": Slider(f"Party discipline, {pair}", 1.0, 0.0, 1.25, 0.05),
        "union_strength": Slider(
            f"Union strength, {union.code if union else 'none'}",
            union.strength if union else 0.0,
            0.0,
            1.0,
            0.05,
            dtype=float,
        ),
        "election_shift": Slider("Presidential election shift", 0, -52, 52, 1),
        "blame_weight": Slider(
            "Blame avoidance b2", s.parameters.timing.blame_weight, 0.0, 30.0, 0.1, dtype=float
        ),
        "fit_weight": Slider(
            "Ministries' weight on fit vs politics",
            s.parameters.drafting.fit_weight,
            0.0,
            1.0,
            0.05,
            dtype=float,
        ),
        "rng": Slider("Seed", DEFAULT_SEED, 0, 100, 1),
    }


# ---- small helpers -------------------------------------------------------------------------
def party_colour(code: str, k: int) -> str:
    """A party's colour: its own where known, else one of a fixed palette."""
    return PARTY_COLOURS.get(code, OTHER_COLOURS[k % len(OTHER_COLOURS)])


def week_label(model: RelocationModel) -> str:
    """'week 12 of 127, 2020-10-12'."""
    total = weeks_in(model.setting)
    return f"week {model.steps} of {total}, {model.date_of(model.steps).isoformat()}"


def settings_line(model: RelocationModel) -> str:
    """The values the running model uses for each control (read back from its scenario)."""
    s = model.setting
    parties = {p.code: p for p in s.parties}
    main = main_parties(s)
    parts = [s.name]
    if isinstance(model, DashboardModel):
        parts.append(f"seed {model.controls['rng']}")
    label = model.party_label
    parts.append("cohesion " + " / ".join(f"{label(c)} {parties[c].cohesion:.2f}" for c in main))
    parts.append(
        "discipline " + " / ".join(f"{label(c)} {parties[c].discipline:.2f}" for c in main)
    )
    union = umbrella_union(s)
    if union is not None:
        parts.append(f"{union.code} strength {union.strength:.2f}")
    parts += [f"{e.code} {e.date.isoformat()}" for e in s.elections if e.kind == "presidential"]
    parts.append(f"b2 {s.parameters.timing.blame_weight:g}")
    parts.append(f"fit weight {s.parameters.drafting.fit_weight:.2f}")
    return " · ".join(parts)


# ---- the ties network ----------------------------------------------------------------------
NET_W, NET_H, NET_STRIP = 480.0, 300.0, 26.0  # SVG units; the strip holds the untied members
_layouts: "weakref.WeakKeyDictionary[RelocationModel, tuple[np.ndarray, str]]" = (
    weakref.WeakKeyDictionary()
)


def network_layout(model: RelocationModel) -> tuple[np.ndarray, str]:
    """Node positions (n, 2) in SVG units and the SVG of the edges, computed once per model.

    The largest connected group is laid out by ``nx.spring_layout`` with a fixed seed, so the
    picture does not jump between steps and a run always looks the same; its outermost 1% are
    pulled to the frame. Members with no tie to it sit in a row along the bottom.
    """
    cached = _layouts.get(model)
    if cached is None:
        graph = model.ties_graph
        groups = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
        main = sorted(groups[0])
        pos = nx.spring_layout(graph.subgraph(main), seed=LAYOUT_SEED, k=0.15)
        core = np.array([pos[k] for k in main], dtype=float)
        lo, hi = np.percentile(core, [1, 99], axis=0)
        core = np.clip((core - lo) / np.maximum(hi - lo, 1e-9), -0.02, 1.02)
        xy = np.zeros((graph.number_of_nodes(), 2))
        xy[main] = [14, 12] + core * [NET_W - 28, NET_H - NET_STRIP - 24]
        rest = [k for group in groups[1:] for k in sorted(group)]
        if rest:
            xy[rest, 0] = np.linspace(120, NET_W - 14, len(rest))
            xy[rest, 1] = NET_H - NET_STRIP / 2
        path = "".join(
            f"M{xy[s, 0]:.1f} {xy[s, 1]:.1f}L{xy[t, 0]:.1f} {xy[t, 1]:.1f}"
            for s, t in graph.edges()
        )
        edges = (
            f'<svg viewBox="0 0 {NET_W:g} {NET_H:g}" width="100%" height="100%" '
            f'preserveAspectRatio="xMidYMid meet"><path d="{path}" stroke="#9a9a9a" '
            'stroke-width="0.3" stroke-opacity="0.3" fill="none"/></svg>'
        )
        cached = _layouts[model] = (xy, edges)
    return cached


def network_nodes_svg(model: RelocationModel) -> str:
    """The lawmakers as circles: colour = party, radius = support for announcing now."""
    w = model.world
    xy, _ = network_layout(model)
    colours = [party_colour(c, k) for k, c in enumerate(w.party_codes)]
    labels = [model.party_label(c) for c in w.party_codes]
    stance = np.clip(model.stance[:, 0], 0.0, 1.0)
    radius = 1.0 + 4.0 * stance
    circles = "".join(
        f'<circle cx="{xy[i, 0]:.1f}" cy="{xy[i, 1]:.1f}" r="{radius[i]:.2f}" '
        f'fill="{colours[p]}"><title>{html.escape(w.shown_name(i, labels[p]))} '
        f"({html.escape(labels[p])}): {stance[i]:.2f}</title></circle>"
        for i, p in enumerate(w.member_party.tolist())
    )
    return (
        f'<svg viewBox="0 0 {NET_W:g} {NET_H:g}" width="100%" height="100%" '
        f'preserveAspectRatio="xMidYMid meet" data-week="{model.steps}">'
        f'<g stroke="#ffffff" stroke-width="0.3" fill-opacity="0.85">{circles}</g></svg>'
    )


def party_legend(model: RelocationModel) -> str:
    """Each party's colour and its members' mean support for announcing now."""
    w = model.world
    items = (
        f'<span style="white-space:nowrap;margin-right:8px"><span style="color:'
        f'{party_colour(c, k)};font-size:16px">&#9679;</span> {html.escape(model.party_label(c))} '
        f"{model.party_stance[k]:.2f}"
        "</span>"
        for k, c in enumerate(w.party_codes)
    )
    return " ".join(items)  # spaces: a narrow view wraps between the parties


@solara.component
def TiesNetwork(model: RelocationModel):
    """The ties graph: who can pull whom. Colour: party; size: support for announcing now."""
    update_counter.get()
    xy, edges = network_layout(model)
    # The SVG scales with its cell, so any text in it could shrink below 12 px: the caption of
    # the bottom row is HTML instead.
    untied = int(np.count_nonzero(xy[:, 1] == NET_H - NET_STRIP / 2))
    strip = f"<br>Bottom row: {untied} lawmakers with no tie to the rest." if untied else ""
    with solara.Column(style=CARD, gap="2px"):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                "<b>Ties between lawmakers</b> (colour: party; size: support for announcing "
                f"now)<br>{party_legend(model)}{strip}"
            ),
        )
        with solara.Div(style="position: relative; width: 100%; flex: 1 1 0; min-height: 140px"):
            # Two layers: the edges never change, so only the nodes go to the browser.
            solara.HTML(tag="div", unsafe_innerHTML=edges, style="position:absolute;inset:0;")
            solara.HTML(
                tag="div",
                unsafe_innerHTML=network_nodes_svg(model),
                style="position:absolute;inset:0;",
                attributes={"data-testid": "relocsim-network"},
            )


# ---- the timeline ----------------------------------------------------------------------------
# Sizes in CSS pixels. The timeline is drawn at its real size rather than scaled through a
# viewBox, so its text stays 12 px tall at any width: x positions are percentages of the plot's
# width, and each panel's curves sit in a nested SVG whose viewBox stretches to the panel.
TL_PANEL, TL_LEGEND, TL_GAP, TL_ROW, TL_FONT = 44.0, 16.0, 4.0, 16.0, 12
TL_LEFT_PX, TL_RIGHT_PX = 40, 12  # room for the y-axis labels, drawn outside the plot
TL_MIN_PLOT_PX = 860.0  # the plot's width at 1280x720; wider only spreads the labels apart
TL_CHAR_PX = 7.4  # a generous mean width of a 12 px character, to keep labels apart
HALO = ' stroke="#fff" stroke-width="3" paint-order="stroke"'
LOG_DECADES = 6  # the hazard panel spans 10^-6 to 1 per week
LOG_LABEL_EVERY = 3  # decades between labelled ticks: 12 px labels need 14 px each
# P(announce) = 1 - e^(-h) is close to h while h is small: dashed, it leaves h visible below it.
DASHED = {"p_announce"}
SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class Panel(NamedTuple):
    """One panel of the timeline.

    Attributes:
        title: The panel's name (``data-panel`` in the SVG).
        series: (DataCollector series, legend label, colour) of each curve.
        scale: "unit" (0 to 1), "auto" (0 to a round number at or above the peak, at least 1)
            or "log" (10^-``LOG_DECADES`` to 1, each decade an equal step).
        note: Grey text after the legend: the unit its curves share, or how they are drawn.
    """

    title: str
    series: list[tuple[str, str, str]]
    scale: str
    note: str = ""


def timeline_panels(model: RelocationModel) -> list[Panel]:
    """The timeline's panels, top to bottom."""
    codes, s, today = model.world.party_codes, model.setting, model.date_of(model.steps)
    stances = [(f"stance_{c}", s.party_label(c, s.start, today), party_colour(c, k))
               for k, c in enumerate(codes)]  # fmt: skip
    # Units: G and B are the electoral weights of sim.timing (seat shares, marginal seats
    # fully and safe ones half), and the executive adds the unions' pressure, itself 0-1, to B.
    return [
        Panel("readiness", [("readiness", "readiness, 0-1", "#000000"),
                            ("proximity", "election proximity g(τ), 0-1", "#8c8c8c")], "unit"),
        # The election's pull on the hazard is a factor of 10^-k: on a linear axis the weeks
        # before polling day would all sit on the zero line.
        Panel("hazard", [("hazard", "hazard h, per week", "#9467bd"),
                         ("p_announce", "P(announce), probability per week", "#ff7f0e")], "log",
              f"log scale; 0 and values under {decade_label(LOG_DECADES)} drawn at the bottom"),
        Panel("pressure", [("union_pressure", "union mobilisation, 0-1", "#d62728"),
                           ("blame", "blame B", "#8c564b"), ("credit", "credit G", "#2ca02c")],
              "auto", "G, B: seat-weighted shares of the Assembly; B adds the union "
              "mobilisation, so it can pass 1"),
        Panel("stance", stances, "unit", "each party's mean support for announcing now, 0-1"),
    ]  # fmt: skip


def decade_label(k: int) -> str:
    """The label of 10^-k on the log axis: "1", "10⁻³"."""
    return "1" if k == 0 else "10" + str(-k).translate(SUPERSCRIPT)


def log_height(values) -> np.ndarray:
    """Heights of ``values`` on the log panel: 0 at 10^-``LOG_DECADES`` and below, 1 at 1.

    The height is (log10(v) + LOG_DECADES) / LOG_DECADES, so each decade is an equal step;
    0 (log10 = -inf) is clipped to the bottom with everything under the floor.
    """
    v = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore"):  # log10(0) = -inf, clipped to the floor below
        return np.clip((np.log10(v) + LOG_DECADES) / LOG_DECADES, 0.0, 1.0)


def panel_heights(panel: Panel, data: dict) -> tuple[dict[str, np.ndarray], list[tuple]]:
    """Each series' heights (0 at the bottom, 1 at the top) and the y axis's (height, label).

    Args:
        panel: The panel.
        data: The DataCollector's model series by name.
    """
    series = {name: np.asarray(data.get(name, []), dtype=float) for name, _, _ in panel.series}
    if panel.scale == "log":
        ticks = [(1 - k / LOG_DECADES, decade_label(k) if k % LOG_LABEL_EVERY == 0 else "")
                 for k in range(LOG_DECADES + 1)]  # fmt: skip
        return {name: log_height(ys) for name, ys in series.items()}, ticks
    peak = max((float(ys.max()) for ys in series.values() if ys.size), default=0.0)
    ymax = 1.0 if panel.scale == "unit" else _nice_ceiling(max(peak, 1.0))
    heights = {name: np.clip(ys / ymax, 0.0, 1.0) for name, ys in series.items()}
    return heights, [(1.0, f"{ymax:g}"), (0.0, "0")]


def label_rows(labels: list[tuple[float, str, bool]]) -> list[int]:
    """A row for each (position 0-1, text, leftwards) label, so that no two in a row overlap.

    Widths are estimated at the narrowest plot the dashboard is laid out for
    (``TL_MIN_PLOT_PX``); on a wider plot the positions spread and the gaps only grow.
    """
    rows: list[float] = []  # the right end of the last label in each row, in pixels
    out = [0] * len(labels)
    spans = []
    for k, (where, text, leftwards) in enumerate(labels):
        anchor, width = where * TL_MIN_PLOT_PX, 3 + TL_CHAR_PX * len(text)
        left = anchor - width if leftwards else anchor
        spans.append((left, left + width, k))
    for left, right, k in sorted(spans):
        row = next((r for r, end in enumerate(rows) if end + 8 <= left), len(rows))
        if row == len(rows):
            rows.append(right)
        rows[row] = right
        out[k] = row
    return out


def timeline_svg(model: RelocationModel) -> str:
    """Four panels over the whole horizon; elections dashed, the blueprint solid."""
    s, data = model.setting, model.datacollector.model_vars
    total = max(weeks_in(s), 1)
    panels = timeline_panels(model)

    def pct(week: float) -> str:
        return f"{100 * min(max(week, 0.0), total) / total:.3f}%"

    # Elections (with the winner once held) and the blueprint, above the panels.
    marks, labels = [], []
    for e in s.elections:
        week = model.week_of(e.date)
        if not 0 <= week <= total:
            continue
        held = model.winners.get(e.code)
        winner = f": {s.party_label(held, e.date)}" if held else ""
        marks.append(f"{e.code}@{week:.1f}")
        labels.append((week, f"{e.kind} {e.date:%Y-%m-%d}{winner}", week / total > 0.7, False))
    if model.blueprint_week >= 0:
        labels.append((model.blueprint_week, "blueprint", model.blueprint_week / total > 0.3, True))
    rows = label_rows([(week / total, text, left) for week, text, left, _ in labels])
    top = TL_ROW * (max(rows, default=0) + 1) + 4
    bottom = top + len(panels) * (TL_LEGEND + TL_PANEL + TL_GAP) - TL_GAP
    height = bottom + TL_ROW + 2

    out = []
    for year in range(s.start.year + 1, s.horizon.year + 1):  # years on the x axis
        wx = pct(model.week_of(date(year, 1, 1)))
        out.append(
            f'<line x1="{wx}" y1="{top}" x2="{wx}" y2="{bottom}" stroke="#e4e4e4"/>'
            f'<text x="{wx}" dx="3" y="{bottom + TL_ROW - 3}" fill="#555">{year}</text>'
        )
    legends = []  # drawn last, over the election and blueprint lines, like their labels
    for k, panel in enumerate(panels):
        legend_y = top + k * (TL_LEGEND + TL_PANEL + TL_GAP)
        ptop = legend_y + TL_LEGEND
        heights, ticks = panel_heights(panel, data)
        out.append(
            f'<rect x="0" y="{ptop}" width="100%" height="{TL_PANEL}" fill="none" '
            f'stroke="#c8c8c8" data-panel="{panel.title}" data-scale="{panel.scale}"/>'
        )
        for level, label in ticks:
            y = ptop + (1 - level) * TL_PANEL
            if 0 < level < 1:  # a grid line; the frame draws those at the top and bottom
                out.append(f'<line x1="0" y1="{y:g}" x2="100%" y2="{y:g}" stroke="#ececec"/>')
            if label:  # the top label hangs below the frame, the others sit on their line
                base = y + 10 if level == 1 else (y if level == 0 else y + 4)
                out.append(
                    f'<text data-axis="{panel.title}" x="-4" y="{base:g}" text-anchor="end" '
                    f'fill="#555">{label}</text>'
                )
        curves = []
        for name, _, colour in panel.series:
            points = " ".join(f"{t},{1 - h:.4f}" for t, h in enumerate(heights[name]))
            dash = ' stroke-dasharray="5,4"' if name in DASHED else ""
            curves.append(
                f'<polyline data-series="{name}" points="{points}" fill="none" '
                f'stroke="{colour}" stroke-width="1.5" vector-effect="non-scaling-stroke"{dash}/>'
            )
        # One text, its parts in a row: each starts where the last ended, whatever the font.
        parts = [(label, colour) for _, label, colour in panel.series]
        parts += [(panel.note, "#555")] if panel.note else []
        legend = "".join(
            f'<tspan dx="{14 if k else 0}" fill="{colour}">{html.escape(label)}</tspan>'
            for k, (label, colour) in enumerate(parts)
        )
        legends.append(
            f'<text data-legend="{panel.title}" x="0" y="{ptop - 4}"{HALO}>{legend}</text>'
        )
        out.append(
            f'<svg x="0" y="{ptop}" width="100%" height="{TL_PANEL}" viewBox="0 0 {total} 1" '
            f'preserveAspectRatio="none" style="overflow:visible">{"".join(curves)}</svg>'
        )
    for (week, text, leftwards, blueprint), row in zip(labels, rows, strict=True):
        wx = pct(week)
        anchor = ' text-anchor="end" dx="-4"' if leftwards else ' dx="4"'
        style = ' font-weight="bold" fill="#000"' if blueprint else ' fill="#333"'
        style += HALO  # legible where another marker's line crosses the label
        line = 'stroke="#000" stroke-width="2"'
        if not blueprint:
            line = 'stroke="#555" stroke-dasharray="3,3"'
        out.append(
            f'<line x1="{wx}" y1="{TL_ROW * row + 2}" x2="{wx}" y2="{bottom}" {line}/>'
            f'<text x="{wx}" y="{TL_ROW * (row + 1) - 3}"{anchor}{style}>'
            f"{html.escape(text)}</text>"
        )
    out += legends
    now = pct(model.steps)
    out.append(
        f'<line x1="{now}" y1="{top}" x2="{now}" y2="{bottom}" stroke="#1f77b4" '
        'stroke-opacity="0.35" stroke-width="4"/>'
    )
    return (
        f'<div style="padding: 0 {TL_RIGHT_PX}px 0 {TL_LEFT_PX}px">'
        f'<svg width="100%" height="{height:g}" font-size="{TL_FONT}" '
        f'data-week="{model.steps}" data-elections="{" ".join(marks)}" '
        # In the style, not an attribute: the page's stylesheet clips SVGs, and the y-axis
        # labels sit in the padding left of this one.
        f'style="display:block; overflow:visible">{"".join(out)}</svg></div>'
    )


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k at or above ``value``."""
    exponent = np.floor(np.log10(value))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if m * 10**exponent >= value * (1 - 1e-9):
            return float(round(m * 10**exponent, 10))
    return float(value)


def run_summary(model: RelocationModel) -> str:
    """What a finished run came to: the week it stopped and the blueprint's date, if any."""
    end = model.date_of(model.steps).isoformat()
    if model.blueprint_week >= 0:
        outcome = f"blueprint announced {model.date_of(model.blueprint_week).isoformat()}"
    else:
        outcome = "no blueprint in this run"
    return (
        f"Run finished: week {model.steps} ({end}) is the scenario's horizon; {outcome}. "
        "Press Reset to run again."
    )


@solara.component
def Timeline(model: RelocationModel):
    """Where the run is: the week, the settings it runs with, and the weekly series."""
    update_counter.get()
    blueprint = (
        f"blueprint announced {model.date_of(model.blueprint_week).isoformat()}"
        if model.blueprint_week >= 0
        else "no blueprint yet"
    )
    finished = (
        f'<div data-testid="relocsim-finished" style="{FINISHED}">'
        f"{html.escape(run_summary(model))}</div>"
        if not model.running
        else ""
    )
    with solara.Column(style=CARD, gap="4px"):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f'<b data-testid="relocsim-week">{week_label(model)}</b> · executive '
                f"{html.escape(model.party_label(model.executive_name))} · {blueprint}{finished}"
                f'<div data-testid="relocsim-settings" style="color:#555;font-size:12px">'
                f"running with: {html.escape(settings_line(model))}</div>"
            ),
        )
        solara.HTML(
            tag="div",
            unsafe_innerHTML=timeline_svg(model),
            attributes={"data-testid": "relocsim-timeline"},
        )


# ---- the draft allocation ------------------------------------------------------------------
def allocation_rows(model: RelocationModel) -> list[tuple[str, list[str]]]:
    """(region, [institution labels]) of the current draft; named institutions come first.

    A named institution reads ``KDB`` (``KDB ✔`` once the executive has fixed it); a pool
    reads ``Energy bodies ×3`` (``Energy bodies ×3 (2 ✔)``). Regions that get a named
    institution come first, the capital region ("stays") last.
    """
    w, s = model.world, model.setting
    decided = np.asarray(model.decided)
    # A decision stands over the draft: in the week of a blueprint the draft still moves
    # institutions that the blueprint keeps in the capital region.
    shown = np.where(decided != UNDECIDED, decided, np.asarray(model.draft))
    entries = s.institutions
    rows = []
    for r in [*range(len(w.region_codes)), STAY]:
        members = np.nonzero(shown == r)[0]
        if r != STAY and not len(members):
            continue
        named, pools = [], {}
        for i in members.tolist():
            entry = entries[int(w.inst_entry[i])]
            if entry.count == 1:
                mark = " ✔" if decided[i] != UNDECIDED else ""
                named.append(f"<b>{html.escape(entry.code)}</b>{mark}")
            else:
                n, fixed = pools.get(entry.name, (0, 0))
                pools[entry.name] = (n + 1, fixed + int(decided[i] != UNDECIDED))
        labels = named + [
            f"{html.escape(name)} ×{n}" + (f" ({fixed} ✔)" if fixed else "")
            for name, (n, fixed) in pools.items()
        ]
        where = "stays in the capital region" if r == STAY else w.region_names[r]
        rows.append((where, labels, bool(named), r == STAY))
    rows.sort(key=lambda row: (row[3], not row[2]))
    return [(where, labels) for where, labels, _, _ in rows]


def allocation_header(model: RelocationModel) -> tuple[str, str]:
    """(title, sentence) above the allocation: what is decided, what moves, what is a draft.

    Decided institutions (✔) are counted apart from the ministries' draft for the others, and
    beside the draft what a blueprint would move now: only the best-fitting share of the
    draft's moves that the bargained scope allows (``sim.allocation.scoped_plan``), the rest
    staying. So a draft that moves 122 and a blueprint that then moves 59 read as they are.
    """
    w, s = model.world, model.setting
    decided, draft = np.asarray(model.decided), np.asarray(model.draft)
    total = len(decided)
    fixed = decided != UNDECIDED
    n_fixed, n_moving = int(fixed.sum()), int((fixed & (decided != STAY)).sum())
    done = (
        f"{n_moving} {'moves' if n_moving == 1 else 'move'} out of the capital region, "
        f"{n_fixed - n_moving} stay in it"
    )
    if n_fixed == total:
        how = f" by the blueprint of {model.date_of(model.blueprint_week)}"
        how = how if model.blueprint_week >= 0 else ""
        return "Allocation decided", f"all {total} institutions decided (✔){how}: {done}."
    open_ = ~fixed
    drafted = int((open_ & (draft != STAY)).sum())
    planned = int((open_ & (np.asarray(model.plan) != STAY)).sum())
    blueprint = (
        f"a blueprint now would move {planned} of them (bargained scope "
        f"{model.bargained_scope:.0f} of 100), the rest staying."
    )
    if not n_fixed:
        return "Draft allocation", (
            f"nothing decided yet. The ministries' draft moves {drafted} of the {total} "
            f"institutions out of the capital region; {blueprint}"
        )
    flagship = w.inst_codes.index(s.flagship) if s.flagship else None
    if n_fixed == n_moving == 1 and flagship is not None and fixed[flagship]:
        when = model.date_of(int(model.decided_week[flagship]))
        news = (
            f"the flagship {s.flagship} decided (✔): to {w.region_names[decided[flagship]]}, {when}"
        )
    else:
        news = f"{n_fixed} of the {total} institutions decided (✔): {done}"
    return "Draft allocation", (
        f"{news}. Of the other {int(open_.sum())}, the ministries' draft moves {drafted}; "
        f"{blueprint}"
    )


@solara.component
def DraftAllocation(model: RelocationModel):
    """The ministries' current draft, and what the executive has decided."""
    update_counter.get()
    title, sentence = allocation_header(model)
    # One paragraph per region, so that a narrow column wraps the institutions, not the names.
    body = "".join(
        f'<div data-region style="margin-top:3px"><span style="color:#555">'
        f"{html.escape(where)}:</span> {', '.join(labels) or '-'}</div>"
        for where, labels in allocation_rows(model)
    )
    solara.HTML(
        tag="div",
        style=CARD,
        attributes={"data-testid": "relocsim-draft", "data-week": str(model.steps)},
        unsafe_innerHTML=(
            f'<span data-testid="relocsim-draft-header"><b>{title}</b>: '
            f"{html.escape(sentence)}</span>{body}"
        ),
    )


# ---- the why log ---------------------------------------------------------------------------
def this_week(model: RelocationModel) -> list[tuple]:
    """Why-log entries of the last step (elections held between two ticks included)."""
    now = model.steps
    return [row for row in model.why if now - 1 < row[0] <= now] if now else []


@solara.component
def WhyLog(model: RelocationModel):
    """Who moved whom, how the bargained scope moved, why the executive waited or acted."""
    update_counter.get()
    rows = this_week(model)
    if rows:
        body = "".join(
            f'<div data-why style="margin-top:3px"><i>{html.escape(kind)}</i> · '
            f"{html.escape(actor)}{' → ' + html.escape(target) if target else ''}: "
            f"{html.escape(detail)}</div>"
            for _, kind, actor, target, detail in rows
        )
    else:
        body = "<p>Nothing yet: press Step to run the first week.</p>"
    solara.HTML(
        tag="div",
        style=CARD,
        attributes={"data-testid": "relocsim-why", "data-week": str(model.steps)},
        unsafe_innerHTML=f"<b>Why: {week_label(model)}</b>{body}",
    )


COMPONENTS = [Timeline, TiesNetwork, DraftAllocation, WhyLog]


# ---- the controls and the page -------------------------------------------------------------
def control_defaults(scenario_name: str = DEFAULT_SCENARIO) -> dict[str, object]:
    """Every control at its default (with them, the dashboard shows ``relocsim run``)."""
    return {
        name: spec.value if isinstance(spec, Slider) else spec["value"]
        for name, spec in model_params(scenario_name).items()
    }


def control_readout(name: str, value, base: Scenario) -> tuple[str, str]:
    """(the value with its unit, what the scale means) for a slider, shown with it at all times.

    Args:
        name: A key of ``model_params()``.
        value: The slider's value.
        base: The scenario the controls apply to, for its recorded values.
    """
    timing, drafting = base.parameters.timing, base.parameters.drafting
    if name in ("cohesion_scale", "discipline_scale"):
        return f"{value:.2f} ×", "× the scenario's value, 1 = as recorded"
    if name == "union_strength":
        union = umbrella_union(base)
        recorded = f"recorded {union.strength:.2f}" if union else "no union in this scenario"
        return f"{value:.2f} of 1", f"0 = none, 1 = strongest; {recorded}"
    if name == "election_shift":
        first = next((e for e in base.elections if e.kind == "presidential"), None)
        if first is None:
            return f"{int(value):+d} weeks", "no presidential election in this scenario"
        moved = max(first.date + timedelta(weeks=int(value)), base.start)
        return f"{int(value):+d} weeks", f"polling day {moved}, recorded {first.date}"
    if name == "blame_weight":
        return (
            f"b2 = {value:g}",
            f"hazard × e^(−b2·B·g) near polls; recorded {timing.blame_weight:g}",
        )
    if name == "fit_weight":
        return (
            f"{value:.2f} of 1",
            f"1 = fit and equity, 0 = lobbying; recorded {drafting.fit_weight:.2f}",
        )
    if name == "rng":
        return f"seed {int(value)}", "same settings, other luck"
    raise KeyError(name)


def _slider_value(spec: Slider, value: float) -> float | int:
    """A slider's value as the model takes it: an int, or a float without binary noise."""
    if not spec.is_float_slider:
        return round(value)
    decimals = max(0, -int(np.floor(np.log10(spec.step)))) + 1
    return round(float(value), decimals)


@solara.component
def ControlSlider(name: str, spec: Slider, params: solara.Reactive, base: Scenario):
    """One slider with its label, its value and unit (always shown), and what its scale means."""
    value = params.value[name]
    readout, scale = control_readout(name, value, base)

    def set_value(new):
        params.value = {**params.value, name: _slider_value(spec, new)}

    with solara.Column(gap="0px", style="margin-top: 3px"):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<span>{html.escape(spec.label)}</span>"
                f'<b data-testid="relocsim-value-{name}" style="white-space:nowrap">'
                f"{html.escape(readout)}</b>"
            ),
            style="display:flex; justify-content:space-between; gap:8px; font-size:13px",
        )
        solara.v.Slider(
            v_model=value,
            on_v_model=set_value,
            min=spec.min,
            max=spec.max,
            step=spec.step,
            dense=True,
            hide_details=True,
            thumb_label=False,  # the value is always shown above, with its unit
            attributes={"aria-label": spec.label, "aria-valuetext": readout},
        )
        solara.HTML(tag="div", unsafe_innerHTML=html.escape(scale), style=NOTE)


@solara.component
def ControlPanel(params: solara.Reactive):
    """The scenario and the sliders; they take effect on Reset, which builds a new model."""
    specs = solara.use_memo(model_params, [])
    scenario_name = params.value["scenario_name"]
    base = solara.use_memo(lambda: load_scenario(scenario_name), [scenario_name])
    picker = specs["scenario_name"]
    solara.Select(
        label=picker["label"],
        value=scenario_name,
        values=picker["values"],
        on_value=lambda new: params.set({**params.value, "scenario_name": new}),
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML="The sliders take effect when you press <b>Reset</b>.",
        style=NOTE,
    )
    for name, spec in specs.items():
        if isinstance(spec, Slider):
            ControlSlider(name, spec, params, base)


@solara.component
def Page():
    """The dashboard: one model per browser session, Mesa's Step/Play/Reset, our controls.

    SolaraViz would add controls of its own that no option turns off (play and render
    interval, threads, the page tabs) and lay the views out in a draggable grid of half-width
    cells. So the page composes Mesa's ``ModelController`` (the Step, Play and Reset that
    SolaraViz uses) with its own sliders and a fixed layout that fits 1280x720.
    """
    model = solara.use_reactive(solara.use_memo(DashboardModel, []))
    params = solara.use_reactive(solara.use_memo(control_defaults, []))
    # ModelController reads these as reactive values; the page keeps Mesa's defaults.
    play_interval = solara.use_reactive(PLAY_INTERVAL_MS)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    view = solara.use_reactive("one run")
    solara.Title(TITLE)
    with solara.Div(style=PAGE):
        with solara.Column(style=SIDE, gap="4px"):
            solara.HTML(tag="div", unsafe_innerHTML=f"<b>{html.escape(TITLE)}</b>", style=HEAD)
            ModelController(
                model,
                model_parameters=params,
                play_interval=play_interval,
                render_interval=render_interval,
                use_threads=use_threads,
            )
            ControlPanel(params)
        with solara.Div(style=MAIN):
            solara.ToggleButtonsSingle(value=view, values=list(VIEWS), dense=True)
            # All stay mounted, the others hidden, so that many runs keep going (and are kept)
            # while the class watches one run or reads the Info, and the other way round.
            with solara.Div(style=VIEWS["one run"] if view.value == "one run" else HIDDEN):
                Timeline(model.value)
                with solara.Div(style=ROW):
                    WhyLog(model.value)
                    DraftAllocation(model.value)
                    TiesNetwork(model.value)
            with solara.Div(style=VIEWS["many runs"] if view.value == "many runs" else HIDDEN):
                ManyRuns(model.value)
            with solara.Div(style=VIEWS["info"] if view.value == "info" else HIDDEN):
                Info()


page = Page()  # for notebooks; `solara run sim.app` and `relocsim dashboard` use Page


# ---- the browser app's files, for running offline ------------------------------------------
def web_assets() -> list[str]:
    """The npm packages (``name@version``) the page loads through Solara's CDN path.

    Read from the installed Solara (its page template and its draggable grid), so that the
    list follows Solara's versions.
    """
    root = Path(solara.__file__).parent
    vue3 = importlib.metadata.version("ipyvue").startswith("3")
    texts = [
        (root / "server" / "templates" / "solara.html.j2").read_text(),
        (root / "widgets" / "vue" / "gridlayout.vue").read_text(),
    ]
    import solara.server.settings as server_settings

    texts.append("{{cdn}}" + server_settings.assets.fontawesome_path)
    pattern = r"(?:\{\{cdn\}\}|getCdn\(\)\})/((?:@[\w.-]+/)?[\w.-]+@\d[\w.-]*)/"
    found = sorted({m for text in texts for m in re.findall(pattern, text)})
    # The template names the Vue 2 and the Vue 3 app; the browser loads the one of ipyvue.
    return [a for a in found if "solara-vuetify" not in a or ("vuetify3" in a) == vue3]


def web_asset_cache() -> Path:
    """Where Solara's server looks for CDN files before it asks the Internet."""
    import solara.server.settings as server_settings

    return Path(server_settings.assets.proxy_cache_dir)


def missing_web_assets() -> list[str]:
    """``web_assets()`` not yet in the cache."""
    cache = web_asset_cache()
    return [a for a in web_assets() if not (cache / a / "package.json").is_file()]


def fetch_web_assets() -> list[str]:
    """Put the missing browser files into Solara's cache with ``npm pack``; return their names.

    Raises:
        RuntimeError: If npm is not installed or a package cannot be fetched.
    """
    missing = missing_web_assets()
    if not missing:
        return []
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed (Debian: apt-get install npm)")
    cache = web_asset_cache()
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [npm, "pack", "--json", "--silent", *missing],
            cwd=tmp,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0:
            raise RuntimeError(f"npm pack failed: {done.stderr.strip()[-500:]}")
        for info in json.loads(done.stdout):
            target = cache / f"{info['name']}@{info['version']}"
            unpacked = Path(tmp) / "unpacked"
            with tarfile.open(Path(tmp) / info["filename"]) as tar:
                tar.extractall(unpacked, filter="data")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(target, ignore_errors=True)
            shutil.move(unpacked / "package", target)
            shutil.rmtree(unpacked)
    return missing


def main() -> int:
    """``python -m sim.app``: fetch the browser files (what ``make web-assets`` runs)."""
    try:
        fetched = fetch_web_assets()
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as err:
        print(f"sim.app: cannot fetch the dashboard's browser files: {err}", file=sys.stderr)
        return 1
    where = web_asset_cache()
    print(f"fetched {', '.join(fetched)} into {where}" if fetched else f"up to date: {where}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
