"""The teaching dashboard (``relocsim dashboard``: sim/app.py and its sim/dashboard_*.py).

Unit tests render the components with ``solara.render``, without a browser. The end-to-end test
starts the real server and drives it in headless Chromium through Playwright: Debian's
``chromium`` (``make browser``), since Playwright cannot download its own here, and the page's
JavaScript from Solara's local cache (``make web-assets``), so nothing leaves the machine.
Timings are written to results/test-artifacts/, never asserted (as everywhere in this project).
"""

import html
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import ipyvuetify as v
import numpy as np
import pytest
import solara
from mesa.visualization import Slider
from mesa.visualization.utils import force_update

import sim
from sim import app
from sim.allocation import UNDECIDED
from sim.cli import main
from sim.dashboard_assets import web_assets
from sim.dashboard_controls import _slider_value, control_readout
from sim.dashboard_model import (
    DEFAULT_SCENARIO,
    DEFAULT_SEED,
    DashboardModel,
    control_defaults,
    model_params,
    settings_line,
)
from sim.dashboard_timeline import (
    FINISHED,
    TL_PANEL,
    Timeline,
    decade_label,
    log_height,
    run_summary,
    timeline_svg,
)
from sim.dashboard_views import (
    NET_H,
    NET_W,
    allocation_header,
    allocation_rows,
    network_layout,
    this_week,
)
from sim.scenario import available_scenarios, load_scenario
from tests.test_notebooks import SECTIONS as LESSON_SECTIONS

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "results" / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def render():
    """``solara.render`` whose contexts are closed after the test.

    Mesa's step signal is one global reactive: a context left open would re-render on every
    later test's step.
    """
    contexts = []

    def _render(element):
        _box, rc = solara.render(element, handle_error=False)
        contexts.append(rc)
        return rc

    yield _render
    for rc in contexts:
        rc.close()


def html_widgets(rc) -> dict[str, object]:
    """The views' HTML widgets by data-testid."""
    found = {}
    for w in rc.find(solara.widgets.HTML).widgets:
        key = w.attributes.get("data-testid")
        if key:
            found[key] = w
    return found


# ---- the model behind the controls ---------------------------------------------------------
def test_slider_defaults_reproduce_relocsim_run():
    dashboard = DashboardModel(**control_defaults())
    plain = sim.build_model("season2_2020", seed=DEFAULT_SEED)
    for model in (dashboard, plain):
        model.run_for(20)
    a, b = dashboard.datacollector.model_vars, plain.datacollector.model_vars
    assert a.keys() == b.keys()
    for key in a:
        assert a[key] == b[key], key
    assert dashboard.why == plain.why


def test_each_control_reaches_the_scenario():
    m = DashboardModel(
        cohesion_scale=1.2,
        discipline_scale=0.5,
        union_strength=0.9,
        election_shift=-10,
        blame_weight=3.0,
        fit_weight=0.25,
        rng=3,
    )
    s = m.setting
    parties = {p.code: p for p in s.parties}
    assert parties["DP"].cohesion == pytest.approx(0.84)
    assert parties["UFP"].cohesion == pytest.approx(0.84)
    assert parties["DP"].discipline == pytest.approx(0.4)
    assert parties["UFP"].discipline == pytest.approx(0.375)
    assert parties["JP"].discipline == pytest.approx(0.85)  # only the two main parties move
    assert {u.code: u.strength for u in s.unions}["KFIU"] == pytest.approx(0.9)
    presidential = next(e for e in s.elections if e.kind == "presidential")
    assert presidential.date.isoformat() == "2021-12-29"  # 2022-03-09 minus 10 weeks
    assert s.parameters.timing.blame_weight == 3.0
    assert s.parameters.drafting.fit_weight == 0.25
    assert "seed 3" in settings_line(m) and "b2 3" in settings_line(m)


def test_scales_are_capped_and_the_run_stops_at_the_horizon():
    m = DashboardModel(cohesion_scale=1.4, discipline_scale=1.25, election_shift=52)
    assert {p.code: p.discipline for p in m.setting.parties}["DP"] == 1.0
    m.run_for(m.weeks)
    assert not m.running
    assert not any(row[1] == "election" and row[2] == "presidential_2022" for row in m.why)


def test_every_control_is_a_model_argument():
    params = model_params()
    assert len(params) >= 8  # scenario picker + seven sliders
    assert params["scenario_name"]["values"] == available_scenarios()
    argnames = DashboardModel.__init__.__code__.co_varnames
    assert set(params) <= set(argnames)


def test_defaults_sit_on_their_slider_steps():
    """A browser slider snaps its value to its step: a default off the grid would move."""
    defaults = control_defaults()
    for name, spec in model_params().items():
        if not isinstance(spec, Slider):
            continue
        value = defaults[name]
        steps = (value - spec.min) / spec.step
        assert spec.min <= value <= spec.max, name
        assert steps == pytest.approx(round(steps), abs=1e-9), (name, value, spec.step)
        assert _slider_value(spec, value) == value, name


def test_every_slider_reads_out_its_value_with_unit_and_scale():
    base = load_scenario(DEFAULT_SCENARIO)
    defaults = control_defaults()
    readouts = {
        name: control_readout(name, defaults[name], base)
        for name, spec in model_params().items()
        if isinstance(spec, Slider)
    }
    assert readouts["cohesion_scale"] == ("1.00 ×", "× the scenario's value, 1 = as recorded")
    assert readouts["discipline_scale"][0] == "1.00 ×"
    assert readouts["union_strength"][0] == "0.60 of 1"
    assert readouts["election_shift"] == ("+0 weeks", "polling day 2022-03-09, recorded 2022-03-09")
    assert readouts["blame_weight"][0] == f"b2 = {base.parameters.timing.blame_weight:g}"
    assert readouts["fit_weight"][0] == "0.60 of 1"
    assert readouts["rng"][0] == "seed 7"
    moved = control_readout("election_shift", -10, base)
    assert moved == ("-10 weeks", "polling day 2021-12-29, recorded 2022-03-09")
    assert all(value and scale for value, scale in readouts.values())


# ---- the views, rendered without a browser -------------------------------------------------
def test_views_show_the_week_the_network_the_draft_and_the_log(render):
    model = DashboardModel()
    model.run_for(12)
    rc = render(AllViews(model))
    views = html_widgets(rc)
    timeline = views["relocsim-timeline"].unsafe_innerHTML
    assert timeline.count('data-series="readiness"') == 1
    readiness = timeline.split('data-series="readiness" points="')[1].split('"')[0]
    assert len(readiness.split()) == 13  # weeks 0-12
    assert "presidential 2022-03-09" in timeline and "by 2021-04-07" in timeline
    network = views["relocsim-network"].unsafe_innerHTML
    assert network.count("<circle") == len(model.world.names)
    assert 'data-week="12"' in network
    draft = views["relocsim-draft"].unsafe_innerHTML
    assert "Busan" in draft and "<b>KDB</b>" in draft
    first_row = draft.split("data-region")[1]
    assert first_row.index("<b>") < first_row.index("×")  # named institutions first
    why = views["relocsim-why"].unsafe_innerHTML
    assert "week 12 of 127" in why and "executive" in why
    assert why.count("data-why") == len(this_week(model))
    assert this_week(model) and all(11 < row[0] <= 12 for row in this_week(model))


def test_a_finished_run_says_so_and_the_log_does_not_say_it_waits(render):
    model = DashboardModel(rng=9)
    model.run_for(model.weeks - 1)
    rc = render(Timeline(model))

    def header() -> str:
        texts = [w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets]
        return next(t for t in texts if "relocsim-week" in t)

    assert "relocsim-finished" not in header()
    model.step()
    force_update()
    assert not model.running and model.blueprint_week >= 0  # seed 9 announces in 2021
    summary = run_summary(model)
    assert summary == (
        f"Run finished: week 127 ({model.date_of(127)}) is the scenario's horizon; blueprint "
        f"announced {model.date_of(model.blueprint_week)}. Press Reset to run again."
    )
    assert f'data-testid="relocsim-finished" style="{FINISHED}">{html.escape(summary)}' in (
        header()
    )
    executive = [row[4] for row in this_week(model) if row[1] == "executive"]
    assert executive and executive[0].startswith("nothing more to announce")
    after = [row for row in model.why if row[1] == "executive" and row[0] > model.blueprint_week]
    assert after and not any(row[4].startswith("waited: nothing to") for row in after)


def institutions_in(labels: list[str]) -> tuple[int, int]:
    """(institutions, of them decided) in a row of the allocation: "<b>KDB</b> ✔", "X ×3 (2 ✔)"."""
    count = decided = 0
    for label in labels:
        pool = re.search(r"×(\d+)(?: \((\d+) ✔\))?$", label)
        if pool:
            count += int(pool.group(1))
            decided += int(pool.group(2) or 0)
        else:
            count += 1
            decided += label.endswith("✔")
    return count, decided


def test_the_allocation_says_what_is_decided_and_what_moves():
    from sim.allocation import STAY

    model = DashboardModel(rng=9)  # seed 9: the blueprint comes in week 44
    model.run_for(30)
    title, sentence = allocation_header(model)
    drafted = int((np.asarray(model.draft) != STAY).sum())
    planned = int((np.asarray(model.plan) != STAY).sum())
    assert planned < drafted  # the scope lets a blueprint move only part of the draft
    assert title == "Draft allocation"
    assert sentence == (
        f"nothing decided yet. The ministries' draft moves {drafted} of the 122 institutions "
        f"out of the capital region; a blueprint now would move {planned} of them (bargained "
        f"scope {model.bargained_scope:.0f} of 100), the rest staying."
    )
    rows = allocation_rows(model)
    assert sum(institutions_in(labels)[1] for _, labels in rows) == 0

    model.run_for(14)  # week 44: the draft still moves what the blueprint keeps in Seoul
    assert model.blueprint_week == 44
    moving = int((np.asarray(model.decided) != STAY).sum())
    assert 0 < moving < int((np.asarray(model.draft) != STAY).sum())
    assert allocation_header(model) == (
        "Allocation decided",
        f"all 122 institutions decided (✔) by the blueprint of 2021-05-24: {moving} move out "
        f"of the capital region, {122 - moving} stay in it.",
    )
    rows = dict(allocation_rows(model))
    stays = institutions_in(rows.pop("stays in the capital region"))
    assert stays == (122 - moving, 122 - moving)  # each one decided, and shown where it is
    moved = [institutions_in(labels) for labels in rows.values()]
    assert [sum(n) for n in zip(*moved, strict=True)] == [moving, moving]


def designates_kdb_alone(seed: int) -> bool:
    """Whether the default run of this seed designates KDB for Busan before any blueprint."""
    out = sim.run(DEFAULT_SCENARIO, seed=seed, series_every=0).outcome
    day, blueprint = out["decided_KDB_date"], out["blueprint_date"]
    return out["dest_KDB"] == "busan" and day is not None and (blueprint or "9") > day


def test_the_allocation_names_a_designated_flagship():
    seed = next(s for s in range(300) if designates_kdb_alone(s))  # found, not assumed
    model = DashboardModel(rng=seed)
    kdb = model.world.inst_codes.index("KDB")
    while model.decided[kdb] == UNDECIDED:
        model.run_for(1)
    assert model.blueprint_week < 0
    title, sentence = allocation_header(model)
    assert title == "Draft allocation"
    assert sentence.startswith(
        f"the flagship KDB decided (✔): to Busan, {model.date_of(model.steps)}. Of the other "
        "121, the ministries' draft moves "
    )
    assert "<b>KDB</b> ✔" in dict(allocation_rows(model))["Busan"]


@solara.component
def AllViews(model):
    for view in app.COMPONENTS:
        view(model)


def polyline(svg: str, series: str) -> list[tuple[float, float]]:
    """The (week, y) points of a series' curve in the timeline; y: 0 at the top, 1 at the bottom."""
    points = svg.split(f'data-series="{series}" points="')[1].split('"')[0]
    return [tuple(float(c) for c in p.split(",")) for p in points.split()]


def test_log_axis_puts_each_decade_an_equal_step_up():
    heights = log_height([1e-6, 1e-3, 1.0, 1e-4, 0.1, 0.0, 1e-9, 2.0])
    # 1e-3 is half-way between 1e-6 and 1; 0, values under 1e-6 and over 1 are clipped.
    np.testing.assert_allclose(heights, [0, 0.5, 1, 2 / 6, 5 / 6, 0, 0, 1], atol=1e-12)
    assert [decade_label(k) for k in (0, 3, 6)] == ["1", "10⁻³", "10⁻⁶"]


def test_the_hazard_panel_is_log10_and_the_others_linear():
    model = DashboardModel(rng=3)  # seed 3: h falls under 1e-3 before the 2021 by-elections
    model.run_for(100)
    svg = timeline_svg(model)
    data = model.datacollector.model_vars
    hazard = data["hazard"]
    assert min(h for h in hazard if h > 0) < 1e-3 and hazard.count(0.0) > 5
    for series in ("hazard", "p_announce"):
        for (week, y), h in zip(polyline(svg, series), data[series], strict=True):
            expected = 0.0 if h <= 1e-6 else min(1.0, (math.log10(h) + 6) / 6)
            assert y == pytest.approx(1 - expected, abs=1e-4), (series, week, h)
    # Linear panels: readiness on 0-1, blame B on 0 to a round number above its peak (1 here).
    assert max(data["blame"]) < 1
    for series in ("readiness", "blame"):
        for (_, y), value in zip(polyline(svg, series), data[series], strict=True):
            assert y == pytest.approx(1 - value, abs=1e-4), series
    assert 'data-panel="hazard" data-scale="log"' in svg
    labels = re.findall(r"<text data-axis[^>]*>([^<]+)</text>", svg)
    assert labels == ["1", "0", "1", "10⁻³", "10⁻⁶", "1", "0", "1", "0"]
    assert "0 and values under 10⁻⁶ drawn at the bottom" in svg


def test_every_quantity_in_the_timeline_has_its_unit():
    model = DashboardModel()
    model.run_for(3)
    svg = timeline_svg(model)
    legends = {
        panel: [html.unescape(t) for t in re.findall(r">([^<]+)</tspan>", body)]
        for panel, body in re.findall(r'<text data-legend="(\w+)"[^>]*>(.*?)</text>', svg)
    }
    assert legends["readiness"] == ["readiness, 0-1", "election proximity g(τ), 0-1"]
    assert legends["hazard"][:2] == ["hazard h, per week", "P(announce), probability per week"]
    assert legends["pressure"] == [
        "union mobilisation, 0-1",
        "blame B",
        "credit G",
        "G, B: seat-weighted shares of the Assembly; B adds the union mobilisation, so it can "
        "pass 1",
    ]
    parties = [model.party_label(c) for c in model.world.party_codes]
    assert legends["stance"] == [*parties, "each party's mean support for announcing now, 0-1"]
    # B is what the legend says: the regional blame plus the union mobilisation, and so G and
    # the regional part are shares (weights of seats, each region's seat share at most).
    assert model.blame == pytest.approx(model.regional_blame + model.union_pressure)
    assert 0 < model.credit <= 1 and 0 <= model.regional_blame <= 1
    assert 0 <= model.union_pressure <= 1


def test_layout_is_seeded_and_computed_once_per_model():
    a, b = DashboardModel(), DashboardModel()
    xy_a, edges_a = network_layout(a)
    a.run_for(5)
    assert network_layout(a)[0] is xy_a  # cached: the picture does not move
    np.testing.assert_array_equal(network_layout(b)[0], xy_a)  # seeded: same run, same look
    assert network_layout(b)[1] == edges_a
    assert np.isfinite(xy_a).all()
    assert (xy_a >= 0).all() and (xy_a[:, 0] <= NET_W).all() and (xy_a[:, 1] <= NET_H).all()


# The lessons' six sections (tests/test_notebooks.py checks them in the notebooks), then the
# two the lessons end with.
NETLOGO_INFO = [*LESSON_SECTIONS, "RELATED MODELS", "CREDITS AND REFERENCES"]


def test_info_has_the_netlogo_sections_of_the_lessons_and_opens_them_offline():
    from sim import info

    assert [title for title, _ in info.SECTIONS] == NETLOGO_INFO
    for title, path, _, how in info.LESSONS:
        cells = json.loads((ROOT / path).read_text())["cells"]
        text = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
        assert text[0].splitlines()[0] == f"# {title}"
        headings = [line[3:] for t in text for line in t.splitlines() if line.startswith("## ")]
        assert [h for h in headings if h in NETLOGO_INFO] == NETLOGO_INFO, path  # same form
        assert "make lesson" in how
    # `make lesson` opens the first lesson, as its line says.
    makefile = (ROOT / "Makefile").read_text()
    assert f"default_url=/lab/tree/{info.LESSONS[0][1]}" in makefile
    assert "opens it" in info.LESSONS[0][3] and "opens it" not in info.LESSONS[1][3]
    page = "".join(body for _, body in info.SECTIONS)
    assert all(path in page for _, path, _, _ in info.LESSONS)
    assert "http" not in page and "<a " not in page  # the dashboard runs offline


def slider(rc, label):
    """The page's slider named ``label`` (its aria-label, as a screen reader says it)."""
    return next(w for w in rc.find(v.Slider).widgets if w.attributes["aria-label"] == label)


def test_step_and_reset_through_mesa_controller(render):
    """Mesa's Step and Reset and the page's sliders, clicked in a rendered page (no browser)."""

    @solara.component
    def InLayout():
        with solara.AppLayout():
            app.Page()

    rc = render(InLayout())
    specs = model_params()
    labels = [s.attributes["aria-label"] for s in rc.find(v.Slider).widgets]
    # the controls' sliders, then the one of the many-runs view
    assert labels == [*(p.label for p in specs.values() if isinstance(p, Slider)), "Runs"]
    labels = labels[:-1]
    for wanted in ("cohesion", "discipline", "Union strength", "election shift", "b2", "fit"):
        assert any(wanted in label for label in labels), wanted
    assert "Seed" in labels
    # Nothing of SolaraViz's own panel: only our sliders, and no checkbox or page tabs.
    assert not rc.find(v.Checkbox).widgets and not rc.find(v.Tab).widgets

    def button(name):
        return rc.find(v.Btn, children=[name]).widget

    def week():
        return html_widgets(rc)["relocsim-why"].attributes["data-week"]

    for _ in range(3):
        button("Step").click()
    assert week() == "3"
    shift = slider(rc, "Presidential election shift")
    shift.v_model = 8
    texts = [w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets]
    readout = next(t for t in texts if "relocsim-value-election_shift" in t)
    assert ">+8 weeks<" in readout  # the readout follows the slider before any Reset
    assert shift.attributes["aria-valuetext"] == "+8 weeks"
    button("Reset").click()
    assert week() == "0"
    texts = [w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets]
    header = next(t for t in texts if "relocsim-settings" in t)
    assert "presidential_2022 2022-05-04" in header  # 2022-03-09 + 8 weeks
    timeline = html_widgets(rc)["relocsim-timeline"].unsafe_innerHTML
    assert "presidential_2022@93.3" in timeline  # the dashed line moved with it


def test_server_side_step_render_time(render):
    """Median of step + re-render of all four views; written as an artifact, not asserted."""
    model = DashboardModel()
    rc = render(AllViews(model))
    times = []
    for _ in range(30):
        start = time.perf_counter()
        model.step()
        force_update()
        times.append(1000 * (time.perf_counter() - start))
    assert html_widgets(rc)["relocsim-why"].attributes["data-week"] == "30"
    write_artifact(
        "dashboard-step-server.json",
        {
            "what": "model.step() and the re-render of all four views, in Python",
            "ms": [round(t, 2) for t in times],
            "median_ms": median(times),
        },
    )


def median(values) -> float:
    return round(statistics.median(values), 2)


def write_artifact(name: str, data: dict) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / name).write_text(json.dumps(data, indent=2) + "\n")


def test_web_assets_follow_solara():
    assets = web_assets()
    assert any(a.startswith("@widgetti/solara-vuetify") for a in assets)
    assert any(a.startswith("@widgetti/vue-grid-layout@") for a in assets)
    assert any(a.startswith("requirejs@") for a in assets)


# ---- the command -----------------------------------------------------------------------------
def test_dashboard_help_names_loopback_default(capsys):
    with pytest.raises(SystemExit):
        main(["dashboard", "--help"])
    assert "127.0.0.1" in capsys.readouterr().out


def test_busy_port_is_one_line_exit_2(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["dashboard", "--no-browser", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"127.0.0.1:{port}" in err


def test_bad_port_is_one_line_exit_2(capsys):
    assert main(["dashboard", "--port", "70000"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


# ---- end to end: the real server in headless Chromium ------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as in /proc/net/tcp*) with a socket listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A = LISTEN
                found.add(address)
    return found


def relocsim_command() -> list[str]:
    """The ``relocsim`` console script of this interpreter (or the module, if not installed)."""
    relocsim = shutil.which("relocsim", path=str(Path(sys.executable).parent))
    return [relocsim] if relocsim else [sys.executable, "-c", "import sim.cli as c; c.main()"]


@pytest.fixture(scope="module")
def server():
    """``relocsim dashboard`` on a free loopback port; always terminated."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    command = relocsim_command()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / "dashboard-server.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [*command, "dashboard", "--port", str(port), "--no-browser"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                if proc.poll() is not None:
                    pytest.fail(f"server exited with {proc.returncode}: {log_path.read_text()}")
                try:
                    with urllib.request.urlopen(url, timeout=5) as response:
                        if response.status == 200:
                            break
                except (urllib.error.URLError, OSError):
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"server not up in 90 s: {log_path.read_text()}")
                time.sleep(0.3)
            yield url, port
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)


MEASURE_STEPS = """
async (n) => {
  const stepButton = () => [...document.querySelectorAll('button')]
    .find(b => b.textContent.trim().toLowerCase() === 'step');
  const weekOf = sel => (document.querySelector(sel) || {getAttribute: () => null})
    .getAttribute('data-week');
  const state = () => JSON.stringify({
    week: document.querySelector('[data-testid=relocsim-week]').textContent,
    network: weekOf('[data-testid=relocsim-network] svg'),
    timeline: weekOf('[data-testid=relocsim-timeline] svg'),
    draft: weekOf('[data-testid=relocsim-draft]'),
    why: weekOf('[data-testid=relocsim-why]'),
    disabled: stepButton() ? stepButton().disabled : 'missing',
  });
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const times = [];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 100 && (!stepButton() || stepButton().disabled); k++) await sleep(50);
    await sleep(200);  // let any earlier update land before reading the week
    const target = String(Number(weekOf('[data-testid=relocsim-why]')) + 1);
    const done = () =>
      document.querySelector('[data-testid=relocsim-week]').textContent
        .startsWith(`week ${target} of`) &&
      weekOf('[data-testid=relocsim-network] svg') === target &&
      weekOf('[data-testid=relocsim-timeline] svg') === target &&
      weekOf('[data-testid=relocsim-draft]') === target &&
      weekOf('[data-testid=relocsim-why]') === target;
    const start = performance.now();
    await new Promise((resolve, reject) => {
      const watch = new MutationObserver(() => {
        if (done()) { watch.disconnect(); resolve(); }
      });
      watch.observe(document.body,
        {subtree: true, childList: true, attributes: true, characterData: true});
      setTimeout(() => {
        watch.disconnect();
        reject(new Error(`week ${target} not shown in 10 s: ${state()}`));
      }, 10000);
      stepButton().click();
    });
    times.push(performance.now() - start);
  }
  return times;
}
"""


def test_dashboard_in_headless_chromium(server):
    from playwright.sync_api import expect, sync_playwright

    url, port = server
    # Bound to the loopback interface only (the default host), not to every interface.
    assert listening_addresses(port) == {"0100007F"}
    outside, failed = [], []

    def block_outside(route):
        outside.append(route.request.url)
        route.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_default_timeout(30_000)
            page.route(lambda u: urlsplit(u).hostname not in ("127.0.0.1", None), block_outside)
            page.on(
                "response",
                lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
            )
            page.goto(url, wait_until="domcontentloaded", timeout=60_000)
            week = page.get_by_test_id("relocsim-week")
            expect(week).to_contain_text("week 0 of 127", timeout=60_000)

            def readiness():
                return page.locator('[data-series="readiness"]').get_attribute("points")

            before = readiness()
            step = page.get_by_role("button", name="Step")
            for k in range(1, 6):
                step.click()
                expect(week).to_contain_text(f"week {k} of 127")
            after = readiness()
            assert after != before and len(after.split()) == 6
            expect(page.get_by_test_id("relocsim-why")).to_contain_text("executive")

            page.get_by_role("button", name="▶").click()  # play
            page.wait_for_function(
                "document.querySelector('[data-testid=relocsim-why]').dataset.week >= 8",
                timeout=30_000,
            )
            page.get_by_role("button", name="❚❚").click()  # pause
            expect(page.get_by_role("button", name="▶")).to_be_visible()
            played = int(page.get_by_test_id("relocsim-why").get_attribute("data-week"))
            assert 8 <= played < 127

            times = page.evaluate(MEASURE_STEPS, 10)
            write_artifact(
                "dashboard-step-browser.json",
                {
                    "what": "click on Step until all four views show the new week, in Chromium",
                    "ms": [round(t, 1) for t in times],
                    "median_ms": median(times),
                },
            )

            shift = page.get_by_role("slider", name="Presidential election shift")
            shift.focus()
            for _ in range(8):
                shift.press("ArrowRight")
            expect(shift).to_have_attribute("aria-valuenow", "8")
            expect(page.get_by_test_id("relocsim-value-election_shift")).to_have_text("+8 weeks")
            page.get_by_role("button", name="Reset").click()
            expect(week).to_contain_text("week 0 of 127")
            settings = page.get_by_test_id("relocsim-settings")
            expect(settings).to_contain_text("presidential_2022 2022-05-04")  # +8 weeks
            expect(page.get_by_test_id("relocsim-timeline")).to_contain_text(
                "presidential 2022-05-04"
            )
            for k in range(1, 41):
                step.click()
                expect(week).to_contain_text(f"week {k} of 127")
            page.evaluate("document.activeElement && document.activeElement.blur()")
            page.mouse.move(0, 0)  # no hover, focus ring or click ripple on the Step button
            page.wait_for_timeout(800)
            page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
        finally:
            browser.close()
    assert not outside, f"the page tried to leave the machine: {outside[:5]}"
    assert not failed, f"failed requests: {failed[:5]}"


def test_ctrl_c_stops_the_server_cleanly(tmp_path):
    """SIGINT while a page is open and playing: exit 0, no traceback, no cookie warning."""
    from playwright.sync_api import expect, sync_playwright

    out_path, err_path = tmp_path / "stdout", tmp_path / "stderr"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = subprocess.Popen(
            [*relocsim_command(), "dashboard", "--port", "0", "--no-browser"],
            stdout=out,
            stderr=err,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        deadline = time.monotonic() + 90
        url = None
        while url is None:  # --port 0: the server prints the port it took
            if proc.poll() is not None:
                pytest.fail(f"server exited with {proc.returncode}: {err_path.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"no address printed in 90 s: {out_path.read_text()}")
            found = re.search(r"serving (http://127\.0\.0\.1:\d+/)", out_path.read_text())
            url = found and found.group(1)
            time.sleep(0.2)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.goto(url, wait_until="domcontentloaded", timeout=90_000)
                why = page.get_by_test_id("relocsim-why")
                expect(why).to_have_attribute("data-week", "0", timeout=60_000)
                page.get_by_role("button", name="▶").click()
                expect(page.get_by_role("button", name="❚❚")).to_be_visible()
                page.wait_for_function(
                    "document.querySelector('[data-testid=relocsim-why]').dataset.week >= 3"
                )
                proc.send_signal(signal.SIGINT)  # what Ctrl-C in the terminal sends
                returncode = proc.wait(timeout=60)
            finally:
                browser.close()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=15)
    stderr = err_path.read_text()
    assert returncode == 0, stderr
    assert "Traceback" not in stderr, stderr
    assert "Warning" not in stderr, stderr  # e.g. Solara's SameSite cookie warning
    assert "stopped" in out_path.read_text()


# ---- the classroom layout: 1280x720 (a projector) and 1920x1080 ------------------------------
TEXT_HEIGHTS = """
async () => {
  await document.fonts.ready;
  const found = [];
  const shown = el => el.checkVisibility({opacityProperty: true, visibilityProperty: true});
  // Every text node, HTML and SVG alike: one box per rendered line, transforms and SVG
  // scaling included.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement, text = node.textContent.trim();
    if (!text || !el || el.closest('title, script, style, noscript') || !shown(el)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const box of range.getClientRects())
      if (box.width > 0 && box.height > 0) found.push({text: text.slice(0, 60), px: box.height});
  }
  for (const el of document.querySelectorAll('svg text')) {  // and each SVG text as a whole
    const box = el.getBoundingClientRect();
    if (el.textContent.trim() && shown(el) && box.width > 0)
      found.push({text: 'svg: ' + el.textContent.trim().slice(0, 55), px: box.height});
  }
  return found.sort((a, b) => a.px - b.px);
}
"""
# The timeline's y-axis labels, each with whether it is the topmost thing at its centre (a label
# clipped away is not: what lies under it is).
AXIS_LABELS_SHOWN = """
() => [...document.querySelectorAll('[data-testid=relocsim-timeline] text[data-axis]')]
  .map(label => {
    const box = label.getBoundingClientRect();
    const hit = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    return {text: label.textContent, panel: label.dataset.axis, shown: label.contains(hit)};
  })
"""
# Each timeline legend's right end, and its panel's: a legend with its units must fit its panel.
LEGEND_ENDS = """
() => [...document.querySelectorAll('[data-testid=relocsim-timeline] text[data-legend]')]
  .map(legend => {
    const panel = document.querySelector(`rect[data-panel=${legend.dataset.legend}]`);
    return [legend.dataset.legend, legend.getBoundingClientRect().right,
            panel.getBoundingClientRect().right];
  })
"""
MESA_INTERNALS = ("Play Interval", "Render Interval", "Use Threads", "Page 0", "Model Parameters")


def box_inside(box: dict, width: int, height: int) -> bool:
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= width + 0.5
        and box["y"] + box["height"] <= height + 0.5
    )


def check_classroom_layout(page, width: int, height: int) -> list[dict]:
    """The layout's promises at this viewport; returns the page's texts, smallest first."""
    boxes = {k: page.get_by_test_id(f"relocsim-{k}").bounding_box() for k in ("why", "draft")}
    for key, box in boxes.items():
        assert box_inside(box, width, height), f"{key} view not inside {width}x{height}: {box}"
    values = page.locator("[data-testid^=relocsim-value-]")
    sliders = [p for p in model_params().values() if isinstance(p, Slider)]
    assert values.count() == len(sliders) == page.get_by_role("slider").count()
    for k in range(values.count()):
        box = values.nth(k).bounding_box()
        name = values.nth(k).get_attribute("data-testid")
        assert box and box_inside(box, width, height), f"{name} not inside: {box}"
    # The timeline is drawn whole, its axis labels too: an SVG clips what it draws outside
    # itself unless told not to, and a clipped label still has its size.
    drawing = page.get_by_test_id("relocsim-timeline").locator("svg").first.bounding_box()
    assert box_inside(drawing, width, height) and drawing["height"] > 4 * TL_PANEL, drawing
    axis = page.evaluate(AXIS_LABELS_SHOWN)
    assert [a["text"] for a in axis if a["panel"] == "hazard"] == ["1", "10⁻³", "10⁻⁶"], axis
    assert all(a["shown"] for a in axis), axis
    legends = page.evaluate(LEGEND_ENDS)
    assert len(legends) == 4 and all(end <= right + 0.5 for _, end, right in legends), legends
    # The timeline's view spans the row of views below it.
    timeline = page.get_by_test_id("relocsim-timeline").locator("xpath=..").bounding_box()
    row = page.get_by_test_id("relocsim-why").locator("xpath=..").bounding_box()
    assert timeline["x"] <= row["x"] + 0.5, (timeline, row)
    assert timeline["x"] + timeline["width"] >= row["x"] + row["width"] - 0.5, (timeline, row)
    body = page.locator("body").inner_text().lower()
    for internal in MESA_INTERNALS:
        assert internal.lower() not in body, internal
    assert page.get_by_role("checkbox").count() == 0 and page.get_by_role("tab").count() == 0
    texts = page.evaluate(TEXT_HEIGHTS)
    assert len(texts) > 100  # the measurement saw the page
    assert texts[0]["px"] >= 12, f"text under 12 px at {width}x{height}: {texts[:5]}"
    return texts


@contextmanager
def classroom_page(url: str):
    """The dashboard in headless Chromium at 1280x720, a projector's size, closed after."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.set_default_timeout(30_000)
            page.goto(url, wait_until="domcontentloaded", timeout=60_000)
            yield page
        finally:
            browser.close()


def test_classroom_layout_at_1280x720_and_1920x1080(server):
    """Readable on a projector: views and values on screen, text 12 px or more, our controls."""
    from playwright.sync_api import expect

    url, _ = server
    smallest = {}
    with classroom_page(url) as page:
        why = page.get_by_test_id("relocsim-why")
        expect(why).to_have_attribute("data-week", "0", timeout=60_000)
        # Each slider shows its default with its unit at rest: no slider moved it on load.
        base = load_scenario(DEFAULT_SCENARIO)
        for name, value in control_defaults().items():
            if name != "scenario_name":
                readout = control_readout(name, value, base)[0]
                expect(page.get_by_test_id(f"relocsim-value-{name}")).to_have_text(readout)
        smallest["1280x720, week 0"] = check_classroom_layout(page, 1280, 720)[:3]

        page.get_by_role("button", name="▶").click()  # play the whole run
        finished = page.get_by_test_id("relocsim-finished")
        expect(finished).to_be_visible(timeout=180_000)
        expect(finished).to_contain_text("Run finished: week 127")
        expect(page.get_by_role("button", name="Step")).to_be_disabled()
        assert box_inside(finished.bounding_box(), 1280, 720)
        expect(why).to_contain_text("executive · ")  # her decision of the last week, and why
        assert "waited: nothing to announce" not in why.inner_text()
        page.mouse.move(0, 0)  # no hover or ripple in the screenshots
        page.wait_for_timeout(500)
        smallest["1280x720, finished"] = check_classroom_layout(page, 1280, 720)[:3]
        page.screenshot(path=str(ARTIFACTS / "dashboard-1280x720.png"))

        page.set_viewport_size({"width": 1920, "height": 1080})
        page.wait_for_timeout(500)
        smallest["1920x1080, finished"] = check_classroom_layout(page, 1920, 1080)[:3]
        page.screenshot(path=str(ARTIFACTS / "dashboard-1920x1080.png"))
    write_artifact(
        "dashboard-text-sizes.json",
        {"what": "the smallest texts on the page, rendered height in px", **smallest},
    )


def test_many_runs_in_chromium_at_1280x720(server):
    """Many runs, N = 20: the histogram fills in to 20 runs, readable, the one run kept."""
    from playwright.sync_api import expect

    url, _ = server
    with classroom_page(url) as page:
        expect(page.get_by_test_id("relocsim-week")).to_contain_text("week 0", timeout=60_000)
        page.get_by_role("button", name="Step").click()
        page.get_by_role("button", name="many runs").click()
        expect(page.get_by_test_id("relocsim-why")).to_be_hidden()
        page.get_by_role("button", name="Run 20 seeds").click()
        summary = page.get_by_test_id("many-runs-summary")
        expect(summary).to_contain_text("20 of 20 runs finished", timeout=300_000)
        expect(summary).to_contain_text("before the presidential election of 2022-03-09")
        histogram = page.get_by_test_id("many-runs-histogram")
        runs = histogram.locator("rect[data-runs]").evaluate_all(
            "bars => bars.map(bar => Number(bar.dataset.runs))"
        )
        assert sum(runs) == 20  # the bars, "none" included, hold every run
        assert box_inside(histogram.bounding_box(), 1280, 720)
        texts = page.evaluate(TEXT_HEIGHTS)
        assert texts[0]["px"] >= 12, f"text under 12 px: {texts[:5]}"
        page.mouse.move(0, 0)
        page.screenshot(path=str(ARTIFACTS / "dashboard-many-runs-1280x720.png"))
        page.get_by_role("button", name="one run").click()  # the run is where it was
        expect(page.get_by_test_id("relocsim-week")).to_contain_text("week 1 of 127")


def test_info_view_in_chromium_at_1280x720(server):
    """The Info view: one click away, its sections, text 12 px or more, the page's width."""
    from playwright.sync_api import expect

    url, _ = server
    with classroom_page(url) as page:
        expect(page.get_by_test_id("relocsim-week")).to_contain_text("week 0", timeout=60_000)
        page.get_by_role("button", name="Step").click()
        expect(page.get_by_test_id("relocsim-week")).to_contain_text("week 1 of 127")
        button = page.get_by_role("button", name="info")
        assert box_inside(button.bounding_box(), 1280, 720)  # reachable without scrolling
        button.click()
        info = page.get_by_test_id("relocsim-info")
        expect(info).to_be_visible()
        expect(page.get_by_test_id("relocsim-why")).to_be_hidden()
        titles = info.get_by_role("heading").all_inner_texts()
        assert titles == NETLOGO_INFO
        expect(info).to_contain_text("notebooks/lessons/02_party_ties.ipynb")
        # The view is as wide as the page and no wider; its text scrolls down, inside it.
        box = info.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, box
        widths = page.evaluate(
            """() => {
              const info = document.querySelector('[data-testid=relocsim-info]');
              const view = info.parentElement;
              const wide = [...info.querySelectorAll('section')]
                .filter(s => s.scrollWidth > s.clientWidth).map(s => s.textContent.slice(0, 30));
              return {page: document.documentElement.scrollWidth, view: view.scrollWidth,
                      shown: view.clientWidth, info: info.scrollWidth, box: info.clientWidth,
                      wide};
            }"""
        )
        assert widths["page"] <= 1280 and widths["view"] <= widths["shown"], widths
        assert widths["info"] <= widths["box"] and not widths["wide"], widths
        texts = page.evaluate(TEXT_HEIGHTS)
        assert any(t["text"] == "CREDITS AND REFERENCES" for t in texts)  # the Info measured
        assert texts[0]["px"] >= 12, f"text under 12 px: {texts[:5]}"
        write_artifact(
            "dashboard-info-text-sizes.json",
            {"what": "the smallest texts with the Info view open, in px", "1280x720": texts[:3]},
        )
        page.mouse.move(0, 0)
        page.screenshot(path=str(ARTIFACTS / "dashboard-info-1280x720.png"))
        page.get_by_role("button", name="one run").click()  # the run is where it was
        expect(page.get_by_test_id("relocsim-week")).to_contain_text("week 1 of 127")
        expect(info).to_be_hidden()
