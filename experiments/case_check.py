"""One case of the library, predicted from many seeded runs: ``relocsim validate --case NAME``.

Where ``relocsim validate --library`` scores the whole library from the calibration's stored
runs, this runs one case afresh at the scenario's parameters (the defaults of
sim/parameters.py, or ``--set`` overrides) and shows what a reader checks first:

- every truth event's prediction and score (experiments/truth_events.py), and for each
  decision, the dates: median and 90% interval, against the true date;
- when the blueprints come, by quarter, and the earliest week against the drafting time (a
  blueprint before the draft is complete would be an artefact of the start of the run);
- each region's wins against its bids: of the institutions it bid for, and of all
  institutions, pools included (its share of them).
"""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from experiments.design import run_seed
from experiments.progress import progress_bar
from experiments.truth_events import decision_column, missing, score_event
from sim.runner import resolve, run
from sim.truth import load_truth


@dataclass
class CaseCheck:
    """What ``check_case`` found.

    Attributes:
        events: One row per truth event: prediction, truth, score, and for decisions the
            median date and its 90% interval.
        blueprints: Blueprints by quarter (share of runs), with "none" for runs without one.
        earliest_blueprint_week: The earliest blueprint, in weeks from the start (NaN if none).
        drafting_weeks: The drafting time the runs used.
        regions: One row per receiving region: the named institutions it bid for, the share of
            runs in which it won one of them, the share in which it won any institution, and
            the mean number and share of the institutions it won (``_region_wins``).
        runs: Number of runs.
    """

    events: pd.DataFrame
    blueprints: pd.Series
    earliest_blueprint_week: float
    drafting_weeks: float
    regions: pd.DataFrame
    runs: int


def check_case(name: str, runs: int, master_seed: int, overrides=None, progress=True) -> CaseCheck:
    """Run ``runs`` seeds of case ``name`` and compare them with its truth (see the module)."""
    scenario = resolve(name, overrides or {})
    truth = load_truth(name, scenario)
    seeds = [run_seed(master_seed, 0, r) for r in range(runs)]
    records = []
    with progress_bar(name, runs, 0, progress) as bar:
        for s in seeds:
            records.append(run(scenario, seed=s, series_every=0).outcome)
            bar.update()
    events = pd.DataFrame([_with_dates(e, scenario, records) for e in truth.events])
    blueprint = [r["blueprint_date"] for r in records]
    quarters = pd.Series(["none" if missing(d) else _quarter(d) for d in blueprint])
    weeks = [r["blueprint_week"] for r in records if not missing(r["blueprint_date"])]
    return CaseCheck(
        events=events,
        blueprints=quarters.value_counts(normalize=True).sort_index(),
        earliest_blueprint_week=float(min(weeks)) if weeks else float("nan"),
        drafting_weeks=scenario.parameters.drafting.drafting_weeks,
        regions=_region_wins(scenario, records),
        runs=runs,
    )


def _with_dates(event, scenario, records) -> dict:
    row = score_event(event, scenario, records)
    if event.kind == "decision":
        days = [r[decision_column(event.decision, scenario)] for r in records]
        days = sorted(date.fromisoformat(d) for d in days if not missing(d))
        row["median date"] = _quantile(days, 0.5)
        row["90% interval"] = f"{_quantile(days, 0.05)} to {_quantile(days, 0.95)}" if days else ""
        row["true date"] = str(event.date) if event.date else "none by the horizon"
    return row


def _quantile(days: list[date], q: float) -> str:
    """The q-quantile of sorted dates (nearest rank), or "" for none."""
    if not days:
        return ""
    origin = days[0]
    offsets = np.array([(d - origin).days for d in days])
    return str(origin + timedelta(days=int(np.quantile(offsets, q, method="nearest"))))


def _quarter(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.year} Q{(d.month - 1) // 3 + 1}"


def _region_wins(scenario, records) -> pd.DataFrame:
    """One row per receiving region: its bids, and what it won against them.

    "wins a bid" is the share of runs in which the region won one of the named institutions it
    bid for; "wins any" the share in which it won at least one institution, pools included
    (the outcome's ``won_{region}``); "institutions" the mean number it won, and "share" that
    mean over all the institutions of the case.
    """
    named = [i for i in scenario.institutions if i.count == 1]
    total = sum(i.count for i in scenario.institutions)
    rows = []
    for region in (r for r in scenario.regions if r.receives):
        bids = [i.code for i in named if region.code in i.bids]
        won_bid = [any(r.get(f"dest_{code}") == region.code for code in bids) for r in records]
        won = np.array([r[f"won_{region.code}"] for r in records], dtype=float)
        rows.append({
            "region": region.code,
            "bids for": ", ".join(bids),
            "wins a bid": float(np.mean(won_bid)) if bids else float("nan"),
            "wins any": float(np.mean(won > 0)),
            "institutions": float(won.mean()),
            "share": float(won.mean()) / total,
        })  # fmt: skip
    return pd.DataFrame(rows)


def report(check: CaseCheck) -> str:
    """The check as printed text."""
    shown = ["event", "kind", "prediction", "truth", "score"]
    dated = check.events[check.events["kind"] == "decision"]
    lines = [
        f"{check.runs} runs. Truth events (smaller scores are better):",
        check.events[shown].to_string(index=False),
    ]
    if len(dated):
        lines += ["", "Decision dates:", dated[["event", "median date", "90% interval",
                                                "true date"]].to_string(index=False)]  # fmt: skip
    lines += ["", "Blueprints by quarter (share of runs):", check.blueprints.to_string()]
    lines.append(
        f"Earliest blueprint: week {check.earliest_blueprint_week:.0f}; the draft takes "
        f"{check.drafting_weeks:.0f} weeks."
        if np.isfinite(check.earliest_blueprint_week)
        else "No blueprint in any run."
    )
    lines += [
        "",
        "Regions: share of runs winning one of their bids, and any institution; mean "
        "institutions won and their share of all (pools included):",
        check.regions.to_string(index=False, float_format=lambda x: f"{x:.3f}"),
    ]
    return "\n".join(lines)
