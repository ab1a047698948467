"""Each truth event of a case against a set of runs: its score and its implausibility.

A truth event (sim/truth.py) is scored from the outcome records of the runs that predict it,
by its own rule (experiments/scores.py):

- ``decision``: the decision week of every run (the blueprint, the flagship's designation, or
  the first decision of any kind; "never" for none by the horizon) against the true week, or
  against "none by" for a censored truth;
- ``binary``: P, the share of runs in which it happened;
- ``vote``: each party's mean yes share against the recorded one;
- ``destination``: the share of runs that sent the institution to each region.

``implausibility`` measures the same comparison for history matching
(experiments/history_matching.py): how far the runs of one setting are from the truth, in
standard deviations of the model's own spread and of its discrepancy.
"""

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from experiments import scores
from experiments.history_matching import binary_implausibility, gaussian_implausibility
from sim.runner import weeks_in
from sim.scenario import Scenario
from sim.truth import TruthEvent


@dataclass(frozen=True)
class Discrepancy:
    """Model discrepancy V_md, as standard deviations (experiments/calibration.toml).

    Attributes:
        probability: Of a binary event's probability.
        weeks: Of a decision's week, given that it came.
        yes_share: Of a party's yes share in a vote.
    """

    probability: float = 0.1
    weeks: float = 8.0
    yes_share: float = 0.1


def score_event(event: TruthEvent, scenario: Scenario, records: list[dict]) -> dict:
    """One event's prediction (from the runs' outcome records), truth and score."""
    n = len(records)
    row = {"event": event.code, "kind": event.kind, "rule": event.score, "runs": n}
    if n == 0:  # every run of the settings failed: nothing predicts the event
        return row | {"prediction": "no finished run", "truth": "", "score": math.nan}
    if event.kind == "binary":
        p = float(np.mean([_binary(event, scenario, r) for r in records]))
        brier, log = scores.brier(p, event.outcome), scores.log_score(p, event.outcome, n)
        return row | {
            "prediction": f"P({event.question()}) = {p:.3f}",
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
        median = (
            f"median week {np.median(decided):.0f} (90%: {np.quantile(decided, 0.05):.0f}-"
            f"{np.quantile(decided, 0.95):.0f})"
            if len(decided)
            else "none"
        )
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


def vote_shares(event: TruthEvent, records: list[dict]) -> dict[str, tuple[float, list]]:
    """A vote's recorded yes shares and the runs' ones: ``{who: (observed, [run values])}``.

    By party where the truth has both sides of the parties' votes; else "all", the overall
    yes share of a floor vote from its official totals; else nothing (empty). Runs where the
    vote was not held give no value.
    """
    if event.yes and event.no:
        column = f"yes_share_{event.bill}_{event.stage}_"
        out = {}
        for party in sorted(set(event.yes) | set(event.no)):
            voted = event.yes.get(party, 0) + event.no.get(party, 0)
            if voted > 0:
                values = [v for r in records if not missing(v := r.get(column + party))]
                out[party] = (event.yes.get(party, 0) / voted, values)
        return out
    voted = event.totals.get("yes", 0) + event.totals.get("no", 0)
    if not (event.bill and event.stage == "floor" and voted):
        return {}
    yes, no = f"bill_{event.bill}_yes", f"bill_{event.bill}_no"
    values = [r[yes] / (r[yes] + r[no]) for r in records if not missing(r.get(yes))]
    return {"all": (event.totals.get("yes", 0) / voted, values)}


def _vote(event: TruthEvent, records: list[dict]) -> dict:
    """Score a vote by the squared error of each yes share (see ``vote_shares``)."""
    shares = vote_shares(event, records)
    if not shares:
        return {
            "prediction": "not scored: no tally by party, no floor totals",
            "truth": "",
            "score": math.nan,
        }
    observed = {who: z for who, (z, _) in shares.items()}
    predicted = {who: float(np.mean(v)) for who, (_, v) in shares.items() if v}
    return {
        "prediction": ", ".join(f"{w} {predicted[w]:.2f}" for w in predicted) or "no vote",
        "truth": ", ".join(f"{w} {observed[w]:.2f}" for w in observed),
        "score": scores.yes_share_error(predicted, observed),
    }


def implausibility(
    event: TruthEvent, scenario: Scenario, records: list[dict], discrepancy: Discrepancy
) -> float:
    """How implausible the truth is given the runs of one setting (history matching).

    - binary: I of the event's share of runs against 0 or 1;
    - destination: likewise for "the institution went to the true region";
    - decision: the larger of I for "a decision came by the horizon" and, when it came, the
      Gaussian I of its true week against the decided runs' weeks;
    - vote: the largest Gaussian I over the parties' yes shares.

    NaN where the runs cannot speak to the event (no runs, or a vote none of them held).
    """
    n = len(records)
    if n == 0:
        return math.nan
    p = discrepancy.probability
    if event.kind == "binary":
        hits = sum(_binary(event, scenario, r) for r in records)
        return float(binary_implausibility(hits, n, event.outcome, p))
    if event.kind == "destination":
        hits = sum(r.get(f"dest_{event.institution}") == event.region for r in records)
        return float(binary_implausibility(hits, n, True, p))
    if event.kind == "decision":
        weeks = np.array([_decision_week(event.decision, scenario, r) for r in records])
        decided = weeks[np.isfinite(weeks)]
        value = float(binary_implausibility(len(decided), n, event.date is not None, p))
        if event.date is not None and len(decided) >= 2:
            week = _week(scenario, event.date)
            timing = gaussian_implausibility(week, decided.mean(), decided.var(), discrepancy.weeks)
            value = max(value, float(timing))
        return value
    values = [
        gaussian_implausibility(z, np.mean(v), np.var(v), discrepancy.yes_share)
        for z, v in vote_shares(event, records).values()
        if v
    ]
    return float(max(values)) if values else math.nan


def missing(value) -> bool:
    """None, or the NaN that pandas makes of a missing value."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _week(scenario: Scenario, day: date) -> float:
    return (day - scenario.start).days / 7


def decision_column(decision: str, scenario: Scenario) -> str:
    """The outcome column that dates a decision of this kind (``blueprint``, ``flagship``, any)."""
    if decision == "blueprint":
        return "blueprint_date"
    if decision == "flagship" and scenario.flagship:
        return f"decided_{scenario.flagship}_date"
    return "first_decision_date"


def _decision_week(decision: str, scenario: Scenario, record: dict) -> float:
    value = record.get(decision_column(decision, scenario))
    if missing(value):
        return scores.NEVER
    return _week(scenario, date.fromisoformat(value))


def _binary(event: TruthEvent, scenario: Scenario, record: dict) -> bool:
    if event.bill:
        return record.get(f"bill_{event.bill}_fate") == "passed"
    limit = scenario.election(event.before).date if event.before else event.by
    return _decision_week(event.decision, scenario, record) < _week(scenario, limit)
