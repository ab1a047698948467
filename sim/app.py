"""The teaching dashboard (``relocsim dashboard``, docs/dashboard.md): a Solara page.

The page lays out its own controls and the four views itself, at sizes that stay readable on a
projector at 1280x720 (SolaraViz's own controls and grid cannot be switched off). A toggle
above the views shows instead the many-runs view (sim/many_runs.py) or the Info view
(sim/info.py). This module is the entry point (``solara run sim.app``, ``relocsim dashboard``,
``python -m sim.app``); the rest of the page is in:

- sim/dashboard_model.py: ``DashboardModel``, which Mesa's Reset re-creates from the controls,
  and the controls' specs (``model_params``);
- sim/dashboard_controls.py: the scenario picker and the sliders, in the column on the left;
- sim/dashboard_timeline.py: the timeline, over the full width;
- sim/dashboard_views.py: the why log, the draft allocation and the ties network, below it;
- sim/dashboard_assets.py: the browser app's files, cached so that the page runs offline.
"""

import html
import subprocess
import sys
import warnings

import solara
from mesa.visualization.solara_viz import ModelController

from sim.dashboard_assets import fetch_web_assets, web_asset_cache
from sim.dashboard_controls import ControlPanel
from sim.dashboard_model import DashboardModel, control_defaults
from sim.dashboard_timeline import Timeline
from sim.dashboard_views import DraftAllocation, TiesNetwork, WhyLog
from sim.info import Info
from sim.many_runs import ManyRuns

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
VIEWS = {  # what the toggle above the views shows: one run week by week, many runs, the Info
    "one run": "display: flex; flex-direction: column; gap: 6px; flex: 1 1 0; min-height: 0",
    "many runs": "overflow: auto",
    "info": "flex: 1 1 0; min-height: 0; overflow-y: auto",
}
HIDDEN = "display: none"
HEAD = "font-size: 15px; line-height: 1.3; margin-bottom: 4px"

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

COMPONENTS = [Timeline, TiesNetwork, DraftAllocation, WhyLog]


# ---- the page -----------------------------------------------------------------------------
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
