"""``relocsim validate``: historical cases against their truth, and counterfactuals (issue 4).

The cases, their truth, the targets and the counterfactuals are data, in a TOML file
(``experiments/validation.toml`` by default; its comments give the schema), read by
experiments/validation_spec.py. Each case, and each counterfactual arm, runs as a sweep of one
point with N seeds into its own store under ``out_dir``::

    OUT/cases/<case>/                      the case's runs (also every counterfactual's baseline)
    OUT/counterfactuals/<name>/<arm>/      arm = variant, low or high

Every store uses the file's master seed, so run r has the same seed in every case and arm
(common random numbers: a counterfactual differs from its baseline only by its overrides).

For each event, P is the share of finished runs in which all its conditions hold, with a
95% Wilson interval. The Brier score of an event is ``(P - truth)**2``: the score of P read
as a probability forecast of the one event that happened (truth 1) or did not (truth 0); the
overall score is the mean over the events. Targets are judged on P itself, not its interval.
The tables, the doc and the figures are made by experiments/validation_report.py.

Typical use::

    import experiments
    result = experiments.validate(seeds=50, counterfactuals=True)
    print(result)                        # the tables, as `relocsim validate` prints them
    result.cases, result.counterfactuals # pandas DataFrames
"""

import math
import os
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.checks import show
from experiments.reporting import wilson
from experiments.spec import Experiment
from experiments.store import _check_target, experiment_fingerprint, load_results, read_manifest
from experiments.sweeper import sweep
from experiments.validation_report import doc_text, markdown_report, text_report, write_docs
from experiments.validation_spec import (
    STORE_PREFIX,
    Event,
    ValidationSpec,
    default_file,
    load_validation,
)
from sim import ScenarioError

# load_validation is defined in experiments/validation_spec.py and imported from here too
__all__ = ["Validation", "brier", "estimate", "load_validation", "validate"]

DEFAULT_SEEDS = 200
DEFAULT_OUT = "results/validation"


@dataclass
class Validation:
    """What ``validate`` found (its ``str`` is the printed report).

    Attributes:
        spec: The validation file's contents.
        seeds: Seeded runs per case and per counterfactual arm.
        cases: One row per event: case, event, runs, occurred, p, lo, hi (95% Wilson),
            truth, brier (``(p - truth)**2``), target, met.
        brier: The mean Brier score over the events.
        counterfactuals: With counterfactuals, one row per counterfactual and event: arm A
            (baseline or low) and arm B (variant or high) with their runs, occurred, p, lo,
            hi, then difference (B - A), ratio (B / A), requirement and met; else None.
        failed: Runs that failed (left out of every P).
        first_error: The first failure, ``STORE: RUN_ID: ERROR``, or None.
        command: The command line that reproduces the tables.
        day: The day it ran.
        out_dir: The folder of the stores.
        files: The files written (doc and figures).
        seconds: Wall time.
    """

    spec: ValidationSpec
    seeds: int
    cases: pd.DataFrame
    brier: float
    counterfactuals: pd.DataFrame | None = None
    failed: int = 0
    first_error: str | None = None
    command: str = ""
    day: date = field(default_factory=date.today)
    out_dir: Path | None = None
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def missed(self) -> list[str]:
        """The targets and requirements missed, one phrase each."""
        out = [
            f"{r.case}: P({r.event}) {r.target}"
            for r in self.cases.itertuples()
            if r.target and not r.met
        ]
        target = self.spec.brier_target
        if target is not None and not target.met(self.brier):
            out.append(f"Brier score {target}")
        if self.counterfactuals is not None:
            out += [
                f"{r.counterfactual}: {r.event}: {r.requirement}"
                for r in self.counterfactuals.itertuples()
                if r.requirement and not r.met
            ]
        return out

    @property
    def met(self) -> bool:
        """Whether every target and requirement is met."""
        return not self.missed

    def __str__(self) -> str:
        return text_report(self)

    def markdown(self) -> str:
        """The generated part of docs/validation.md (between the markers)."""
        return markdown_report(self)


def validate(
    file: str | os.PathLike | None = None,
    *,
    seeds: int = DEFAULT_SEEDS,
    workers: int | None = None,
    counterfactuals: bool = False,
    out_dir: str | os.PathLike = DEFAULT_OUT,
    docs: str | os.PathLike | None = None,
    resume: bool = False,
    progress: bool = True,
) -> Validation:
    """Run the historical cases (and counterfactuals) and score them against their truth.

    Args:
        file: The validation file (default: the shipped experiments/validation.toml).
        seeds: Seeded runs per case and per counterfactual arm.
        workers: Worker processes of each sweep (default: all cores; 1 runs in this process).
        counterfactuals: Also run the counterfactuals.
        out_dir: Folder of the stores, one per case and arm. Stores this function made
            before are replaced, unless ``resume``.
        docs: Markdown file whose generated part (between the validate markers) to rewrite,
            with figures in ``figures/`` next to it; None writes no doc and no figure.
        resume: Continue the stores in ``out_dir`` (made with the same file and seeds)
            instead of starting them again; for a run that was interrupted.
        progress: Show each sweep's progress bar (see experiments.sweep).

    Returns:
        The tables, scores and verdicts.

    Raises:
        ScenarioError: In one line, for a bad file, seeds, output folder or doc; nothing is
            written then.
    """
    started = time.perf_counter()
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ScenarioError("--seeds", "(value)", "a positive integer", show(seeds))
    contents = load_validation(file)
    out = Path(out_dir).expanduser().absolute()
    stores = _stores(contents, counterfactuals, seeds)
    old_doc = doc_text(Path(docs)) if docs is not None else None  # checked before any run
    for stale in _prepare(out, stores, resume):
        shutil.rmtree(stale)
    failed, errors = 0, []
    for folder, experiment in stores:
        summary = sweep(experiment, out / folder, workers=workers, resume=resume, progress=progress)
        failed += summary.failed
        if summary.first_error:
            errors.append(f"{folder}: {summary.first_error}")
    samples = {folder: _finished(out / folder) for folder, _ in stores}
    cases = _case_table(contents, samples)
    result = Validation(
        spec=contents,
        seeds=seeds,
        cases=cases,
        brier=float(cases["brier"].mean(skipna=False)),
        counterfactuals=_cf_table(contents, samples) if counterfactuals else None,
        failed=failed,
        first_error=errors[0] if errors else None,
        command=command_line(file, seeds, counterfactuals),
        out_dir=out,
    )
    if old_doc is not None:
        result.files = write_docs(result, Path(docs), old_doc)
    result.seconds = time.perf_counter() - started
    return result


def command_line(file: str | os.PathLike | None, seeds: int, counterfactuals: bool) -> str:
    """The ``relocsim validate`` command that gives these tables (output options left out)."""
    words = ["relocsim validate"]
    if file is not None and Path(file).resolve() != default_file():
        words.append(str(file))
    words.append(f"--seeds {seeds}")
    if counterfactuals:
        words.append("--counterfactuals")
    return " ".join(words)


def _stores(
    contents: ValidationSpec, counterfactuals: bool, seeds: int
) -> list[tuple[str, Experiment]]:
    """(folder, experiment) of every store to fill, the cases first."""
    stores = [(case.folder, case.experiment) for case in contents.cases]
    if counterfactuals:
        for cf in contents.counterfactuals:
            stores += [(cf.folder(arm), arm.experiment) for arm in cf.arms]
    return [(folder, replace(e, replicates=seeds)) for folder, e in stores]


def _prepare(out: Path, stores: list[tuple[str, Experiment]], resume: bool) -> list[Path]:
    """Check every store's folder before anything runs.

    Returns:
        The stores an earlier validation left, to be replaced (none when resuming).

    Raises:
        ScenarioError: For a folder that holds anything else, or (resuming) a store made
            with another file or number of seeds.
    """
    stale = []
    for folder, experiment in stores:
        target = out / folder
        for path in (target, *target.parents):
            if path.exists() and not path.is_dir():
                raise ScenarioError("--out", str(path), "a folder", "a file")
            if path == out:
                break
        manifest = read_manifest(target, missing_ok=True) or {}
        name = manifest.get("experiment", {}).get("name", "")
        if name.startswith(STORE_PREFIX) and not resume:
            stale.append(target)
        else:
            _check_target(target, experiment, experiment_fingerprint(experiment), resume)
    return stale


def _finished(store: Path) -> list[dict]:
    """The outcome records of a store's finished runs."""
    table = load_results(store)
    done = table[table["status"] == "done"]
    return done.to_dict("records")


def estimate(records: list[Mapping[str, Any]], event: Event) -> dict:
    """How often the event happened: runs, occurred, p and its 95% Wilson interval lo, hi."""
    n = len(records)
    k = sum(event.occurred(r) for r in records)
    lo, hi = wilson(k, n)
    return {"runs": n, "occurred": k, "p": k / n if n else math.nan, "lo": lo, "hi": hi}


def brier(p: float, truth: bool) -> float:
    """The Brier score of the probability forecast p of an event whose outcome was truth."""
    return (p - float(truth)) ** 2


def _case_table(contents: ValidationSpec, samples: dict[str, list[dict]]) -> pd.DataFrame:
    rows = []
    for case in contents.cases:
        for event in case.events:
            row = {"case": case.name, "event": event.label}
            row |= estimate(samples[case.folder], event)
            row |= {"truth": event.truth, "brier": brier(row["p"], event.truth)}
            target = event.target
            row |= {"target": str(target or ""), "met": target.met(row["p"]) if target else None}
            rows.append(row)
    return pd.DataFrame(rows)


def _cf_table(contents: ValidationSpec, samples: dict[str, list[dict]]) -> pd.DataFrame:
    rows = []
    for cf in contents.counterfactuals:
        case = contents.case(cf.case)
        a_records = samples[case.folder if cf.a is None else cf.folder(cf.a)]
        b_records = samples[cf.folder(cf.b)]
        for event in cf.events:
            a, b = estimate(a_records, event), estimate(b_records, event)
            row = {"counterfactual": cf.name, "event": event.label}
            row |= {"a_label": "baseline" if cf.a is None else cf.a.label}
            row |= {f"a_{k}": v for k, v in a.items()}
            row |= {"b_label": cf.b.label} | {f"b_{k}": v for k, v in b.items()}
            row |= {"difference": b["p"] - a["p"], "ratio": _ratio(b["p"], a["p"])}
            met = cf.require.met(a["p"], b["p"]) if cf.require else None
            row |= {"requirement": str(cf.require or ""), "met": met}
            rows.append(row)
    return pd.DataFrame(rows)


def _ratio(b: float, a: float) -> float:
    if math.isnan(a) or math.isnan(b):
        return math.nan
    if a == 0:
        return math.inf if b > 0 else math.nan
    return b / a
