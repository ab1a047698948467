"""Every case of the library scored against its dated truth (issue 12, first part).

Each case (sim.truth.library) runs as a one-point sweep of N seeds into its own store under
``OUT/<case>`` (resumable, like every sweep), and each event of its truth file is scored by its
own rule (experiments/scores.py) from the runs' outcome records:

- ``decision``: the decision week of every run (the blueprint, the flagship's designation, or
  the first decision of any kind; "never" for none by the horizon) against the true week, or
  against "none by" for a censored truth;
- ``binary``: P, the share of runs in which it happened;
- ``vote``: each party's mean yes share against the recorded one;
- ``destination``: the share of runs that sent the institution to each region.

A case whose data set no parameter of the current calibration (experiments/calibration.toml,
fitted on the cases of experiments/validation.toml: season2_2020 and kdb_2023) is **out of
sample**: its scores are evidence. The
calibrated cases' scores are in-sample and labelled so. Leave-one-case-out calibration, null
models and targets come with the rest of issue 12.
"""

import math
import os
import shutil
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from experiments import scores
from experiments import spec as experiment_spec
from experiments.store import load_results, read_manifest
from experiments.sweeper import sweep
from sim.runner import weeks_in
from sim.scenario import Scenario, load_scenario
from sim.truth import TruthEvent, library, load_truth

DEFAULT_OUT = "results/library"
DEFAULT_SEEDS = 100
MASTER_SEED = 20031229  # assumption: any fixed number; the 2003 capital act's date


def _calibrated_cases() -> tuple[str, ...]:
    """The cases the current calibration was fitted on.

    Those of experiments/validation.toml: experiments/calibration.toml runs its grid on each.
    """
    with Path(__file__).with_name("validation.toml").open("rb") as f:
        return tuple(case["scenario"] for case in tomllib.load(f)["cases"])


IN_SAMPLE = _calibrated_cases()


@dataclass
class LibraryScores:
    """What ``score_library`` found.

    Attributes:
        events: One row per truth event: case, sample (in or out), event, kind, rule,
            prediction, truth, score, runs; and for binary events p, outcome, brier, log.
        cases: One row per case: its mean score per kind of event.
        summary: The library's mean scores, out of sample and in sample.
    """

    events: pd.DataFrame
    cases: pd.DataFrame
    summary: pd.DataFrame

    def __str__(self) -> str:
        return text_report(self)


NULLS = {
    "full model": {},
    "constant hazard": {"parameters.null.hazard": "constant"},
    "compromise, not BDM": {"parameters.null.bargaining": "compromise"},
    "rewired ties": {"parameters.null.ties": "rewired"},
    "no ties": {"parameters.null.ties": "none"},
}
"""The null-model ladder: each rung replaces one mechanism (sim.parameters.NullParams)."""


def case_experiment(case: str, seeds: int, overrides=None) -> experiment_spec.Experiment:
    """One point of the case's scenario, ``seeds`` replicates, the library's master seed."""
    data = {
        "scenario": case,
        "replicates": seeds,
        "master_seed": MASTER_SEED,
        "overrides": dict(overrides or {}),
        "design": {"kind": "points", "points": [[]]},
    }
    return experiment_spec.from_dict(data, name=f"library-{case}", base_dir=Path.cwd())


def score_library(
    cases: list[str] | None = None,
    *,
    seeds: int = DEFAULT_SEEDS,
    workers: int | None = None,
    out_dir: str | os.PathLike = DEFAULT_OUT,
    resume: bool = False,
    progress: bool = True,
    overrides=None,
) -> LibraryScores:
    """Run every case (or ``cases``) and score each event of its truth.

    Args:
        cases: Case names (default: the whole library).
        seeds: Seeded runs per case.
        workers: Worker processes of each sweep (default: all cores).
        out_dir: Folder of the stores, one per case. Stores an earlier call left there are
            replaced, since the model may have changed since (a store's fingerprint covers
            the scenario, not the code), unless ``resume``.
        resume: Continue the stores of an interrupted call with the same seeds instead.
        progress: Show each sweep's progress bar.
        overrides: Scenario values set in every case (a null model's switch).
    """
    rows = []
    for case in cases or library():
        store = Path(out_dir) / case
        made = (read_manifest(store, missing_ok=True) or {}).get("experiment", {})
        if not resume and made.get("name", "").startswith("library-"):
            shutil.rmtree(store)
        sweep(
            case_experiment(case, seeds, overrides),
            store,
            workers=workers,
            resume=resume and store.exists(),
            progress=progress,
        )
        table = load_results(store)
        records = table[table["status"] == "done"].to_dict("records")
        scenario = load_scenario(case)
        for event in load_truth(case, scenario).events:
            rows.append(
                {
                    "case": case,
                    "sample": "in" if case in IN_SAMPLE else "out",
                    **score_event(event, scenario, records),
                }
            )
    events = pd.DataFrame(rows)
    return LibraryScores(events, _per_case(events), _summary(events))


def score_event(event: TruthEvent, scenario: Scenario, records: list[dict]) -> dict:
    """One event's prediction (from the runs' outcome records), truth and score."""
    n = len(records)
    row = {"event": event.code, "kind": event.kind, "rule": event.score, "runs": n}
    if event.kind == "binary":
        happened = [_binary(event, scenario, r) for r in records]
        p = float(np.mean(happened)) if n else math.nan
        brier, log = scores.brier(p, event.outcome), scores.log_score(p, event.outcome, n)
        return row | {
            "prediction": f"P = {p:.3f}",
            "truth": str(event.outcome).lower(),
            "score": brier if event.score == "brier" else log,
            "p": p,
            "outcome": event.outcome,
            "brier": brier,
            "log": log,
        }
    if event.kind == "decision":
        horizon = weeks_in(scenario)
        weeks = np.array([_decision_week(event.decision, scenario, r) for r in records])
        truth = _week(scenario, event.date) if event.date else scores.NEVER
        decided = weeks[np.isfinite(weeks)]
        median = f"median week {np.median(decided):.0f}" if len(decided) else "none"
        prediction = f"{len(decided) / n:.0%} decide by the horizon, {median}"
        if event.score == "crps":
            value = scores.crps_censored(weeks, truth, horizon)
        else:
            value = scores.log_week_bin(weeks, truth, horizon, 4, n)
        shown = f"week {truth:.0f}" if math.isfinite(truth) else "none by the horizon"
        return row | {"prediction": prediction, "truth": shown, "score": value}
    if event.kind == "vote":
        return row | _vote(event, records)
    # destination
    column = f"dest_{event.institution}"
    if not records or column not in records[0]:
        return row | {
            "prediction": "pools are not scored yet",
            "truth": event.region,
            "score": math.nan,
        }
    counts = pd.Series([r[column] for r in records]).value_counts(normalize=True)
    shares = counts.to_dict()
    value = (
        scores.categorical_log(shares, event.region, n)
        if event.score == "log"
        else scores.categorical_brier(shares, event.region)
    )
    return row | {
        "prediction": f"{event.region}: {shares.get(event.region, 0.0):.2f}",
        "truth": event.region,
        "score": value,
    }


def _vote(event: TruthEvent, records: list[dict]) -> dict:
    """Score a vote: by party, or overall, or not at all.

    By party where the truth has both sides of the parties' votes; else the overall yes share
    of a floor vote from its official totals; else there is nothing to score.
    """
    if event.yes and event.no:
        observed = {
            p: event.yes.get(p, 0) / (event.yes.get(p, 0) + event.no.get(p, 0))
            for p in set(event.yes) | set(event.no)
            if event.yes.get(p, 0) + event.no.get(p, 0) > 0
        }
        column = f"yes_share_{event.bill}_{event.stage}_"
        predicted = {}
        for party in observed:
            values = [v for r in records if not _missing(v := r.get(column + party))]
            if values:
                predicted[party] = float(np.mean(values))
        shown = ", ".join(f"{p} {predicted[p]:.2f}" for p in sorted(predicted)) or "no vote"
        truth = ", ".join(f"{p} {observed[p]:.2f}" for p in sorted(observed))
        return {
            "prediction": shown,
            "truth": truth,
            "score": scores.yes_share_error(predicted, observed),
        }
    voted = event.totals.get("yes", 0) + event.totals.get("no", 0)
    if event.bill and event.stage == "floor" and voted:
        observed = event.totals.get("yes", 0) / voted
        shares = [
            r[f"bill_{event.bill}_yes"] / (r[f"bill_{event.bill}_yes"] + r[f"bill_{event.bill}_no"])
            for r in records
            if not _missing(r.get(f"bill_{event.bill}_yes"))
        ]
        if shares:
            predicted = float(np.mean(shares))
            return {
                "prediction": f"all {predicted:.2f}",
                "truth": f"all {observed:.2f}",
                "score": (predicted - observed) ** 2,
            }
    return {
        "prediction": "not scored: no tally by party, no floor totals",
        "truth": "",
        "score": math.nan,
    }


def _missing(value) -> bool:
    """None, or the NaN that pandas makes of a missing value."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _week(scenario: Scenario, day: date) -> float:
    return (day - scenario.start).days / 7


def _decision_column(decision: str, scenario: Scenario) -> str:
    if decision == "blueprint":
        return "blueprint_date"
    if decision == "flagship" and scenario.flagship:
        return f"decided_{scenario.flagship}_date"
    return "first_decision_date"


def _decision_week(decision: str, scenario: Scenario, record: dict) -> float:
    value = record.get(_decision_column(decision, scenario))
    if _missing(value):
        return scores.NEVER
    return _week(scenario, date.fromisoformat(value))


def _binary(event: TruthEvent, scenario: Scenario, record: dict) -> bool:
    if event.bill:
        return record.get(f"bill_{event.bill}_fate") == "passed"
    limit = scenario.election(event.before).date if event.before else event.by
    return _decision_week(event.decision, scenario, record) < _week(scenario, limit)


def _per_case(events: pd.DataFrame) -> pd.DataFrame:
    table = events.pivot_table(
        index=["case", "sample"], columns="kind", values="score", aggfunc="mean"
    )
    return table.reset_index()


def _summary(events: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for sample, part in events.groupby("sample", sort=False):
        binary = part[part.kind == "binary"]
        rows.append(
            {
                "sample": "out of sample" if sample == "out" else "in sample (calibrated on)",
                "cases": part.case.nunique(),
                "binary events": len(binary),
                "Brier": binary.brier.mean(),
                "log score": binary.log.mean(),
                "worst (P - truth)^2": binary.brier.max(),
                "decision CRPS": part[(part.kind == "decision")].score.mean(),
                "vote error": part[part.kind == "vote"].score.mean(),
                "destination log": part[part.kind == "destination"].score.mean(),
            }
        )
    return pd.DataFrame(rows)


def text_report(result: LibraryScores) -> str:
    """The tables as printed by ``relocsim validate --library``."""
    lines = ["Case library scored against its dated truth (smaller is better; docs/cases.md)", ""]
    shown = result.events[
        ["case", "sample", "event", "kind", "rule", "prediction", "truth", "score"]
    ]
    with pd.option_context(
        "display.max_rows",
        None,
        "display.width",
        200,
        "display.max_colwidth",
        60,
        "display.float_format",
        "{:.3f}".format,
    ):
        lines += [
            shown.to_string(index=False),
            "",
            "Library:",
            result.summary.to_string(index=False),
        ]
    lines += [
        "",
        "The in-sample cases set the current calibration: their scores are not "
        "evidence. Out of sample: cases the calibration never saw.",
    ]
    return "\n".join(lines)


def ladder(
    cases: list[str] | None = None,
    *,
    seeds: int = DEFAULT_SEEDS,
    workers: int | None = None,
    out_dir: str | os.PathLike = DEFAULT_OUT,
    progress: bool = True,
    resume: bool = False,
) -> tuple[dict[str, LibraryScores], pd.DataFrame]:
    """The full model and each null of NULLS on the library, scored the same way.

    Returns:
        The scores of each rung, and one row per null: its out-of-sample scores and the
        paired difference (null - full) of the binary events' log score, with a 95% bootstrap
        interval over events (positive: the full model is better).
    """
    rungs = {
        name: score_library(
            cases,
            seeds=seeds,
            workers=workers,
            progress=progress,
            resume=resume,
            out_dir=Path(out_dir) / _folder(name),
            overrides=overrides,
        )
        for name, overrides in NULLS.items()
    }
    full = _out_of_sample_binary(rungs["full model"])
    rows = []
    for name, result in rungs.items():
        binary = _out_of_sample_binary(result)
        difference = binary.log.to_numpy() - full.log.to_numpy()
        lo, hi = _bootstrap(difference)
        summary = result.summary[result.summary["sample"] == "out of sample"].iloc[0]
        rows.append(
            {
                "model": name,
                "Brier": binary.brier.mean(),
                "log score": binary.log.mean(),
                "decision CRPS": summary["decision CRPS"],
                "destination log": summary["destination log"],
                "log score - full": difference.mean(),
                "95% interval": f"[{lo:.3f}, {hi:.3f}]",
            }
        )
    return rungs, pd.DataFrame(rows)


def _folder(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name).strip("_")


def _out_of_sample_binary(result: LibraryScores) -> pd.DataFrame:
    events = result.events
    picked = events[(events["sample"] == "out") & (events.kind == "binary")]
    return picked.sort_values(["case", "event"]).reset_index(drop=True)


def _bootstrap(values: np.ndarray, draws: int = 2000) -> tuple[float, float]:
    """95% percentile interval of the mean, resampling events (a fixed generator)."""
    if len(values) == 0:
        return math.nan, math.nan
    rng = np.random.default_rng(0)
    means = rng.choice(values, size=(draws, len(values)), replace=True).mean(axis=1)
    return float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def judge(result: LibraryScores, table: pd.DataFrame | None, targets) -> list[tuple[str, bool]]:
    """Each target of the validation file's ``[library]`` table, and whether it is met.

    ``table`` is the ladder's (None without --ladder: the nulls' target is then not judged,
    and reported as missed, since nothing shows that the model beats them).
    """
    out = _out_of_sample_binary(result)
    verdicts = []
    if targets.brier:
        brier = out.brier.mean()
        verdicts.append(
            (f"out-of-sample Brier {brier:.3f} {targets.brier}", targets.brier.met(brier))
        )
    if targets.worst_event:
        worst = out.brier.max()
        verdicts.append(
            (
                f"worst out-of-sample (P - truth)^2 {worst:.3f} {targets.worst_event}",
                targets.worst_event.met(worst),
            )
        )
    if targets.beat_every_null:
        if table is None:
            verdicts.append(("the full model beats every null: not judged without --ladder", False))
        else:
            nulls = table[table.model != "full model"]
            for _, row in nulls.iterrows():
                verdicts.append(
                    (
                        f"beats {row.model} (log score - full {row['log score - full']:+.3f})",
                        row["log score - full"] > 0,
                    )
                )
    return verdicts


LIBRARY_MARKERS = ("<!-- library:begin -->", "<!-- library:end -->")


def markdown_report(result: LibraryScores, table: pd.DataFrame, verdicts, command: str) -> str:
    """The generated part of docs/validation.md's library section (between LIBRARY_MARKERS)."""
    from experiments.validation_report import _markdown_table

    def cells(frame: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
        shown = frame.map(
            lambda v: (
                f"{v:.3f}"
                if isinstance(v, float) and not math.isnan(v)
                else ("" if isinstance(v, float) else str(v))
            )
        )
        return list(frame.columns), shown.to_numpy().tolist()

    events = result.events
    lines = [
        f"Generated by `{command}` on {date.today().isoformat()}: {len(events)} events of "
        f"{events.case.nunique()} cases, {int(events.runs.max())} runs per case and model. Do "
        "not edit this part: the next run replaces it.",
        "",
        "**The library** (smaller is better):",
        "",
        *_markdown_table(*cells(result.summary)),
        "",
        "**Null-model ladder**, out of sample (log score − full > 0: the full model is better; "
        "95% bootstrap interval over events):",
        "",
        *_markdown_table(*cells(table)),
        "",
        "**Targets** (experiments/validation.toml, `[library]`):",
        "",
        *(f"- {'met' if met else 'MISSED'}: {text}" for text, met in verdicts),
        "",
        "**Per case** (mean score of each kind of event):",
        "",
        *_markdown_table(*cells(result.cases)),
    ]
    return "\n".join(lines)


def doc_text(doc: Path) -> str:
    """The doc's text, checked to hold one pair of library markers (before anything runs)."""
    from experiments.validation_report import check_markers

    text = doc.read_text(encoding="utf-8") if doc.is_file() else ""
    check_markers(text, doc.name, LIBRARY_MARKERS)
    return text


def write_doc(doc: Path, text: str, block: str) -> None:
    """Write ``text`` with ``block`` between its library markers, atomically."""
    from experiments.store import _write_text_atomically
    from experiments.validation_report import splice

    _write_text_atomically(doc, splice(text, block, LIBRARY_MARKERS))
