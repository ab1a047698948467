"""``relocsim report DIR``: figures and a summary table of a sweep store.

What it writes, into DIR/report/ (or ``figures_dir``)::

    summary.csv                 P(blueprint before the election) with 95% Wilson intervals:
                                overall, per factor level and per pair of factors' levels
    prim_boxes.csv/.png/.svg    PRIM boxes in which the blueprint lands before the election
    sensitivity.csv             Sobol or Morris indices with confidence intervals (those designs)
    p_before_<factor>.png/.svg  per factor: each level's share, a point with its interval
    p_before_<f1>__<f2>.png/.svg  one heatmap per pair of factors
    decision_spread.png/.svg    blueprint week minus the election's week (one panel per
                                election date where the date is a factor)
    sensitivity.png/.svg        the indices (Sobol or Morris designs)

Files are deterministic: equal stores give byte-identical files (experiments.report_figures).

What "before" counts is said on screen, in the headline and above the table. It is
``blueprint_before_<code>`` (default ``presidential_2022``): the blueprint came before that
election's polling day. Where the election's own date is a factor, moving polling day moves
what "before" means, so both are shown: ``p`` (and the figures' main series) compares the
blueprint with the election's ORIGINAL date from the scenario, the same yardstick for every
level; ``p_own`` with each run's own date, the factor's level (the stored column; for a date
past the horizon that is "a blueprint at all, by the horizon").
"""

import math
import os
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

import sim
from experiments import report_figures as figures
from experiments.integrity import require_sound
from experiments.prim import prim_boxes
from experiments.store import load_results, read_manifest, write_whole
from sim.folders import make_folder

Z95 = 1.959963984540054  # the standard normal's 97.5% quantile
DEFAULT_ELECTION = "presidential_2022"
MAX_LEVELS = 10  # a factor with more distinct values is binned for the per-level figures
BINS = 5


@dataclass
class Report:
    """What ``report`` found and wrote.

    Attributes:
        summary: One row per group: factor, level, factor_2, level_2, runs, before, p,
            lo, hi (factor "all" for the whole store).
        boxes: The PRIM boxes: box, description, coverage, density, support, runs.
        sensitivity: Sobol or Morris indices (None for other designs, or when the store
            lacks runs the analyser needs).
        files: Paths of the files written.
        notes: Anything skipped, and why.
    """

    summary: pd.DataFrame
    boxes: pd.DataFrame
    sensitivity: pd.DataFrame | None
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    election: str = DEFAULT_ELECTION
    polling_day: date | None = None
    own_date: bool = False

    @property
    def labels(self) -> tuple[str, str | None]:
        """What ``p`` and ``p_own`` are (``p_own``: None unless the date is a factor)."""
        return outcome_labels(self.election, self.polling_day, self.own_date)

    @property
    def headline(self) -> str:
        """P(blueprint before the election) over all runs, with its Wilson interval.

        Where the election's date is a factor, a second line gives the share before each
        run's own date.
        """
        row = self.summary[self.summary["factor"] == "all"].iloc[0]
        label, own_label = self.labels
        lines = [f"{label} = {_share(row, '')}"]
        if own_label:
            lines.append(f"{own_label} = {_share(row, '_own')}")
        return "\n".join(lines)

    @property
    def definition(self) -> str:
        """What the table's columns count, in one line."""
        day = self.polling_day.isoformat() if self.polling_day else "?"
        if self.own_date:
            return (
                f"before: p, lo, hi count blueprints before {self.election}'s original date "
                f"({day}) in every run; p_own, lo_own, hi_own before each run's own date (the "
                "factor's level; a date past the horizon: a blueprint at all)"
            )
        return (
            f"before: the blueprint came before {self.election}'s polling day ({day}), the "
            f"store's blueprint_before_{self.election}"
        )

    def __str__(self) -> str:
        shown = self.summary.copy()
        for c in [c for c in shown.columns if c.split("_")[0] in ("p", "lo", "hi")]:
            shown[c] = shown[c].map(lambda v: f"{v:.3f}" if pd.notna(v) else "")
        lines = [self.headline, self.definition, "", shown.fillna("").to_string(index=False)]
        if len(self.boxes):
            lines.append("")
            lines.append("PRIM boxes (blueprint before the election):")
            for row in self.boxes.itertuples():
                lines.append(
                    f"  {row.box}: {row.description}  (coverage {row.coverage:.2f}, "
                    f"density {row.density:.2f}, support {row.support:.2f})"
                )
        if self.sensitivity is not None:
            lines.append("")
            lines.append(self.sensitivity.to_string(index=False, float_format="{:.3f}".format))
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)


def outcome_labels(election: str, polling: date | None, own_date: bool) -> tuple[str, str | None]:
    """The names of the report's shares: ``p``'s, and ``p_own``'s where the date is a factor."""
    day = polling.isoformat() if polling else "?"
    if not own_date:
        return f"P(blueprint before {election}, {day})", None
    return (
        f"P(blueprint before {election}'s original date, {day})",
        f"P(blueprint before {election}'s own date in each run)",
    )


def _share(row, suffix: str) -> str:
    p, lo, hi, k = (row[c + suffix] for c in ("p", "lo", "hi", "before"))
    return f"{p:.3f} [{lo:.3f}, {hi:.3f}] (Wilson 95%; {k} of {row.runs} runs)"


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion k/n (NaN, NaN for n = 0)."""
    if n == 0:
        return math.nan, math.nan
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # The interval always holds p; at p = 0 or 1 rounding could leave it a hair outside.
    return max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half))


def before_election(out_dir: str | os.PathLike, election: str = DEFAULT_ELECTION):
    """The finished runs and whether each one's blueprint came before the election.

    Returns:
        (runs, before, election_week): the done rows of the store, a boolean Series, and
        the election's (original) week from the scenario's start.

    Raises:
        ScenarioError: If DIR is not a store, or the scenario has no such election.
    """
    manifest = read_manifest(out_dir)
    table = load_results(out_dir)
    runs = table[table["status"] == "done"].reset_index(drop=True)
    column = f"blueprint_before_{election}"
    codes = sorted(
        c.removeprefix("blueprint_before_")
        for c in table.columns
        if c.startswith("blueprint_before_")
    )
    if column not in table.columns:
        raise sim.ScenarioError("--election", election, "one of: " + ", ".join(codes), election)
    setting = _scenario(manifest)
    polling = polling_day(manifest, election)
    week = (polling - setting.start).days / 7.0
    if f"elections.{election}.date" in manifest["design"]["factors"]:
        blueprint = pd.to_datetime(runs["blueprint_date"]).dt.date
        before = pd.Series(
            [b is not None and not pd.isna(b) and b < polling for b in blueprint], dtype=bool
        )
    else:
        before = runs[column].fillna(False).astype(bool)
    return runs, before, week


def polling_day(manifest: dict, election: str) -> date:
    """The election's date in the store's scenario (with its fixed overrides, not factors)."""
    polling = next((e.date for e in _scenario(manifest).elections if e.code == election), None)
    if polling is None:
        raise sim.ScenarioError("--election", election, "an election of the scenario", election)
    return polling


def report(
    out_dir: str | os.PathLike,
    *,
    election: str = DEFAULT_ELECTION,
    figures_dir: str | os.PathLike | None = None,
    alpha: float = 0.05,
    min_support: float = 0.05,
) -> Report:
    """Write the report of a sweep store: figures (PNG and SVG) and summary tables (CSV).

    Args:
        out_dir: The store (the sweep's ``--out``).
        election: Code of the election that "before" refers to.
        figures_dir: Where to write; default ``out_dir/report``.
        alpha: PRIM's peeling share.
        min_support: PRIM's smallest box, as a share of the runs.

    Returns:
        The report (its ``str`` is the printed summary).

    Raises:
        ScenarioError: If out_dir is not a sound store (experiments.integrity: the error names
            the repair) or the election is unknown (one line).
    """
    require_sound(out_dir)
    manifest = read_manifest(out_dir)
    runs, before, election_week = before_election(out_dir, election)
    factors = list(manifest["design"]["factors"])
    date_factor = f"elections.{election}.date"
    own = None
    if date_factor in factors:  # the stored column: before each run's own date
        own = runs[f"blueprint_before_{election}"].fillna(False).astype(bool)
    target = Path(figures_dir) if figures_dir else Path(out_dir) / "report"
    make_folder(target, "--figures")  # a path under a file, say: one line, before any figure
    result = Report(
        summary=_summary(runs, before, factors, own), boxes=pd.DataFrame(), sensitivity=None,
        election=election, polling_day=polling_day(manifest, election), own_date=own is not None,
    )  # fmt: skip
    result.files.append(_write_csv(target, "summary.csv", result.summary))
    label, own_label = result.labels

    import matplotlib

    with matplotlib.rc_context(
        {"svg.hashsalt": "relocsim-report", "svg.fonttype": "path", "font.family": "DejaVu Sans"}
    ):
        result.files += _factor_figures(target, result.summary, factors, date_factor, label,
                                        own_label)  # fmt: skip
        fig = figures.spread_figure(
            runs["blueprint_week"].astype(float) - election_week,
            _spread_panels(runs, date_factor, manifest, election_week),
            election,
        )
        result.files += figures.save(fig, target, "decision_spread")
        result.boxes, boxes, x, codes = _prim(runs, before, factors, alpha, min_support)
        result.files.append(_write_csv(target, "prim_boxes.csv", result.boxes))
        if boxes:
            fig = figures.prim_figure(boxes, x, codes, label)
            result.files += figures.save(fig, target, "prim_boxes")
        else:
            result.notes.append("no PRIM box: no region of the factors lands before more often")
        kind = manifest["design"].get("kind")
        if kind in ("sobol", "morris"):
            try:
                result.sensitivity = _sensitivity(manifest, runs, before, factors)
            except ValueError as err:
                result.notes.append(f"no {kind} indices: {err}")
            if result.sensitivity is not None:
                result.files.append(_write_csv(target, "sensitivity.csv", result.sensitivity))
                fig = figures.sensitivity_figure(result.sensitivity, kind, label)
                result.files += figures.save(fig, target, "sensitivity")
    failed = int((load_results(out_dir)["status"] == "failed").sum())
    if failed:
        result.notes.append(f"{failed} failed runs left out")
    return result


def _write_csv(target: Path, name: str, frame: pd.DataFrame) -> Path:
    """A table as CSV, whole or not at all (experiments.store.write_whole)."""
    write_whole(target / name, "w", lambda f: frame.to_csv(f, index=False))
    return target / name


def _factor_figures(target, summary, factors, date_factor, label, own_label) -> list[Path]:
    """One figure per factor (both definitions for the election's date) and per pair."""
    files = []
    single = summary[summary["factor_2"] == ""]
    for f in factors:
        rows = single[single["factor"] == f]
        fig = figures.level_figure(rows, f, label, own_label if f == date_factor else None)
        files += figures.save(fig, target, f"p_before_{figures.slug(f)}")
    for f1, f2 in combinations(factors, 2):
        rows = summary[(summary["factor"] == f1) & (summary["factor_2"] == f2)]
        levels = [list(single.loc[single["factor"] == f, "level"]) for f in (f1, f2)]
        fig = figures.heatmap_figure(rows, *levels, f1, f2, label)
        files += figures.save(fig, target, f"p_before_{figures.slug(f1)}__{figures.slug(f2)}")
    return files


def _spread_panels(runs, date_factor: str, manifest: dict, election_week: float) -> list:
    """The decision-spread's panels: all runs, or one per election date where it is a factor."""
    if date_factor not in runs.columns:
        return [("", pd.Series(True, index=runs.index), None)]
    start = _scenario(manifest).start
    panels = []
    for level in sorted(runs[date_factor].dropna().unique()):
        own_week = (pd.Timestamp(level).date() - start).days / 7.0 - election_week
        title = f"polling day {_show(level)}: "
        panels.append((title, runs[date_factor] == level, own_week))
    return panels


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def _scenario(manifest: dict):
    experiment = manifest["experiment"]
    overrides = {k: _untag(v) for k, v in experiment.get("overrides", {}).items()}
    return sim.load_scenario(experiment["scenario"], overrides)


def _untag(value):
    if isinstance(value, dict) and set(value) == {"date"}:
        return date.fromisoformat(value["date"])
    if isinstance(value, list):
        return [_untag(v) for v in value]
    return value


def _levels(column: pd.Series) -> pd.Series:
    """The factor's levels per run: its values, or equal-width bins if it has many."""
    if column.nunique() <= MAX_LEVELS or not pd.api.types.is_numeric_dtype(column):
        return column.astype(object).map(_show)
    binned = pd.cut(column.astype(float), BINS)
    return binned.map(lambda i: f"[{i.left:.4g}, {i.right:.4g}]").astype(object)


def _order(column: pd.Series, levels: pd.Series) -> list[str]:
    """Level labels in the order of the factor's values."""
    first = pd.DataFrame({"v": column, "l": levels}).sort_values("v", kind="stable")
    return list(dict.fromkeys(first["l"]))


def _summary(runs, before, factors, own=None) -> pd.DataFrame:
    """One row per group; with ``own`` (the date is a factor) its shares as ``*_own`` too."""
    everyone = pd.Series(True, index=runs.index)
    rows = [_row("all", "", "", "", everyone, before, own)]
    labels = {f: _levels(runs[f]) for f in factors}
    for f in factors:
        for level in _order(runs[f], labels[f]):
            rows.append(_row(f, level, "", "", labels[f] == level, before, own))
    for f1, f2 in combinations(factors, 2):
        for l1 in _order(runs[f1], labels[f1]):
            for l2 in _order(runs[f2], labels[f2]):
                mask = (labels[f1] == l1) & (labels[f2] == l2)
                if mask.any():  # sampled designs leave some pairs of bins empty
                    rows.append(_row(f1, l1, f2, l2, mask, before, own))
    return pd.DataFrame(rows)


def _row(f1, l1, f2, l2, mask: pd.Series, before: pd.Series, own) -> dict:
    row = {"factor": f1, "level": l1, "factor_2": f2, "level_2": l2, "runs": int(mask.sum())}
    row |= _shares(before[mask], "")
    if own is not None:
        row |= _shares(own[mask], "_own")
    return row


def _shares(group: pd.Series, suffix: str) -> dict:
    n, k = len(group), int(group.sum())
    lo, hi = wilson(k, n)
    p = k / n if n else math.nan
    return {f"before{suffix}": k, f"p{suffix}": p, f"lo{suffix}": lo, f"hi{suffix}": hi}


def _prim(runs, before, factors, alpha, min_support):
    """The PRIM boxes' table, the boxes, the inputs PRIM saw and the coded factors' levels."""
    columns = ["box", "description", "coverage", "density", "support", "runs"]
    if not len(runs) or not before.any() or before.all():
        return pd.DataFrame(columns=columns), [], None, {}
    x, labels = pd.DataFrame(index=runs.index), {}
    for f in factors:
        if pd.api.types.is_numeric_dtype(runs[f]) and not pd.api.types.is_bool_dtype(runs[f]):
            x[f] = runs[f].astype(float)
        else:  # dates, strings, booleans: ordered levels, coded 0, 1, 2, ...
            values = sorted(runs[f].dropna().unique(), key=str)
            labels[f] = [_show(v) for v in values]
            x[f] = runs[f].map({v: i for i, v in enumerate(values)}).astype(float)
    boxes = prim_boxes(x, before.to_numpy(), alpha=alpha, min_support=min_support)
    table = pd.DataFrame(
        [
            {
                "box": i + 1,
                "description": b.describe(labels),
                "coverage": b.coverage,
                "density": b.density,
                "support": b.support,
                "runs": b.points,
            }
            for i, b in enumerate(boxes)
        ],
        columns=columns,
    )
    return table, boxes, x, labels


def _sensitivity(manifest, runs, before, factors) -> pd.DataFrame:
    """SALib's indices of the per-point mean of "before", with 95% confidence intervals."""
    design = manifest["design"]
    problem = design["salib_problem"]
    planned = manifest["counts"]["points"]
    per_point = before.groupby(runs["point"]).mean()
    if len(per_point) < planned:
        raise ValueError(f"{planned - len(per_point)} of {planned} points have no finished run")
    y = per_point.sort_index().to_numpy(dtype=float)
    # The bootstrap of the intervals is seeded, so equal stores give equal indices. SALib
    # ignores a seed of 0 (it tests ``if seed:``), hence the fallback.
    seed = int(manifest["experiment"]["master_seed"]) % 2**32 or 1
    if design["kind"] == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(
            problem,
            y,
            calc_second_order=bool(design.get("second_order", False)),
            conf_level=0.95,
            print_to_console=False,
            seed=seed,
        )
        return pd.DataFrame(
            {
                "factor": problem["names"],
                "S1": res["S1"],
                "S1_conf": res["S1_conf"],
                "ST": res["ST"],
                "ST_conf": res["ST_conf"],
            }
        )
    from SALib.analyze import morris

    x = runs.groupby("point")[factors].first().sort_index().to_numpy(dtype=float)
    res = morris.analyze(
        problem,
        x,
        y,
        conf_level=0.95,
        num_levels=int(design.get("num_levels", 4)),
        print_to_console=False,
        seed=seed,
    )
    return pd.DataFrame(
        {
            "factor": problem["names"],
            "mu_star": res["mu_star"],
            "mu_star_conf": res["mu_star_conf"],
            "sigma": res["sigma"],
        }
    )


def _show(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (np.bool_, bool)):
        return str(bool(value))
    return str(value)
