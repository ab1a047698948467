"""The one calibration: a grid search of the hazard's weights against every historical case.

``python -m experiments.calibration`` (``make calibrate``) runs, for each case of
experiments/validation.toml, one full-factorial sweep over the grid of
experiments/calibration.toml, then scores every grid point by the Brier score over all the
cases' events, (P - truth)^2 averaged over events, as ``relocsim validate`` does. A grid point
is admissible only if it also reproduces the file's patterns (pattern-oriented modelling: the
election must be why the blueprint waits). The calibration is the admissible point with the best
Brier score; sim/parameters.py holds it and docs/validation.md records the run. The same seeds
give the same table.
"""

import argparse
import os
import shutil
import sys
from pathlib import Path

import pandas as pd

from experiments import spec
from experiments.checks import read_toml
from experiments.store import load_results
from experiments.sweeper import sweep
from experiments.validation_spec import load_validation

GRID_FILE = Path(__file__).with_name("calibration.toml")


def calibrate(
    grid_file: str | os.PathLike = GRID_FILE,
    *,
    out_dir: str | os.PathLike = "results/calibration",
    workers: int | None = None,
    replicates: int | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Run the grid on every historical case and score each grid point.

    Args:
        grid_file: The grid (factors, replicates, master seed).
        out_dir: Folder of the sweeps' stores, one per case (replaced if present).
        workers: Worker processes (default: all cores).
        replicates: Seeds per case and grid point (default: the grid file's).
        progress: Show the sweeps' progress bars.

    Returns:
        One row per grid point: the factor values, P of each event, ``brier``, each pattern's
        ratio and ``admissible`` (every pattern reproduced); admissible points first, each
        group by Brier score, so the first row is the calibration.
    """
    grid = read_toml(Path(grid_file))
    patterns = grid.pop("patterns", [])
    if replicates is not None:
        grid["replicates"] = replicates
    paths = [f["path"] for f in grid["factors"]]
    cases = {case.name: case for case in load_validation().cases}

    def p_of(case, event, store: str, overrides=None) -> pd.Series:
        """P(event) per grid point, from a fresh sweep of the grid on the case."""
        data = {
            **grid,
            "title": f"calibration grid on {case.name}",
            "scenario": case.experiment.scenario,
            "overrides": overrides or {},
            "design": {"kind": "full_factorial"},
            "record": {"series_every": 0},
        }
        folder = Path(out_dir) / store
        if not folder.exists():  # one sweep per case, shared by its events
            experiment = spec.from_dict(data, name=f"calibration-{store}", source=str(grid_file))
            sweep(experiment, folder, workers=workers, progress=progress)
        runs = load_results(folder)
        hits = runs.apply(lambda row: event.occurred(row), axis=1)
        return hits.groupby([runs[path] for path in paths]).mean().rename(event.label)

    shutil.rmtree(out_dir, ignore_errors=True)  # a calibration always starts afresh
    scores = []
    for case in cases.values():
        scores += [(p_of(case, e, case.name), float(e.truth)) for e in case.events]
    table = pd.concat([p for p, _ in scores], axis=1)
    table["brier"] = sum((p - truth) ** 2 for p, truth in scores) / len(scores)
    table["admissible"] = True
    for k, pattern in enumerate(patterns):
        case = cases[pattern["case"]]
        event = next(e for e in case.events if e.label == pattern["event"])
        moved = p_of(case, event, f"pattern-{k}", pattern["overrides"])
        base = table[event.label]
        table[f"pattern {k}: ratio"] = moved / base
        table["admissible"] &= (base > 0) & (moved >= pattern["ratio_at_least"] * base)
    return table.sort_values(["admissible", "brier"], ascending=[False, True]).reset_index()


def main(argv: list[str] | None = None) -> int:
    """``python -m experiments.calibration``: run the grid and print the table."""
    parser = argparse.ArgumentParser(
        prog="python -m experiments.calibration",
        description="The one calibration of relocsim: the grid of experiments/calibration.toml "
        "on every historical case of experiments/validation.toml, each grid point scored by "
        "the Brier score over all events, among the points that reproduce its patterns. Prints "
        "the table, the calibration first.",
    )
    parser.add_argument("--workers", type=int, metavar="N", help="worker processes")
    parser.add_argument("--replicates", type=int, metavar="N", help="seeds per case and point")
    parser.add_argument("--out", default="results/calibration", metavar="DIR", help="stores")
    args = parser.parse_args(argv)
    table = calibrate(out_dir=args.out, workers=args.workers, replicates=args.replicates)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.round(3).to_string(index=False))
    best = table.iloc[0]
    chosen = ", ".join(f"{k} = {best[k]:g}" for k in table.columns if k.startswith("parameters."))
    print(f"calibration: {chosen}" if best["admissible"] else "no grid point is admissible")
    return 0


if __name__ == "__main__":
    sys.exit(main())
