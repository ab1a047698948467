"""The dashboard's timeline: the weekly series over the whole horizon, in four panels.

Above the panels, a header says where the run is (the week, the executive, the blueprint, "Run
finished" at the horizon) and the settings it runs with. The elections are dashed lines with
the winner once held, the blueprint a solid one. Like the other views (sim/dashboard_views.py)
it is plain SVG, drawn here at its real size so that its text stays 12 px tall at any width.
"""

import html
from datetime import date
from typing import NamedTuple

import numpy as np
import solara
from mesa.visualization.utils import update_counter

from sim.dashboard_model import settings_line, week_label
from sim.dashboard_views import CARD, party_colour
from sim.model import RelocationModel
from sim.runner import weeks_in

FINISHED = (  # the header's "Run finished" line
    "margin: 4px 0; padding: 4px 8px; background: #fff3cd; border: 1px solid #d9b44a;"
    " border-radius: 4px; font-weight: bold"
)

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
