"""Many runs at the dashboard's settings: when does the blueprint come, over N seeds (issue 16).

One run shows a story; the classroom's question is a probability. The "Many runs" view repeats
the running model's settings over N seeds (the model's seed and the N - 1 after it), in a
background thread, and draws the blueprint dates as a histogram that fills in as runs finish,
with the elections marked and P(blueprint before the election that decides the executive)
with its Wilson interval. Like the other views (sim/dashboard_timeline.py,
sim/dashboard_views.py) it draws plain SVG.
"""

import html
from datetime import date, timedelta

import solara
from scipy.stats import binomtest

from sim.runner import run, weeks_in
from sim.scenario import Scenario

BIN_WEEKS = 4  # a histogram bar per four weeks: a month, about
FONT = 14  # px: every text of the view is readable from the back of a classroom
KIND_NAMES = {"by": "by-election"}  # the other kinds read well as they are ("presidential")
CARD = "padding: 6px 10px; background: #fff; color: #222; font-size: 14px;"


def key_election(setting: Scenario):
    """The first election after the start that decides the executive, or None."""
    return next((e for e in setting.deciding_elections() if setting.start <= e.date), None)


def summary(setting: Scenario, dates: list[str | None], total: int) -> str:
    """One line: how many runs are done and, if an election decides the executive, P before it.

    Args:
        setting: The scenario the runs share.
        dates: Each finished run's blueprint date (ISO), None for none by the horizon.
        total: How many runs were asked for.
    """
    done = f"{len(dates)} of {total} runs finished"
    election = key_election(setting)
    if not dates or election is None:
        return done
    k = sum(d is not None and d < election.date.isoformat() for d in dates)
    interval = binomtest(k, len(dates)).proportion_ci(0.95, method="wilson")
    lo, hi = interval.low, interval.high
    return (
        f"{done}: a blueprint before the {election.kind} election of {election.date} in {k}, "
        f"P = {k / len(dates):.2f} (95% interval {lo:.2f} to {hi:.2f})"
    )


def bar_counts(setting: Scenario, dates: list[str | None]) -> tuple[list[int], int]:
    """Runs per bar of ``BIN_WEEKS`` weeks from the start, and runs with no blueprint."""
    weeks = weeks_in(setting)
    counts = [0] * -(-weeks // BIN_WEEKS)  # ceiling: the last bar may be shorter
    for d in dates:
        if d is not None:
            week = (date.fromisoformat(d) - setting.start).days // 7
            counts[min(week // BIN_WEEKS, len(counts) - 1)] += 1
    return counts, sum(d is None for d in dates)


def tallest_bar(setting: Scenario, dates: list[str | None]) -> int:
    """The most runs in any one bar, the "none" bar included."""
    counts, never = bar_counts(setting, dates)
    return max([*counts, never])


def histogram_svg(setting: Scenario, dates: list[str | None], tallest: int = 0) -> str:
    """The runs' blueprint dates as bars of ``BIN_WEEKS`` weeks, elections dashed (HTML, SVG).

    The y axis counts runs, so that the bars add up to the runs finished; a last bar, apart,
    counts the runs with no blueprint by the horizon. Three SVGs side by side (the y axis, the
    weeks, the "none" bar) in a grid of fixed margins: the weeks' x positions are percentages
    of the page's width, so the drawing stretches without scaling its text, which stays
    ``FONT`` px tall at any width.

    Args:
        setting: The scenario the runs share (its start, horizon and elections).
        dates: Each finished run's blueprint date (ISO), None for none by the horizon.
        tallest: The count the y axis reaches at least: histograms drawn side by side share
            one scale.
    """
    weeks = weeks_in(setting)
    counts, never = bar_counts(setting, dates)
    top, plot_h = 2 * FONT + 12, 160  # room for two rows of election labels, then the bars
    base, tallest = top + plot_h, max(tallest_bar(setting, dates), tallest, 1)
    height = base + FONT + 10  # and the years under the axis

    def pct(week: float) -> str:
        return f"{100 * week / weeks:.3f}%"

    def bar(x: str, width: str, n: int, fill: str) -> str:
        h = plot_h * n / tallest
        return (
            f'<rect x="{x}" y="{base - h:.1f}" width="{width}" height="{h:.1f}" '
            f'fill="{fill}" stroke="#fff" data-runs="{n}"/>'
        )

    weeks_svg = [f'<line x1="0" y1="{base}" x2="100%" y2="{base}" stroke="#444"/>']
    for i, n in enumerate(counts):
        if n:
            span = min(BIN_WEEKS, weeks - i * BIN_WEEKS)
            weeks_svg.append(bar(pct(i * BIN_WEEKS), pct(span), n, "#1f77b4"))
    for year in range(setting.start.year + 1, setting.horizon.year + 1):
        x = pct((date(year, 1, 1) - setting.start).days / 7)
        weeks_svg.append(f'<text x="{x}" y="{height - 4}" text-anchor="middle">{year}</text>')
    shown = [e for e in setting.elections if setting.start <= e.date <= setting.horizon]
    for row, e in enumerate(shown):
        week = (e.date - setting.start).days / 7
        # Alternate rows, so that elections a few weeks apart do not print over each other;
        # near the right edge a label runs leftwards, so that it stays on the page.
        y = top - 6 - (row % 2) * (FONT + 4)
        anchor, dx = ("end", -4) if week > 0.85 * weeks else ("start", 4)
        weeks_svg.append(
            f'<line x1="{pct(week)}" y1="{y - FONT}" x2="{pct(week)}" y2="{base}" '
            f'stroke="#d62728" stroke-dasharray="5,4"/><text x="{pct(week)}" dx="{dx}" y="{y}" '
            f'text-anchor="{anchor}" fill="#d62728">'
            f"{html.escape(f'{KIND_NAMES.get(e.kind, e.kind)} {e.date}')}</text>"
        )
    axis = (
        f'<text x="44" y="{top + FONT}" text-anchor="end">{tallest}</text>'
        f'<text x="44" y="{base}" text-anchor="end">0</text>'
    )
    none = bar("20", "50", never, "#999") + (
        f'<text x="45" y="{height - 4}" text-anchor="middle">none: {never}</text>'
    )

    def svg(body: str) -> str:
        return (
            f'<svg width="100%" height="{height}" font-family="sans-serif" font-size="{FONT}" '
            f'overflow="visible" style="display:block">{body}</svg>'
        )

    return (
        f'<div style="font-size:{FONT}px">runs per {BIN_WEEKS} weeks, by the date of the '
        f'blueprint</div><div data-runs="{len(dates)}" style="display:grid; '
        f'grid-template-columns: 50px minmax(0, 1fr) 100px">'
        f"{svg(axis)}{svg(''.join(weeks_svg))}{svg(none)}</div>"
    )


def seeds_of(first: int, n: int) -> range:
    """The seeds of ``n`` runs from the dashboard's seed on: the same settings, other luck."""
    return range(first, first + n)


def comparisons(setting: Scenario) -> dict[str, dict]:
    """Second settings to run beside the dashboard's: a name, and the overrides it adds.

    Each removes one force of the model, as the lessons do: the election that decides the
    executive (moved a year past the horizon, so that it never comes), the unions (all
    silenced), or the fear of blame (b2 = 0).
    """
    found = {}
    election = key_election(setting)
    if election is not None:
        never = setting.horizon + timedelta(weeks=52)
        found[f"no {election.kind} election"] = {f"elections.{election.code}.date": never}
    if setting.unions:
        found["unions silenced"] = {f"unions.{u.code}.strength": 0.0 for u in setting.unions}
    found["no fear of blame (b2 = 0)"] = {"parameters.timing.blame_weight": 0.0}
    return found


def blueprint_date(model, extra: dict, seed: int) -> str | None:
    """One run at the model's settings with ``extra`` overrides on top: its blueprint date.

    A dashboard model knows its scenario and overrides; any other model runs its setting.
    """
    overrides = getattr(model, "overrides", None)
    if overrides is None:
        return run(model.setting, seed=seed, series_every=0).outcome["blueprint_date"]
    name = model.controls["scenario_name"]
    outcome = run(name, seed=seed, series_every=0, **{**overrides, **extra}).outcome
    return outcome["blueprint_date"]


@solara.component
def ManyRuns(model):
    """When the blueprint comes over N seeds, at the model's settings and beside a second.

    The runs go in a background thread and the histograms fill in as they finish.
    """
    n = solara.use_reactive(20)
    other = solara.use_reactive("nothing")
    found = solara.use_reactive({})  # setting's name -> blueprint dates of its finished runs
    asked = solara.use_reactive(0)
    choices = comparisons(model.setting)

    def run_seeds():
        settings = {"as set": {}} | (
            {other.value: choices[other.value]} if other.value in choices else {}
        )
        dates = {name: [] for name in settings}
        asked.set(n.value)
        found.set(dict(dates))
        for seed in seeds_of(model.controls["rng"], n.value):
            for name, extra in settings.items():  # in turn, so that both fill in together
                if not task.is_current():  # a newer request or a new model: stop quietly
                    return
                dates[name] = [*dates[name], blueprint_date(model, extra, seed)]
                found.set(dict(dates))

    task = solara.lab.use_task(run_seeds, dependencies=None)
    solara.use_effect(lambda: found.set({}), [model])  # new settings: old runs no longer apply
    with solara.Column(style=CARD, gap="4px"):
        with solara.Row(style="align-items: center"):
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f'Runs <b data-testid="many-runs-n">{n.value}</b>',
                style="white-space: nowrap",
            )
            solara.v.Slider(
                v_model=n.value,
                on_v_model=lambda new: n.set(int(new)),
                min=10,
                max=200,
                step=10,
                dense=True,
                hide_details=True,
                style_="min-width: 200px",
                attributes={"aria-label": "Runs", "aria-valuetext": f"{n.value} runs"},
            )
            solara.Select("Compare with", value=other, values=["nothing", *choices])
            solara.Button(
                f"Run {n.value} seeds",
                on_click=task,
                disabled=task.pending,
                attributes={"data-testid": "many-runs-start"},
            )
        runs = found.value or {"as set": []}
        tallest = max(tallest_bar(model.setting, d) for d in runs.values())
        for k, (name, dates) in enumerate(runs.items()):
            suffix = "" if k == 0 else f"-{k}"  # the dashboard's settings keep the plain ids
            line = summary(model.setting, dates, asked.value or n.value)
            solara.HTML(
                tag="div",
                unsafe_innerHTML=html.escape(f"{name}: {line}" if len(runs) > 1 else line),
                attributes={"data-testid": f"many-runs-summary{suffix}"},
            )
            solara.HTML(
                tag="div",
                unsafe_innerHTML=histogram_svg(model.setting, dates, tallest=tallest),
                attributes={"data-testid": f"many-runs-histogram{suffix}"},
            )
