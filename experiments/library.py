"""The case library scored out of sample: leave-one-case-out history matching (issue 12).

The calibration (experiments/calibration.py) ran one design of settings on every case under
every rung of the null-model ladder. For each case in turn, ``cross_validate`` keeps the
settings that the *other* cases' truth does not rule out (experiments/history_matching.py)
and predicts the case from the pooled runs of those settings: its scores are **out of
sample**. The settings kept by every case together predict every case **in sample**; those
scores are shown beside the others, labelled, and are not evidence.

Each event is scored by its own rule (experiments/truth_events.py). ``ladder`` does the same
for each null model and each alternative mechanism, and compares each with the full model
event by event; the full model must beat the nulls, not the alternatives. The lowest null is
no model at all: the base rate of the other cases' events (``base_rate``).
"""

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from experiments.calibration import DEFAULT_OUT, CalibrationSpec, CaseRuns, load_evidence
from experiments.history_matching import not_ruled_out
from experiments.truth_events import score_event

NULLS = {
    "full model": {},
    "constant hazard": {"parameters.null.hazard": "constant"},
    "election clock alone": {"parameters.null.hazard": "clock"},
    "rewired ties": {"parameters.null.ties": "rewired"},
    "no ties": {"parameters.null.ties": "none"},
    "no reciprocity": {"parameters.null.reciprocity": "none"},
}
"""The null-model ladder: each rung replaces one mechanism (sim.parameters.NullParams)."""

ALTERNATIVES = {"BDM, not compromise": {"parameters.bargaining.mechanism": "bdm"}}
"""Rival mechanisms, reported beside the ladder with no target to beat: BDM, the default
until it predicted no better than the compromise out of sample (docs/validation.md)."""

RUNGS = NULLS | ALTERNATIVES
"""Every rung the calibration runs and the validation reports."""

BASE_RATE = "base rate"
"""The ladder's bottom rung, which needs no runs: each binary event predicted by how often
the other cases' binary events came true (``base_rate``)."""

SAMPLES = {
    "out": "out of sample (leave one case out)",
    "in": "in sample (calibrated on every case)",
}


@dataclass
class LibraryScores:
    """What ``cross_validate`` found for one rung.

    Attributes:
        events: One row per truth event and sample (out, in): case, event, kind, rule,
            prediction, truth, score, runs; and for binary events p, outcome, brier, log.
        cases: One row per case and sample: its mean score per kind of event.
        summary: The library's mean scores, out of sample and in sample.
        folds: One row per case: the settings its fold kept and the cut they imply.
        kept: The settings that no case rules out (the in-sample calibration, the posterior).
        cut: The cut they imply (the file's, unless too few settings survive it).
        set_aside: "case: event" of the events no setting comes within the cut of (the
            model's structural misses, left out of the all-case calibration).
    """

    events: pd.DataFrame
    cases: pd.DataFrame
    summary: pd.DataFrame
    folds: pd.DataFrame
    kept: np.ndarray
    cut: float
    set_aside: list[str]

    def __str__(self) -> str:
        from experiments.library_report import text_report

        return text_report(self)


def cross_validate(evidence: list[CaseRuns], spec: CalibrationSpec) -> LibraryScores:
    """Score every case out of sample (its fold) and in sample (all cases), event by event."""
    labels = [f"{c.case}: {e.code}" for c in evidence for e in c.events]
    everything = np.vstack([c.implausibility for c in evidence])
    kept_all, cut_all, missed_all = not_ruled_out(everything, spec.cut, spec.at_least)
    rows, folds = [], []
    for k, case in enumerate(evidence):
        others = np.vstack([c.implausibility for j, c in enumerate(evidence) if j != k])
        kept, cut, missed = not_ruled_out(others, spec.cut, spec.at_least)
        folds.append(
            {
                "left out": case.case,
                "events": len(others),
                "set aside": len(missed),
                "settings kept": len(kept),
                "of": spec.points,
                "cut": cut,
            }
        )
        for sample, settings in (("out", kept), ("in", kept_all)):
            records = case.records(settings)
            for event in case.events:
                scored = score_event(event, case.scenario, records)
                rows.append({"case": case.case, "sample": sample, **scored})
    events = pd.DataFrame(rows)
    return LibraryScores(
        events,
        _per_case(events),
        _summary(events),
        pd.DataFrame(folds),
        kept_all,
        cut_all,
        [labels[i] for i in missed_all],
    )


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
                "sample": SAMPLES[sample],
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


def ladder(
    spec: CalibrationSpec,
    *,
    cases: list[str] | None = None,
    rungs: dict[str, dict] | None = None,
    out_dir=DEFAULT_OUT,
) -> tuple[dict[str, LibraryScores], pd.DataFrame]:
    """Cross-validate every rung from the calibration's stores and compare each with the full.

    Returns:
        The scores of each rung, and one row per rung: whether it is the full model, a null
        or an alternative, its out-of-sample scores and the paired difference (rung - full)
        of the binary events' log score, with a 95% bootstrap interval over events
        (positive: the full model is better). A last row, ``BASE_RATE``, is the null that
        runs nothing (``base_rate``).
    """
    rungs = rungs or RUNGS
    scored = {
        name: cross_validate(load_evidence(spec, name, cases, out_dir, rungs[name]), spec)
        for name in rungs
    }
    full = out_of_sample_binary(scored["full model"])
    rows = []
    for name, result in scored.items():
        binary = out_of_sample_binary(result)
        mean, lo, hi = log_difference(full, binary)
        summary = result.summary.set_index("sample").loc[SAMPLES["out"]]
        rows.append(
            {
                "model": name,
                "rung": _role(name),
                "Brier": binary.brier.mean(),
                "log score": binary.log.mean(),
                "decision CRPS": summary["decision CRPS"],
                "destination log": summary["destination log"],
                "log score - full": mean,
                "95% interval": f"[{lo:.3f}, {hi:.3f}]",
                "settings kept": len(result.kept),
            }
        )
    reference = base_rate(full)
    mean, lo, hi = log_difference(full, reference)
    rows.append(
        {
            "model": BASE_RATE,
            "rung": "null",
            "Brier": reference.brier.mean(),
            "log score": reference.log.mean(),
            "log score - full": mean,
            "95% interval": f"[{lo:.3f}, {hi:.3f}]",
            "settings kept": 0,
        }
    )
    return scored, pd.DataFrame(rows)


def log_difference(full: pd.DataFrame, other: pd.DataFrame) -> tuple[float, float, float]:
    """Other's out-of-sample log score minus full's on the same binary events (> 0: full wins).

    Args:
        full: ``out_of_sample_binary``'s table of one model.
        other: The same of another model, on the same library.

    Returns:
        The mean difference over events, and its 95% bootstrap interval.
    """
    return pooled_difference([(full, other)])


def pooled_difference(pairs: list[tuple[pd.DataFrame, pd.DataFrame]]) -> tuple[float, float, float]:
    """``log_difference`` over several calibration designs: its mean over the designs.

    A design's settings move every out-of-sample score (docs/validation.md: the design noise),
    often by more than a mechanism does, so a mechanism is judged on several designs. Each
    design counts once (a fixed effect: averaging over designs averages their noise out). The
    interval resamples the library's events, the same draw of events in every design, since
    every design predicts the same events: a new library would redraw the events, not pair
    one design's draw with another's.

    Args:
        pairs: One (full, other) per design: ``out_of_sample_binary``'s tables of the two
            models, every one on the same events.

    Returns:
        The mean difference over designs and events, and its 95% bootstrap interval.
    """
    events = pairs[0][0][["case", "event"]]
    differences = []
    for full, other in pairs:
        if not (events.equals(full[["case", "event"]]) and events.equals(other[["case", "event"]])):
            raise ValueError("the models were scored on different events")
        differences.append(other.log.to_numpy() - full.log.to_numpy())
    difference = np.vstack(differences)
    return (float(difference.mean()), *_bootstrap(difference))


def paired(
    full: LibraryScores, other: LibraryScores, moved: float = 0.05
) -> tuple[float, float, float, pd.DataFrame]:
    """Two models on the same design, event by event (common random numbers).

    Args:
        full: One model's scores (``cross_validate``).
        other: Another's, on the same design and library.
        moved: The smallest change of P to list an event.

    Returns:
        ``log_difference`` (other - full: its mean and 95% interval), and the out-of-sample
        binary events whose P moved by ``moved`` or more: case, event, outcome, and P under
        ``full`` and ``other``.
    """
    mine, theirs = out_of_sample_binary(full), out_of_sample_binary(other)
    table = mine[["case", "event", "outcome"]].assign(full=mine.p, other=theirs.p.to_numpy())
    return (*log_difference(mine, theirs), table[(table.full - table.other).abs() >= moved])


def events_by_rung(scored: dict[str, LibraryScores]) -> pd.DataFrame:
    """Every out-of-sample binary event: its truth, and its P under each rung side by side.

    What the ladder's one number per rung sums: where a null gives the full model's P on an
    event, the mechanism it removes does not reach that event.

    Args:
        scored: Each rung's scores (``ladder``'s first result; it holds the full model).

    Returns:
        One row per event: case, event, truth, then P under each rung and the base rate.
    """
    full = out_of_sample_binary(scored["full model"])
    table = full[["case", "event"]].assign(truth=full.outcome.astype(bool))
    for name, result in scored.items():
        table[name] = out_of_sample_binary(result).p.to_numpy()
    table[BASE_RATE] = base_rate(full).p.to_numpy()
    return table


def base_rate(binary: pd.DataFrame) -> pd.DataFrame:
    """The out-of-sample binary events forecast by the base rate of the other cases' events.

    Each event of a case gets p = (k + 1/2) / (n + 1), with k of the n binary events of the
    other cases true (Jeffreys-smoothed, as ``history_matching.binary_implausibility``): the
    climatological forecast, the reference that a forecast's skill is measured against (Murphy
    1973, "A new vector partition of the probability score", J. Appl. Meteor. 12; Wilks 2011,
    "Statistical methods in the atmospheric sciences", 3rd ed., section 8.4.2). A mechanism
    that cannot beat it says nothing about a new case that its frequency does not.

    Args:
        binary: ``out_of_sample_binary``'s table (case, event, outcome, ...).

    Returns:
        The same events with the base rate's p, brier and log.
    """
    truth = binary.outcome.astype(float).to_numpy()
    cases = binary.case.to_numpy()
    others = cases[None, :] != cases[:, None]  # row i: the events of the other cases
    p = ((others * truth).sum(axis=1) + 0.5) / (others.sum(axis=1) + 1.0)
    return binary.assign(
        p=p,
        brier=(p - truth) ** 2,
        log=-np.log(np.where(truth == 1.0, p, 1.0 - p)),
    )


def _role(name: str) -> str:
    """A rung's kind in the ladder's table: "full", "null" or "alternative"."""
    if name == "full model":
        return "full"
    return "alternative" if name in ALTERNATIVES else "null"


def out_of_sample_binary(result: LibraryScores) -> pd.DataFrame:
    """The out-of-sample binary events, in a fixed order (so rungs pair event by event)."""
    events = result.events
    picked = events[(events["sample"] == "out") & (events.kind == "binary")]
    return picked.sort_values(["case", "event"]).reset_index(drop=True)


def _bootstrap(values: np.ndarray, draws: int = 2000) -> tuple[float, float]:
    """95% percentile interval of the mean of (designs, events) ``values``, resampling events.

    Each draw picks the same events in every design (a fixed generator: with one design, the
    interval of ``rng.choice(values, ...)`` over the events, as before designs were pooled).
    """
    events = values.shape[1]
    if events == 0:
        return math.nan, math.nan
    picks = np.random.default_rng(0).choice(events, size=(draws, events), replace=True)
    means = values[:, picks].mean(axis=(0, 2))
    return float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def judge(result: LibraryScores, table: pd.DataFrame, targets) -> list[tuple[str, bool]]:
    """Each target of the validation file's ``[library]`` table, and whether it is met."""
    out = out_of_sample_binary(result)
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
        # An alternative is a rival, not a simpler model: the full model need not beat it.
        for _, row in table[table.rung == "null"].iterrows():
            difference = row["log score - full"]
            verdicts.append(
                (f"beats {row.model} (log score - full {difference:+.3f})", difference > 0)
            )
    return verdicts
