"""``relocsim report DIR``: figures and a summary table of a sweep store.

What it writes, into DIR/report/ (or ``figures_dir``)::

    summary.csv                 P(blueprint before the election) with 95% Wilson intervals:
                                overall, per factor level and per pair of factors' levels
    prim_boxes.csv              PRIM boxes in which the blueprint lands before the election
    sensitivity.csv             Sobol or Morris indices with confidence intervals (those designs)
    p_before_<factor>.png/.svg  one line plot with interval bars per factor
    p_before_<f1>__<f2>.png/.svg  one heatmap per pair of factors
    decision_spread.png/.svg    blueprint week minus the election's week, over all runs
    sensitivity.png/.svg        the indices (Sobol or Morris designs)

Files are deterministic: equal stores give byte-identical files (no dates or software
versions in the figures' metadata, a fixed SVG id salt).

"Before the election" is ``blueprint_before_<code>`` (default ``presidential_2022``) except
where the election's own date is a factor: moving polling day moves what "before" means, so
there the blueprint date is compared with the election's ORIGINAL date from the scenario.
"""

import math
import os
import re
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

import sim
from experiments.integrity import require_sound
from experiments.prim import prim_boxes
from experiments.store import load_results, read_manifest

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

    @property
    def headline(self) -> str:
        """P(blueprint before the election) over all runs, with its Wilson interval."""
        row = self.summary[self.summary["factor"] == "all"].iloc[0]
        return (
            f"P(blueprint before {self.election}) = {row.p:.3f} "
            f"[{row.lo:.3f}, {row.hi:.3f}] (Wilson 95%; {row.before} of {row.runs} runs)"
        )

    def __str__(self) -> str:
        shown = self.summary.copy()
        for c in ("p", "lo", "hi"):
            shown[c] = shown[c].map(lambda v: f"{v:.3f}" if pd.notna(v) else "")
        lines = [self.headline, "", shown.fillna("").to_string(index=False)]
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
    polling = next((e.date for e in setting.elections if e.code == election), None)
    if polling is None:  # pragma: no cover - the column exists, so the scenario has it
        raise sim.ScenarioError("--election", election, "an election of the scenario", election)
    week = (polling - setting.start).days / 7.0
    if f"elections.{election}.date" in manifest["design"]["factors"]:
        blueprint = pd.to_datetime(runs["blueprint_date"]).dt.date
        before = pd.Series(
            [b is not None and not pd.isna(b) and b < polling for b in blueprint], dtype=bool
        )
    else:
        before = runs[column].fillna(False).astype(bool)
    return runs, before, week


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
    target = Path(figures_dir) if figures_dir else Path(out_dir) / "report"
    target.mkdir(parents=True, exist_ok=True)
    result = Report(
        summary=_summary(runs, before, factors), boxes=pd.DataFrame(), sensitivity=None,
        election=election,
    )  # fmt: skip
    result.summary.to_csv(target / "summary.csv", index=False)
    result.files.append(target / "summary.csv")
    label = _outcome_label(election)

    import matplotlib

    with matplotlib.rc_context(
        {"svg.hashsalt": "relocsim-report", "svg.fonttype": "path", "font.family": "DejaVu Sans"}
    ):
        for f in factors:
            result.files += _line_plot(target, result.summary, f, label)
        for f1, f2 in combinations(factors, 2):
            result.files += _heatmap(target, result.summary, f1, f2, label)
        result.files += _spread(target, runs, election_week, election)
        result.boxes = _prim(runs, before, factors, alpha, min_support)
        result.boxes.to_csv(target / "prim_boxes.csv", index=False)
        result.files.append(target / "prim_boxes.csv")
        kind = manifest["design"].get("kind")
        if kind in ("sobol", "morris"):
            try:
                result.sensitivity = _sensitivity(manifest, runs, before, factors)
            except ValueError as err:
                result.notes.append(f"no {kind} indices: {err}")
            if result.sensitivity is not None:
                result.sensitivity.to_csv(target / "sensitivity.csv", index=False)
                result.files.append(target / "sensitivity.csv")
                result.files += _sensitivity_plot(target, result.sensitivity, kind, label)
    failed = int((load_results(out_dir)["status"] == "failed").sum())
    if failed:
        result.notes.append(f"{failed} failed runs left out")
    return result


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


def _summary(runs, before, factors) -> pd.DataFrame:
    rows = [_row("all", "", "", "", before)]
    labels = {f: _levels(runs[f]) for f in factors}
    for f in factors:
        for level in _order(runs[f], labels[f]):
            rows.append(_row(f, level, "", "", before[labels[f] == level]))
    for f1, f2 in combinations(factors, 2):
        for l1 in _order(runs[f1], labels[f1]):
            for l2 in _order(runs[f2], labels[f2]):
                group = before[(labels[f1] == l1) & (labels[f2] == l2)]
                if len(group):  # sampled designs leave some pairs of bins empty
                    rows.append(_row(f1, l1, f2, l2, group))
    return pd.DataFrame(rows)


def _row(f1, l1, f2, l2, group: pd.Series) -> dict:
    n, k = len(group), int(group.sum())
    lo, hi = wilson(k, n)
    return {
        "factor": f1,
        "level": l1,
        "factor_2": f2,
        "level_2": l2,
        "runs": n,
        "before": k,
        "p": k / n if n else math.nan,
        "lo": lo,
        "hi": hi,
    }


def _prim(runs, before, factors, alpha, min_support) -> pd.DataFrame:
    columns = ["box", "description", "coverage", "density", "support", "runs"]
    if not len(runs) or not before.any() or before.all():
        return pd.DataFrame(columns=columns)
    x, labels = pd.DataFrame(index=runs.index), {}
    for f in factors:
        if pd.api.types.is_numeric_dtype(runs[f]) and not pd.api.types.is_bool_dtype(runs[f]):
            x[f] = runs[f].astype(float)
        else:  # dates, strings, booleans: ordered levels, coded 0, 1, 2, ...
            values = sorted(runs[f].dropna().unique(), key=str)
            labels[f] = [_show(v) for v in values]
            x[f] = runs[f].map({v: i for i, v in enumerate(values)}).astype(float)
    boxes = prim_boxes(x, before.to_numpy(), alpha=alpha, min_support=min_support)
    return pd.DataFrame(
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


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------


def _figure(width=6.4, height=4.2):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _save(fig, target: Path, stem: str) -> list[Path]:
    png, svg = target / f"{stem}.png", target / f"{stem}.svg"
    fig.savefig(png, dpi=100, metadata={"Software": None})
    fig.savefig(svg, metadata={"Date": None, "Creator": None})
    return [png, svg]


def _slug(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")


def _outcome_label(election: str) -> str:
    return f"P(blueprint before {election})"


def _line_plot(target, summary, factor, label) -> list[Path]:
    rows = summary[(summary["factor"] == factor) & (summary["factor_2"] == "")]
    fig = _figure()
    ax = fig.add_subplot()
    xs = np.arange(len(rows))
    ax.errorbar(
        xs,
        rows["p"],
        yerr=[rows["p"] - rows["lo"], rows["hi"] - rows["p"]],
        marker="o",
        capsize=4,
    )
    ax.set_xticks(xs, list(rows["level"]), rotation=30 if len(rows) > 4 else 0)
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"{factor} (factor level)")
    ax.set_ylabel(f"{label} (share of runs, 95% Wilson interval)")
    ax.set_title(f"{label}\nby {factor}", fontsize="medium")
    ax.grid(alpha=0.3)
    return _save(fig, target, f"p_before_{_slug(factor)}")


def _heatmap(target, summary, f1, f2, label) -> list[Path]:
    rows = summary[(summary["factor"] == f1) & (summary["factor_2"] == f2)]
    single = summary[summary["factor_2"] == ""]
    l1 = list(single.loc[single["factor"] == f1, "level"])
    l2 = list(single.loc[single["factor"] == f2, "level"])
    grid = rows.pivot(index="level", columns="level_2", values="p").reindex(index=l1, columns=l2)
    fig = _figure(7.2, 4.8)
    ax = fig.add_subplot()
    image = ax.imshow(grid.to_numpy(dtype=float), vmin=0, vmax=1, cmap="viridis", aspect="auto")
    for (i, j), value in np.ndenumerate(grid.to_numpy(dtype=float)):
        if not np.isnan(value):
            ax.text(
                j,
                i,
                f"{value:.2f}",
                ha="center",
                va="center",
                color="white" if value < 0.5 else "black",
            )
    ax.set_xticks(range(len(l2)), l2, rotation=30 if len(l2) > 4 else 0)
    ax.set_yticks(range(len(l1)), l1)
    ax.set_xlabel(f"{f2} (factor level)")
    ax.set_ylabel(f"{f1} (factor level)")
    ax.set_title(f"{label}\n{f1} x {f2}", fontsize="medium")
    fig.colorbar(image, ax=ax, label=f"{label} (share of runs)")
    return _save(fig, target, f"p_before_{_slug(f1)}__{_slug(f2)}")


def _spread(target, runs, election_week, election) -> list[Path]:
    weeks = runs["blueprint_week"].dropna().astype(float) - election_week
    fig = _figure()
    ax = fig.add_subplot()
    if len(weeks):
        lo, hi = math.floor(weeks.min()), math.ceil(weeks.max())
        bins = np.arange(lo, hi + 5, 4) if hi - lo > 40 else np.arange(lo, hi + 2, 1)
        ax.hist(weeks, bins=bins, color="tab:blue", edgecolor="white")
    ax.axvline(0, color="black", linestyle="--", label=f"{election} polling day")
    ax.set_xlabel(f"blueprint week minus the week of {election} (weeks)")
    ax.set_ylabel("runs")
    missing = len(runs) - len(weeks)
    ax.set_title(f"When the blueprint lands ({len(weeks)} runs; {missing} without a blueprint)")
    ax.legend()
    return _save(fig, target, "decision_spread")


def _sensitivity_plot(target, table, kind, label) -> list[Path]:
    fig = _figure()
    ax = fig.add_subplot()
    xs = np.arange(len(table))
    if kind == "sobol":
        ax.bar(xs - 0.2, table["S1"], 0.4, yerr=table["S1_conf"], capsize=3, label="first order S1")
        ax.bar(xs + 0.2, table["ST"], 0.4, yerr=table["ST_conf"], capsize=3, label="total ST")
        ax.set_ylabel("Sobol index (share of variance, 95% CI)")
    else:
        ax.bar(xs, table["mu_star"], 0.6, yerr=table["mu_star_conf"], capsize=3, label="mu*")
        ax.set_ylabel(f"Morris mu* (change in {label}, 95% CI)")
    ax.set_xticks(xs, list(table["factor"]), rotation=30, ha="right")
    ax.set_xlabel("factor")
    ax.set_title(f"{kind.capitalize()} sensitivity of {label}")
    ax.legend()
    return _save(fig, target, "sensitivity")


def _show(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (np.bool_, bool)):
        return str(bool(value))
    return str(value)
