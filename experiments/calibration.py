"""The calibration: history matching of the whole library on one Sobol design (issue 12).

``relocsim calibrate`` (``make calibrate``) draws one scrambled Sobol design over the priors of
experiments/calibration.toml and runs it, as sweeps, on every case of the library under every
rung of the ladder (experiments/library.py, RUNGS: the null models and the alternative
mechanisms): one store per rung and case under ``OUT/<rung>/<case>``, resumable.
``load_evidence`` then reads a rung's stores into one ``CaseRuns`` per case: the runs of each
setting and the implausibility of each truth event at each setting
(experiments/truth_events.py). Which settings a set of cases does not rule out, and what they
predict, is experiments/library.py's work; the posterior and its pairs plot are here.

Why history matching and not ABC-SMC: every leave-one-case-out fold needs its own posterior,
and ABC-SMC would run its populations anew for each of the ten folds and each rung. History
matching on one space-filling design lets every fold reuse the same runs, and its measure,
the implausibility, is built from what a truth file has (dated events, votes, destinations)
without a likelihood.
"""

import math
import os
import shutil
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import qmc

from experiments import spec as experiment_spec
from experiments.checks import Checker, read_toml
from experiments.history_matching import CUT, identification
from experiments.store import load_results, other_models, read_ledger, read_manifest
from experiments.sweeper import sweep
from experiments.truth_events import Discrepancy, implausibility
from sim import ScenarioError
from sim.scenario import Scenario, load_scenario
from sim.truth import TruthEvent, library, load_truth

CALIBRATION_FILE = Path(__file__).with_name("calibration.toml")
DEFAULT_OUT = Path("results/calibration")
KEYS = ("points", "seeds", "master_seed", "cut", "at_least", "discrepancy", "overrides", "priors")


@dataclass(frozen=True)
class Prior:
    """A uniform prior on one parameter: its override path, range and source."""

    path: str
    lo: float
    hi: float
    integer: bool
    source: str


@dataclass(frozen=True)
class CalibrationSpec:
    """A checked calibration file (experiments/calibration.toml documents each field)."""

    points: int
    seeds: int
    master_seed: int
    cut: float
    at_least: int
    discrepancy: Discrepancy
    priors: tuple[Prior, ...]
    overrides: dict = field(default_factory=dict)

    def run_overrides(self, switches: dict) -> dict:
        """What every run of a rung takes: the file's ``[overrides]``, a rung's switch winning."""
        return {**self.overrides, **switches}

    @property
    def paths(self) -> list[str]:
        """The calibrated parameters' override paths, in the design's column order."""
        return [p.path for p in self.priors]


def load_calibration(
    path: str | os.PathLike | None = None, master_seed: int | None = None
) -> CalibrationSpec:
    """Read and check a calibration file; a bad one fails in one line (ScenarioError).

    ``master_seed``, if given, replaces the file's: another Sobol design of the same priors,
    to measure how much the choice of design moves the scores.
    """
    path = Path(path or CALIBRATION_FILE)
    c, data = Checker(path.name), read_toml(path)
    c.keys(data, "", KEYS)
    points = c.integer(data, "points", lo=2)
    if points & (points - 1):
        c.fail("points", "a power of 2 (Sobol sequences balance only then)", points)
    names = ("probability", "weeks", "yes_share")
    table = c.table(data.get("discrepancy", {}), "discrepancy", names)
    discrepancy = Discrepancy(**{k: _positive(c, table, f"discrepancy.{k}") for k in table})
    priors = []
    for i, raw in enumerate(data.get("priors", [])):
        where = f"priors[{i}]"
        c.table(raw, where, ("path", "range", "source"))
        lo_hi = raw.get("range")
        if not (isinstance(lo_hi, list) and len(lo_hi) == 2 and lo_hi[0] < lo_hi[1]):
            c.fail(f"{where}.range", "[lo, hi] with lo < hi", lo_hi)
        integer = all(isinstance(v, int) for v in lo_hi)
        path_ = experiment_spec.normal_path(c.text(raw, f"{where}.path"))
        priors.append(Prior(path_, lo_hi[0], lo_hi[1], integer, c.text(raw, f"{where}.source")))
    if not priors:
        c.fail("priors", "at least one [[priors]] table", [])
    overrides = _fixed(c, data.get("overrides", {}), {p.path for p in priors})
    return CalibrationSpec(
        points=points,
        seeds=c.integer(data, "seeds", lo=1),
        master_seed=c.integer(data, "master_seed", lo=0) if master_seed is None else master_seed,
        cut=_positive(c, data, "cut", CUT),
        at_least=c.integer(data, "at_least", lo=1, default=8),
        discrepancy=discrepancy,
        priors=tuple(priors),
        overrides=overrides,
    )


def _fixed(c: Checker, table, calibrated: set[str]) -> dict:
    """The ``[overrides]`` every run of the design takes: parameters only, none calibrated.

    A mechanism switched here (say ``parameters.legislature.whip = "flat"``) is judged
    on the design's own settings, so that a second folder pairs with the first by ``validate
    --against`` on common random numbers. A case's data are not parameters: they stay its own.
    """
    overrides = experiment_spec.flat_overrides(c, table)
    for path in overrides:
        if not path.startswith("parameters."):
            c.fail(f"overrides.{path}", "a parameter (parameters.<submodel>.<name>)", path)
        if path in calibrated:
            c.fail(f"overrides.{path}", "a parameter no [[priors]] table calibrates", path)
    if overrides:  # every case takes the same parameters: one case checks their values
        experiment_spec.try_scenario(c, library()[0], overrides, "overrides.")
    return overrides


def _positive(c: Checker, table, path: str, default=None) -> float:
    value = table.get(path.rpartition(".")[2], default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        c.fail(path, "a positive number", value)
    return float(value)


def design(spec: CalibrationSpec) -> pd.DataFrame:
    """The Sobol design: one row per setting, one column per prior (scrambled, seeded)."""
    unit = qmc.Sobol(len(spec.priors), scramble=True, rng=spec.master_seed).random(spec.points)
    columns = {}
    for j, prior in enumerate(spec.priors):
        if prior.integer:  # each integer in [lo, hi] gets an equal share of the unit interval
            values = prior.lo + np.floor(unit[:, j] * (prior.hi - prior.lo + 1))
            columns[prior.path] = np.minimum(values, prior.hi).astype(int)
        else:
            columns[prior.path] = qmc.scale(unit[:, [j]], prior.lo, prior.hi)[:, 0]
    return pd.DataFrame(columns)


def experiment(spec: CalibrationSpec, case: str, overrides: dict) -> experiment_spec.Experiment:
    """The design on one case, with the file's overrides and one rung's switches set."""
    kinds = [int if prior.integer else float for prior in spec.priors]
    rows = [
        [kind(v) for kind, v in zip(kinds, row, strict=True)]
        for row in design(spec).itertuples(False)
    ]
    data = {
        "title": f"calibration design on {case}",
        "scenario": case,
        "replicates": spec.seeds,
        "master_seed": spec.master_seed,
        "overrides": spec.run_overrides(overrides),
        "factors": [{"path": p} for p in spec.paths],
        "design": {"kind": "points", "points": rows},
        "record": {"series_every": 0},
    }
    return experiment_spec.from_dict(data, name=f"calibration-{case}", base_dir=Path.cwd())


def folder(rung: str) -> str:
    """A rung's folder name: "BDM, not compromise" -> "BDM__not_compromise"."""
    return "".join(ch if ch.isalnum() else "_" for ch in rung).strip("_")


def run_design(
    spec: CalibrationSpec,
    rungs: dict[str, dict],
    *,
    cases: list[str] | None = None,
    out_dir: str | os.PathLike = DEFAULT_OUT,
    workers: int | None = None,
    resume: bool = False,
    progress: bool = True,
) -> Path:
    """Run the design on every case under every rung, one store each under ``out_dir``.

    Without ``resume`` a rung's earlier stores are replaced (the model may have changed since:
    a store's fingerprint covers the scenario and design, not the code). With it, finished
    stores are kept and interrupted ones continued.
    """
    cases = cases or library()
    total = len(rungs) * len(cases)
    for i, (rung, overrides) in enumerate(rungs.items()):
        for j, case in enumerate(cases):
            store = Path(out_dir) / folder(rung) / case
            if store.exists() and not resume:
                shutil.rmtree(store)
            if progress:
                print(f"[{i * len(cases) + j + 1}/{total}] {rung}: {case}", file=sys.stderr)
            sweep(
                experiment(spec, case, overrides),
                store,
                workers=workers,
                resume=store.exists(),
                progress=progress,
            )
    return Path(out_dir)


@dataclass
class CaseRuns:
    """One case's runs of the design under one rung, and what its truth makes of each setting.

    Attributes:
        case: The case's name.
        scenario: Its scenario.
        events: Its truth events.
        runs: The finished runs' outcome records (a table; ``point`` is the setting).
        implausibility: (events, settings) implausibility of each event at each setting.
    """

    case: str
    scenario: Scenario
    events: list[TruthEvent]
    runs: pd.DataFrame
    implausibility: np.ndarray

    def records(self, settings: np.ndarray) -> list[dict]:
        """The outcome records of every run at the given settings, pooled."""
        return self.runs[self.runs["point"].isin(settings)].to_dict("records")


def load_evidence(
    spec: CalibrationSpec,
    rung: str,
    cases: list[str] | None = None,
    out_dir=DEFAULT_OUT,
    switches: dict | None = None,
) -> list[CaseRuns]:
    """A rung's stores, one ``CaseRuns`` per case, with every event's implausibility.

    Args:
        spec: The calibration; every store must hold its design.
        rung: The rung, whose stores are ``out_dir/<rung>/<case>``.
        cases: The cases (default: the library).
        out_dir: The calibration's folder.
        switches: The rung's own overrides. Given, every store must also have been run with
            them and the file's ``[overrides]``, and no other; None (for ``--against``, which
            compares another model's runs of the same design) checks the design alone.
    """
    out, codes = [], []
    for case in cases or library():
        store = Path(out_dir) / folder(rung) / case
        runs = load_results(store)
        _check_design(spec, runs, store)
        if switches is not None:
            manifest = read_manifest(store)
            _check_overrides(store, manifest, spec.run_overrides(switches))
            codes.append(manifest.get("code"))
        runs = runs[runs["status"] == "done"]
        scenario = load_scenario(case)
        events = load_truth(case, scenario).events
        matrix = np.full((len(events), spec.points), math.nan)
        # One to_dict for the whole store: per point it took most of the scoring's time.
        by_point = defaultdict(list)
        for record in runs.to_dict("records"):
            by_point[record["point"]].append(record)
        for point, records in by_point.items():
            for e, event in enumerate(events):
                matrix[e, point] = implausibility(event, scenario, records, spec.discrepancy)
        out.append(CaseRuns(case, scenario, events, runs, matrix))
    for reason, count in other_models(codes).items():
        print(
            f"relocsim: warning: {count} of the {len(codes)} stores in "
            f"{Path(out_dir) / folder(rung)} were run by {reason}: their scores are that "
            "model's", file=sys.stderr,
        )  # fmt: skip
    return out


def _check_design(spec: CalibrationSpec, runs: pd.DataFrame, store: Path) -> None:
    """Refuse a store that another calibration file's design made (one line, exit 2)."""
    same = set(spec.paths) <= set(runs) and runs["point"].between(0, spec.points - 1).all()
    if same:
        expected = design(spec).to_numpy(float)[runs["point"].to_numpy(int)]
        same = np.allclose(runs[spec.paths].to_numpy(float), expected)
    if not same:
        expected = "the runs of this calibration file's design (run relocsim calibrate)"
        raise ScenarioError(str(store), "(design)", expected, "another design")


def _check_overrides(store: Path, manifest: dict, expected: dict) -> None:
    """Refuse a store run with other overrides than ``expected`` (one line, exit 2).

    Its settings may be the design's and its model another: a folder of a calibration file
    with other ``[overrides]`` must not be scored as this one's.
    """
    got = manifest["experiment"]["overrides"]
    if got != expected:
        raise ScenarioError(str(store), "(overrides)", f"runs with {expected}", f"runs with {got}")


def complete(spec: CalibrationSpec, rungs, cases=None, out_dir=DEFAULT_OUT) -> bool:
    """Whether every store of the design holds all its runs (so nothing needs to run)."""
    for rung in rungs:
        for case in cases or library():
            store = Path(out_dir) / folder(rung) / case
            counts = (read_manifest(store, missing_ok=True) or {}).get("counts", {})
            size = (counts.get("points"), counts.get("replicates"))
            if (
                size != (spec.points, spec.seeds)
                or len(read_ledger(store)) != spec.points * spec.seeds
            ):
                return False
    return True


def posterior(spec: CalibrationSpec, settings: np.ndarray) -> pd.DataFrame:
    """Per parameter: prior, source, the kept settings' median and 90% interval, identified."""
    values = design(spec).iloc[settings]
    rows = []
    for prior in spec.priors:
        hi = prior.hi + 1 if prior.integer else prior.hi  # integers cover [lo, hi + 1) uniformly
        found = identification(values[prior.path].to_numpy(float), prior.lo, hi)
        rows.append(
            {
                "parameter": prior.path.removeprefix("parameters."),
                "prior": f"U[{prior.lo:g}, {prior.hi:g}]",
                "median": found["median"],
                "90% interval": f"[{found['q05']:.3g}, {found['q95']:.3g}]",
                "width / prior": found["width"],
                "KS p": found["ks_p"],
                "identified": "yes" if found["identified"] else "no",
                "source": prior.source,
            }
        )
    return pd.DataFrame(rows)


def pairs_plot(spec: CalibrationSpec, settings: np.ndarray, path: Path, most: int = 6):
    """The pairs plot of the settings kept, over the ``most`` best-constrained parameters.

    Off the diagonal every setting of the design is a grey dot and each one kept a dark one; on
    the diagonal, the kept settings' histogram against the flat prior. Parameters are ranked
    by the KS test of their kept values against the prior.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    table = posterior(spec, settings)
    shown = table.sort_values("KS p").index[:most].tolist()
    frame = design(spec)
    names = [spec.priors[i].path for i in shown]
    k = len(names)
    fig, axes = plt.subplots(k, k, figsize=(2.0 * k + 1, 2.0 * k + 1), squeeze=False)
    for r, y in enumerate(names):
        for c, x in enumerate(names):
            ax = axes[r][c]
            if r == c:
                span = _range(spec, shown[r])
                ax.hist(frame[x].iloc[settings], bins=10, range=span, density=True, color="0.3")
                ax.axhline(1 / (span[1] - span[0]), color="tab:orange", lw=1)
            else:
                ax.scatter(frame[x], frame[y], s=3, color="0.8")
                ax.scatter(frame[x].iloc[settings], frame[y].iloc[settings], s=5, color="0.1")
            if r == k - 1:
                ax.set_xlabel(x.rpartition(".")[2], fontsize=9)
            if c == 0:
                ax.set_ylabel(y.rpartition(".")[2], fontsize=9)
            ax.tick_params(labelsize=7)
    fig.suptitle(
        f"Settings not ruled out by the library: {len(settings)} of {spec.points} "
        "(dark; grey: ruled out; orange: the prior)",
        fontsize=11,
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _range(spec: CalibrationSpec, i: int) -> tuple[float, float]:
    prior = spec.priors[i]
    return (prior.lo, prior.hi + 1 if prior.integer else prior.hi)
