"""relocsim report and export on tiny real sweeps, and PRIM on data whose true box is known.

Three stores are built once for the module: a full factorial in which the by-election's date
is a factor (12 points x 8 replicates of a 32-week scenario), a Sobol design and a Morris
design (a few dozen runs each).
"""

import csv
import filecmp
import math
import subprocess
import sys
from datetime import date
from pathlib import Path

import matplotlib.image as plt_image
import numpy as np
import pandas as pd
import pytest

import experiments
import sim
from experiments.prim import prim, prim_boxes
from experiments.report_figures import level_figure
from experiments.reporting import before_election, report, wilson
from tests.conftest import limit_file_size

RELOCSIM = [str(Path(sys.executable).with_name("relocsim"))]
COMMON = """
scenario = "season2_2020"
master_seed = 11
replicates = {replicates}

[overrides]
horizon = 2021-03-01            # 32 weeks: cheap runs
"""
FACTORIAL = (
    COMMON.format(replicates=8)
    + """
[[factors]]
path = "parameters.timing.base_hazard"
levels = [0.02, 0.3, 3.0]

[[factors]]
path = "parties.DP.cohesion"
levels = [0.4, 1.0]

[[factors]]
path = "elections.by_2021.date"  # the real date is 2021-04-07
levels = [2020-09-07, 2021-04-07]
"""
)
SAMPLED = (
    COMMON.format(replicates=2)
    + """
[design]
kind = "{kind}"
n = {n}

[[factors]]
path = "parameters.timing.base_hazard"
range = [0.02, 0.3]

[[factors]]
path = "parties.DP.cohesion"
range = [0.3, 1.0]
"""
)


def build(tmp_path_factory, name: str, text: str) -> Path:
    folder = tmp_path_factory.mktemp(name)
    (folder / f"{name}.toml").write_text(text)
    out = folder / "store"
    summary = experiments.sweep(folder / f"{name}.toml", out, workers=1, progress=False)
    assert summary.failed == 0
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return build(tmp_path_factory, "factorial", FACTORIAL)


@pytest.fixture(scope="module")
def built(store):
    return report(store)


# ----------------------------------------------------------------------------------------------
# Wilson intervals
# ----------------------------------------------------------------------------------------------


def test_wilson_matches_its_closed_form_on_a_hand_example():
    # 8 of 10, z = 1.96: centre (0.8 + 0.19208) / 1.38416 = 0.7167379...,
    # half-width 1.96 / 1.38416 * sqrt(0.016 + 0.009604) = 0.2265811..., so [0.4902, 0.9433]
    lo, hi = wilson(8, 10, z=1.96)
    assert lo == pytest.approx(0.4901568, abs=1e-7)
    assert hi == pytest.approx(0.9433191, abs=1e-7)
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == pytest.approx(1.0)
    for n in range(1, 60):  # the interval holds p exactly, also at 0 and 1 (error bars need it)
        for k in (0, n // 3, n):
            lo, hi = wilson(k, n)
            assert lo <= k / n <= hi
    assert all(math.isnan(v) for v in wilson(0, 0))


# ----------------------------------------------------------------------------------------------
# The report
# ----------------------------------------------------------------------------------------------


def test_report_writes_figures_and_tables(store, built):
    folder = store / "report"
    names = {p.name for p in folder.iterdir()}
    for stem in (
        "decision_spread",
        "p_before_parameters_timing_base_hazard",
        "p_before_parties_DP_cohesion",
        "p_before_elections_by_2021_date",
        "p_before_parameters_timing_base_hazard__parties_DP_cohesion",
        "p_before_parties_DP_cohesion__elections_by_2021_date",
    ):
        assert {f"{stem}.png", f"{stem}.svg"} <= names
    assert {"summary.csv", "prim_boxes.csv", "prim_boxes.png", "prim_boxes.svg"} <= names
    assert len(built.boxes) and "sensitivity.csv" not in names  # a full factorial has no indices
    assert set(built.files) == {folder / n for n in names}
    summary = pd.read_csv(folder / "summary.csv", keep_default_na=False)
    # overall, 3 + 2 + 2 levels, 3x2 + 3x2 + 2x2 pairs
    assert len(summary) == 1 + 7 + 16
    overall = summary.iloc[0]
    assert overall["factor"] == "all" and overall["runs"] == 96
    assert (overall["lo"], overall["hi"]) == pytest.approx(wilson(overall["before"], 96))
    hazard = summary[(summary["factor"] == "parameters.timing.base_hazard")]
    hazard = hazard[hazard["factor_2"] == ""]
    assert list(hazard["runs"]) == [32, 32, 32]
    assert hazard["p"].iloc[-1] > hazard["p"].iloc[0]  # a higher hazard decides sooner


def test_report_is_deterministic(store, built, tmp_path):
    again = report(store, figures_dir=tmp_path)
    for path in built.files:
        assert filecmp.cmp(path, tmp_path / path.name, shallow=False), path.name
    assert len(again.files) == len(built.files)
    svg = (tmp_path / "decision_spread.svg").read_text()
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg


def test_before_uses_the_original_date_when_the_election_date_is_a_factor(store):
    runs, before, week = before_election(store, "by_2021")
    assert week == (date(2021, 4, 7) - date(2020, 7, 20)).days / 7
    landed = pd.to_datetime(runs["blueprint_date"]).dt.date
    expected = [pd.notna(d) and d < date(2021, 4, 7) for d in landed]
    assert list(before) == expected
    # where polling day was moved to September, the stored column answers another question
    moved = runs["elections.by_2021.date"] == date(2020, 9, 7)
    assert (runs.loc[moved, "blueprint_before_by_2021"] != before[moved]).any()


def test_report_command_prints_the_table_and_rejects_bad_input(store, tmp_path):
    done = subprocess.run(
        [*RELOCSIM, "report", str(store), "--figures", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "parameters.timing.base_hazard" in done.stdout and "PRIM" in done.stdout
    for args, needle in (
        (["report", str(store), "--election", "nope"], "--election: nope: expected one of:"),
        (["report", str(tmp_path / "missing")], "DIR:"),
        (["report", str(tmp_path)], "DIR:"),
        (["export", str(tmp_path / "missing"), "--csv"], "DIR:"),
    ):
        bad = subprocess.run([*RELOCSIM, *args], capture_output=True, text=True, check=False)
        assert bad.returncode == 2, args
        assert needle in bad.stderr and len(bad.stderr.strip().splitlines()) == 1, bad.stderr


@pytest.mark.parametrize(
    ("kind", "n", "columns"),
    [
        ("sobol", 8, ["S1", "S1_conf", "ST", "ST_conf"]),
        ("morris", 4, ["mu_star", "mu_star_conf", "sigma"]),
    ],
)
def test_sampled_designs_get_salib_indices(tmp_path_factory, kind, n, columns):
    out = build(tmp_path_factory, kind, SAMPLED.format(kind=kind, n=n))
    result = report(out)
    assert result.sensitivity is not None, result.notes
    assert list(result.sensitivity["factor"]) == [
        "parameters.timing.base_hazard",
        "parties.DP.cohesion",
    ]
    assert set(columns) <= set(result.sensitivity.columns)
    assert np.isfinite(result.sensitivity[columns].to_numpy(dtype=float)).all()
    assert {"sensitivity.csv", "sensitivity.png", "sensitivity.svg"} <= {
        p.name for p in (out / "report").iterdir()
    }


# ----------------------------------------------------------------------------------------------
# PRIM
# ----------------------------------------------------------------------------------------------


def synthetic(seed: int = 1, n: int = 3000):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({name: rng.uniform(0, 1, n) for name in ("a", "b", "c")})
    y = x["a"].between(0.2, 0.6) & x["b"].between(0.3, 0.8)
    return rng, x, y.to_numpy()


def test_prim_finds_a_known_box():
    _, x, y = synthetic()
    box = prim(x, y)
    assert box.restricted == ("a", "b")  # c is irrelevant and stays unrestricted
    assert box.limits["a"] == pytest.approx((0.2, 0.6), abs=0.03)
    assert box.limits["b"] == pytest.approx((0.3, 0.8), abs=0.03)
    assert box.density > 0.95 and box.coverage > 0.9
    assert box.support == pytest.approx(0.4 * 0.5, abs=0.03)


def test_prim_finds_the_box_through_noise_and_covering_stops():
    rng, x, y = synthetic(seed=2)
    noisy = (y & (rng.uniform(size=len(y)) < 0.9)) | (rng.uniform(size=len(y)) < 0.05)
    boxes = prim_boxes(x, noisy, max_boxes=3)
    first = boxes[0]
    assert {"a", "b"} <= set(first.restricted)
    assert first.limits["a"] == pytest.approx((0.2, 0.6), abs=0.08)
    assert first.limits["b"] == pytest.approx((0.3, 0.8), abs=0.08)
    assert first.density > 0.8
    assert 1 <= len(boxes) <= 3


def test_prim_peels_discrete_levels_whole():
    # y is true exactly where k >= 2 (levels 0..3): the box is k in [2, 3], nothing cut inside
    k = np.repeat([0, 1, 2, 3], 50)
    x = pd.DataFrame({"k": k.astype(float)})
    box = prim(x, k >= 2, alpha=0.1)
    assert box.limits["k"] == (2.0, 3.0) and box.density == 1.0 and box.coverage == 1.0
    assert box.describe({"k": ["w", "x", "y", "z"]}) == "y <= k <= z"


# ----------------------------------------------------------------------------------------------
# Export
# ----------------------------------------------------------------------------------------------


def test_export_csv_has_the_behaviorspace_table_layout(store, tmp_path):
    target = tmp_path / "table.csv"
    done = subprocess.run(
        [*RELOCSIM, "export", str(store), "--csv", "--out", str(target)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    text = target.read_text()
    assert text.count('"') % 2 == 0 and text.splitlines()[1] == '"season2_2020.toml"'
    rows = list(csv.reader(text.splitlines()))
    assert rows[0][0].startswith("BehaviorSpace results (relocsim ")
    assert rows[2] == ["factorial"]
    assert rows[4] == ["scenario", "start", "horizon"]
    assert rows[5] == ["season2_2020", "2020-07-20", "2021-03-01"]
    header = rows[6]
    assert header[:5] == [
        "[run number]",
        "parameters.timing.base_hazard",
        "parties.DP.cohesion",
        "elections.by_2021.date",
        "[step]",
    ]
    assert "blueprint_before_presidential_2022" in header and "weeks" not in header
    body = rows[7:]
    assert len(body) == 96 and all(len(r) == len(header) for r in body)
    assert [int(r[0]) for r in body] == list(range(1, 97))
    assert {r[4] for r in body} == {"32"}
    column = header.index("blueprint_before_presidential_2022")
    assert {r[column] for r in body} <= {"true", "false"}
    # stdout gives the same bytes, and one store always exports the same text
    printed = subprocess.run(
        [*RELOCSIM, "export", str(store), "--csv"], capture_output=True, text=True, check=True
    )
    assert printed.stdout == text


def polling(election: str) -> date:
    return next(e.date for e in sim.load_scenario("season2_2020").elections if e.code == election)


def test_headline_is_the_overall_share_with_its_wilson_interval(built):
    all_runs = built.summary[built.summary["factor"] == "all"].iloc[0]
    lo, hi = experiments.wilson(int(all_runs.before), int(all_runs.runs))
    day = polling("presidential_2022")
    assert built.headline.startswith(f"P(blueprint before presidential_2022, {day}) = ")
    assert f"[{lo:.3f}, {hi:.3f}]" in built.headline
    assert str(built).splitlines()[0] == built.headline
    assert (
        str(built)
        .splitlines()[1]
        .startswith(  # the definition, above the table
            f"before: the blueprint came before presidential_2022's polling day ({day})"
        )
    )
    assert "p_own" not in built.summary  # the election's date is not a factor here


def test_with_the_date_as_a_factor_both_definitions_are_shown(store, tmp_path):
    result = report(store, election="by_2021", figures_dir=tmp_path)
    day, factor = polling("by_2021"), "elections.by_2021.date"
    first, second = result.headline.splitlines()
    assert first.startswith(f"P(blueprint before by_2021's original date, {day}) = ")
    assert second.startswith("P(blueprint before by_2021's own date in each run) = ")
    assert "p_own, lo_own, hi_own before each run's own date" in str(result)
    # p_own is the stored column grouped by level, as a user would compute it from the table
    table = experiments.load_results(store)
    done = table[table["status"] == "done"]
    own = done.groupby(factor)["blueprint_before_by_2021"].mean()
    rows = result.summary[(result.summary["factor"] == factor) & (result.summary["factor_2"] == "")]
    assert list(rows["p_own"]) == pytest.approx([own[d] for d in sorted(own.index)])
    landed = pd.to_datetime(done["blueprint_date"]).dt.date
    before = [pd.notna(b) and b < day for b in landed]
    overall = result.summary.iloc[0]
    assert (
        overall["before"] == sum(before)
        and overall["before_own"] == own.mul(done.groupby(factor).size()).sum()
    )
    # the decision spread: one panel per election date (SVG groups "axes_1", "axes_2", ...)
    spread = (tmp_path / "decision_spread.svg").read_text()
    assert spread.count('id="axes_') == done[factor].nunique() == 2
    pooled = (store / "report" / "decision_spread.svg").read_text()
    assert pooled.count('id="axes_') == 1  # presidential_2022's date is not a factor


def test_every_label_fits_in_its_figure(built):
    # A label cut off at the edge leaves ink on the outermost pixels; a figure that holds all
    # its labels has a blank margin all round.
    pngs = [f for f in built.files if f.suffix == ".png"]
    assert len(pngs) >= 8
    for png in pngs:
        image = plt_image.imread(png)[..., :3]
        edges = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
        assert (edges > 0.99).all(), png.name


def test_levels_are_points_with_intervals_never_joined_by_lines(built):
    single = built.summary[built.summary["factor_2"] == ""]
    for factor in ("parties.DP.cohesion", "elections.by_2021.date"):
        rows = single[single["factor"] == factor]
        own = "P(own)" if factor == "elections.by_2021.date" else None
        if own:
            rows = rows.assign(p_own=rows["p"], lo_own=rows["lo"], hi_own=rows["hi"])
        ax = level_figure(rows, factor, "P(before)", own).axes[0]
        points = [line for line in ax.lines if line.get_marker() in ("o", "s")]
        assert [len(line.get_xdata()) for line in points] == [len(rows)] * (2 if own else 1)
        assert all(line.get_linestyle() == "None" for line in ax.lines)  # caps included


def test_prim_boxes_are_drawn_one_panel_each(built, store):
    svg = (store / "report" / "prim_boxes.svg").read_text()
    assert svg.count('id="axes_') == len(built.boxes) >= 1
    assert (store / "report" / "prim_boxes.png").stat().st_size > 0


def test_unwritable_outputs_are_one_line_and_never_half_written(store, built, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("keep me")
    # A full disk: room for SQLite's 32 KiB shared-memory file (readers of the ledger make
    # it), not for the exported table nor for the largest figures.
    table = subprocess.run([*RELOCSIM, "export", str(store), "--csv"], capture_output=True)
    room = (32768 + len(table.stdout)) // 2
    assert room > 32768 and max(f.stat().st_size for f in built.files) > room
    full = limit_file_size(room)
    for args, code, needle, limit in (
        (["report", str(store), "--figures", str(afile / "r")], 2, "--figures: ", None),
        (
            ["export", str(store), "--csv", "--out", str(afile / "t.csv")],
            1,
            "Not a directory",
            None,
        ),
        (["export", str(store), "--csv", "--out", str(tmp_path / "t.csv")], 1, "too large", full),
        (["report", str(store), "--figures", str(tmp_path / "r")], 1, "too large", full),
    ):
        done = subprocess.run([*RELOCSIM, *args], capture_output=True, text=True, preexec_fn=limit)
        assert done.returncode == code, done.stderr
        assert done.stderr.count("\n") == 1 and needle in done.stderr, done.stderr
    assert afile.read_text() == "keep me" and not (tmp_path / "t.csv").exists()
    written = sorted((tmp_path / "r").iterdir())
    assert written and not [p for p in written if p.name.startswith(".")]
    for png in (p for p in written if p.suffix == ".png"):
        assert plt_image.imread(png).size  # each file is whole, or not there
