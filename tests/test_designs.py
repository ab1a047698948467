"""Several calibration designs pooled (experiments/library.py, experiments/designs_cli.py).

The small calibration (tests/data/calibration_small.toml) on two designs: master seed 1, the
session's (tests/conftest.py), and 2, run once per module; the command-line tests read them.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments.calibration import load_calibration, run_design
from experiments.library import RUNGS, ladder, log_difference, pooled_difference

RELOCSIM = [str(Path(sys.executable).with_name("relocsim"))]
SMALL = Path(__file__).parent / "data" / "calibration_small.toml"
SEEDS = (1, 2)


def _events(logs) -> pd.DataFrame:
    return pd.DataFrame({"case": ["a", "a", "b", "c"], "event": ["w", "x", "y", "z"], "log": logs})


def test_one_design_keeps_the_interval_of_its_events_bootstrap():
    here, there = _events([0.1, 0.5, 0.3, 0.9]), _events([0.4, 0.5, 0.0, 1.2])
    difference = np.array([0.3, 0.0, -0.3, 0.3])
    # The interval as it was computed before designs were pooled: a fixed generator's draws
    # of the events' differences, 2000 means.
    draws = np.random.default_rng(0).choice(difference, size=(2000, 4), replace=True)
    means = draws.mean(axis=1)
    mean, lo, hi = pooled_difference([(here, there)])
    assert mean == pytest.approx(difference.mean())
    assert (lo, hi) == pytest.approx((np.quantile(means, 0.025), np.quantile(means, 0.975)))
    assert (mean, lo, hi) == log_difference(here, there)


def test_a_design_pooled_with_itself_keeps_its_interval():
    # The same events are drawn in every design: a copy of a design adds no evidence, so the
    # interval does not narrow (it would, were each design's events drawn on their own).
    pair = (_events([0.1, 0.5, 0.3, 0.9]), _events([0.4, 0.5, 0.0, 1.2]))
    assert pooled_difference([pair, pair]) == pytest.approx(pooled_difference([pair]))


def test_the_pooled_difference_is_the_mean_over_designs():
    here = _events([0.1, 0.5, 0.3, 0.9])
    first, second = _events([0.4, 0.5, 0.0, 1.2]), _events([0.1, 0.1, 0.3, 0.5])
    mean, lo, hi = pooled_difference([(here, first), (here, second)])
    one, two = log_difference(here, first)[0], log_difference(here, second)[0]
    assert mean == pytest.approx((one + two) / 2) and two < mean < one  # 0.075 and -0.2
    assert lo <= mean <= hi


def test_designs_scored_on_other_events_are_refused():
    pair = (_events([0.1, 0.5, 0.3, 0.9]), _events([0.4, 0.5, 0.0, 1.2]))
    other = _events([0.1, 0.5, 0.3, 0.9]).assign(event=["w", "x", "y", "q"])
    with pytest.raises(ValueError, match="different events"):
        pooled_difference([pair, (other, other)])


@pytest.fixture(scope="module")
def designs(small_calibration):
    """The small calibration on two designs: the template of their folders, and each ladder.

    Design 1 is the session's small calibration (tests/conftest.py); design 2 runs beside it.
    """
    root = small_calibration[1].parent
    spec = load_calibration(SMALL, 2)
    run_design(spec, RUNGS, out_dir=root / "design_2", workers=1, progress=False)
    ladders = {
        seed: ladder(load_calibration(SMALL, seed), out_dir=root / f"design_{seed}")[1]
        for seed in SEEDS
    }
    return root / "design_{}", {seed: table.set_index("model") for seed, table in ladders.items()}


def _validate(template, *extra):
    command = [*RELOCSIM, "validate", "--library", "--calibration", str(SMALL), "--workers", "1"]
    return subprocess.run([*command, "--out", str(template), *extra],
                          capture_output=True, text=True)  # fmt: skip


def test_the_designs_ladders_are_printed_side_by_side_and_pooled(designs):
    template, ladders = designs
    done = _validate(template, "--designs", *map(str, SEEDS))
    assert done.returncode in (0, 1), done.stderr
    assert "running the calibration" not in done.stderr  # each design's stores were reused
    table = done.stdout.split("Null-model ladder")[1].split("\n\n")[1]
    for model in [m for m in RUNGS if m != "full model"] + ["base rate"]:
        line = next(row for row in table.splitlines() if row.strip().startswith(model))
        cells = line.strip()[len(model) :].split()
        each = [ladders[seed].loc[model, "log score - full"] for seed in SEEDS]
        assert cells[:2] == [f"{value:+.3f}" for value in each], model  # design by design
        assert cells[2] == f"{np.mean(each):+.3f}", model  # pooled: their mean
    assert "pooled: beats constant hazard" in done.stdout
    for seed in SEEDS:
        assert f"{seed}: out-of-sample Brier" in done.stdout


def test_another_folder_pooled_against_itself_differs_by_nothing(designs):
    template, _ = designs
    done = _validate(template, "--designs", "1", "2", "--full-only", "--against", str(template))
    assert done.returncode in (0, 1), done.stderr
    assert "Null-model ladder" not in done.stdout  # the full model alone was asked for
    against = done.stdout.split("Against the full model in")[1]
    assert "there - here +0.000 +0.000  +0.000 [0.000, 0.000]" in against


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--designs", "1", "2", "--out", "plain"], "--out: expected a folder with {}"),
        (["--designs", "1", "1"], "--designs: expected distinct master seeds"),
        (["--designs", "1", "--master-seed", "2"], "--master-seed: give every design's"),
        (["--designs", "1", "x"], "argument --designs: expected a non-negative integer"),
    ],
)
def test_bad_designs_are_one_line_exit_2(designs, extra, message):
    template, _ = designs
    done = _validate(template, *extra)
    assert done.returncode == 2 and done.stdout == ""
    assert message in done.stderr and done.stderr.count("\n") == 1
    done = subprocess.run([*RELOCSIM, "validate", "--designs", "1"], capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr == "relocsim validate: --designs needs --library\n"


def test_against_folders_without_a_designs_runs_are_one_line_exit_2(designs, tmp_path):
    template, _ = designs
    (tmp_path / "other_1").mkdir()
    done = _validate(template, "--designs", "1", "2", "--against", str(tmp_path / "other_{}"))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("relocsim validate: --against: expected a folder holding")
    assert done.stderr.count("\n") == 1
