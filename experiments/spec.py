"""Experiment files: a TOML description of a batch of seeded runs, read into frozen objects.

An experiment names a scenario, fixed overrides, the factors that vary (dotted override paths,
as with ``relocsim run --set``), a design that turns factors into points, the number of
replicates per point, a master seed and what to record. The schema is in docs/experiments.md.

A file that cannot be used raises ``sim.ScenarioError`` with a one-line message,
``FILE: FIELD.PATH: expected WHAT, got REPR``, so the CLI reports it like a scenario error.
"""

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from importlib import resources
from pathlib import Path
from typing import Any

from experiments.checks import MISSING, Checker, one_of, read_toml, show
from sim import ScenarioError, load_scenario

DESIGNS = ("full_factorial", "points", "lhs", "sobol", "morris")
SAMPLED = ("lhs", "sobol", "morris")  # designs that sample the factors' ranges
DESIGN_KEYS = {
    "full_factorial": ("kind",),
    "points": ("kind", "points"),
    "lhs": ("kind", "n"),
    "sobol": ("kind", "n", "second_order"),
    "morris": ("kind", "n", "num_levels"),
}
TOP_KEYS = (
    "title",
    "scenario",
    "replicates",
    "master_seed",
    "overrides",
    "factors",
    "design",
    "record",
)
OVERRIDE_FILE = "--set"  # how sim.load_scenario labels errors caused by an override

# Upper bounds on an experiment's size (docs/experiments.md, "Bounds"), checked when the file is
# read, before a design is drawn or anything is written. Run ids (p00000r0000) sort in design
# order only below the first two; the runs' list is held in memory, and a million runs take
# about six hours at the 45 runs/s of a 2-core machine.
MAX_POINTS = 100_000
MAX_REPLICATES = 10_000
MAX_RUNS = 1_000_000


@dataclass(frozen=True)
class Factor:
    """One scenario value that the experiment varies.

    Attributes:
        path: Dotted override path, as with ``--set`` (``parties.DP.cohesion``); it is also
            the name of the factor's column in the results.
        levels: The values it takes in a full factorial design, else ``()``.
        bounds: ``(lo, hi)`` for the sampled designs (lhs, sobol, morris), else None. Integer
            bounds give integer values, lo to hi inclusive.
        column_type: Type of its column: bool, int64, float64, string or date32.
    """

    path: str
    levels: tuple = ()
    bounds: tuple[float, float] | None = None
    column_type: str = "float64"


@dataclass(frozen=True)
class Design:
    """How factors become points.

    Attributes:
        kind: One of DESIGNS.
        n: Sample size: points (lhs), base sample N, a power of 2 (sobol), trajectories
            (morris); None for the other designs.
        points: The explicit points of the ``points`` design, one value per factor.
        second_order: Sobol only: also sample for second-order indices.
        num_levels: Morris only: grid levels of each factor.
    """

    kind: str = "full_factorial"
    n: int | None = None
    points: tuple[tuple, ...] = ()
    second_order: bool = False
    num_levels: int = 4


@dataclass(frozen=True)
class Experiment:
    """A validated experiment.

    Attributes:
        name: Short name (the file's stem).
        title: One-line description.
        scenario: A shipped scenario's name, or the absolute path of a scenario file.
        overrides: Fixed overrides applied to every run, dotted path -> value.
        factors: The varied values, in column order.
        design: The design.
        replicates: Seeded runs per point.
        master_seed: Root of every run's seed (see experiments.design.run_seed).
        series_every: Keep every k-th week of each run's weekly series; 0 keeps outcomes only.
        source: Path of the experiment file, or ``""`` for one built in code.
    """

    name: str
    title: str
    scenario: str
    overrides: dict[str, Any]
    factors: tuple[Factor, ...]
    design: Design
    replicates: int
    master_seed: int
    series_every: int = 0
    source: str = ""

    @property
    def label(self) -> str:
        """The FILE part of error messages: the file's name, else the experiment's name."""
        return os.path.basename(self.source) or self.name

    @property
    def paths(self) -> tuple[str, ...]:
        """The factors' override paths (also their column names)."""
        return tuple(f.path for f in self.factors)


NOT_EXPERIMENTS = ("validation.toml", "calibration.toml")  # data files of validate, calibrate


def shipped_experiments() -> list[str]:
    """Names of the experiments shipped in the ``experiments`` package (sorted)."""
    folder = resources.files("experiments")
    return sorted(
        e.name.removesuffix(".toml")
        for e in folder.iterdir()
        if e.name.endswith(".toml") and e.name not in NOT_EXPERIMENTS
    )


def is_name(ref: str | os.PathLike) -> bool:
    """A str with no slash and no ``.toml`` names a shipped file (the rule sim uses too)."""
    return (
        isinstance(ref, str) and "/" not in ref and os.sep not in ref and not ref.endswith(".toml")
    )


def load_experiment(ref: str | os.PathLike) -> Experiment:
    """Read and validate an experiment file.

    Args:
        ref: Path of a TOML file, or the name of a shipped experiment (``election_timing``).

    Returns:
        The experiment, with every factor path checked against its scenario.

    Raises:
        ScenarioError: In one line, naming the file and the field.
    """
    if is_name(ref):
        entry = resources.files("experiments") / f"{ref}.toml"
        if not entry.is_file():
            expected = f"a shipped experiment, {one_of(shipped_experiments())}, or a .toml path"
            raise ScenarioError(str(ref), "(experiment name)", expected, show(str(ref)))
        path = Path(str(entry))
    else:
        path = Path(ref).expanduser().resolve()
        if not path.is_file():
            raise ScenarioError(path.name, "(file)", "an existing experiment file", show(str(path)))
    data = read_toml(path)
    return from_dict(data, name=path.stem, base_dir=path.parent, source=str(path))


def from_dict(
    data: Mapping[str, Any], *, name: str, base_dir: str | os.PathLike = ".", source: str = ""
) -> Experiment:
    """Validate parsed experiment data (e.g. built in a notebook) into an Experiment.

    Args:
        data: The tables and values of an experiment file.
        name: The experiment's name; errors name ``source`` (or ``name``) as their file.
        base_dir: Folder against which a relative scenario path is resolved.
        source: Path of the file the data came from, if any.

    Raises:
        ScenarioError: In one line, naming the file and the field.
    """
    c = Checker(os.path.basename(source) or name)
    c.keys(data, "", TOP_KEYS)
    title = c.text(data, "title", default=name)
    scenario = _scenario(c, data, Path(base_dir))
    replicates = c.integer(data, "replicates", lo=1, hi=MAX_REPLICATES)
    master_seed = c.integer(data, "master_seed", lo=0)
    record = c.table(data.get("record", {}), "record", ("series_every",))
    series_every = c.integer(record, "record.series_every", lo=0, default=0)
    overrides = flat_overrides(c, data.get("overrides", {}))
    try_scenario(c, scenario, overrides, "overrides.")
    design_table = _design_table(c, data.get("design", "full_factorial"))
    kind = design_table["kind"]
    factors = _factors(c, data.get("factors", []), kind, overrides)
    design = _design(c, design_table, factors)
    if kind == "points":
        factors = _point_types(c, factors, design.points)
    points = point_count(design, factors)
    if points * replicates > MAX_RUNS:
        expected = f"at most {MAX_RUNS // points} ({points} points x replicates: at most {MAX_RUNS}"
        c.fail("replicates", f"{expected} runs in all)", replicates)
    for i, f in enumerate(factors):
        _check_path(c, scenario, overrides, f, i, design)
    return Experiment(
        name=name,
        title=title,
        scenario=scenario,
        overrides=overrides,
        factors=factors,
        design=design,
        replicates=replicates,
        master_seed=master_seed,
        series_every=series_every,
        source=source,
    )


# --------------------------------------------------------------------------------------------
# Parts of the file
# --------------------------------------------------------------------------------------------


def _scenario(c, data: Mapping, base_dir: Path) -> str:
    """The scenario as sim.load_scenario takes it: a shipped name or an absolute path."""
    ref = c.text(data, "scenario")
    if is_name(ref):
        try:
            load_scenario(ref)
        except ScenarioError as err:
            if err.file == ref:  # sim blames the name itself: no such shipped scenario
                c.fail("scenario", err.expected, ref)
            raise  # the shipped file is invalid: its own message names it
        return ref
    path = (base_dir / ref).expanduser().resolve()
    if not path.is_file():
        c.fail("scenario", "a shipped scenario's name or an existing .toml file", str(path))
    return str(path)


def try_scenario(c, scenario: str, overrides: dict, label: str) -> None:
    """Load the scenario with ``overrides``, blaming ``label`` + key for a bad override."""
    try:
        load_scenario(scenario, overrides)
    except ScenarioError as err:
        if err.file == OVERRIDE_FILE:
            raise ScenarioError(c.file, label + err.path, err.expected, err.got) from None
        raise


def flat_overrides(c, table: object) -> dict[str, Any]:
    """The ``[overrides]`` table, flattened to dotted paths (``a.b = 1`` nests in TOML)."""
    if not isinstance(table, Mapping):
        c.fail("overrides", "a table of scenario values by dotted path", table)
    out: dict[str, Any] = {}

    def walk(prefix: str, node: Mapping) -> None:
        for key, value in node.items():
            path = f"{prefix}{key}"
            if isinstance(value, Mapping):
                walk(path + ".", value)
            else:
                out[normal_path(path)] = value

    walk("", table)
    return out


def normal_path(path: str) -> str:
    """An override path with the ``__`` alias turned into dots, as sim does."""
    return path.strip().replace("__", ".")


def _design_table(c, raw: object) -> Mapping[str, Any]:
    """The design as a table; ``design = "lhs"`` is short for ``[design] kind = "lhs"``."""
    table = {"kind": raw} if isinstance(raw, str) else raw
    if not isinstance(table, Mapping):
        c.fail("design", f"a design name or a table, {one_of(DESIGNS)}", raw)
    kind = table.get("kind", MISSING)
    if kind not in DESIGNS:
        c.fail("design.kind", one_of(DESIGNS), kind)
    c.keys(table, "design", DESIGN_KEYS[kind])
    return table


def _factors(c, raw: object, kind: str, overrides: dict) -> tuple[Factor, ...]:
    """The ``[[factors]]`` tables; which of levels or range they need depends on the design."""
    if not isinstance(raw, list):
        c.fail("factors", "an array of tables ([[factors]])", raw)
    seen: dict[str, int] = {}
    out = []
    for i, table in enumerate(raw):
        where = f"factors[{i}]"
        if kind == "points":
            allowed = ("path",)
        else:
            allowed = ("path", "range" if kind in SAMPLED else "levels")
        if isinstance(table, Mapping) and "levels" in table and kind in SAMPLED:
            c.fail(f"{where}.levels", f"range = [lo, hi] (design {kind} samples ranges)", "levels")
        if isinstance(table, Mapping) and "range" in table and kind == "full_factorial":
            c.fail(f"{where}.range", "levels = [...] (a full factorial crosses levels)", "range")
        c.table(table, where, allowed)
        path = normal_path(c.text(table, f"{where}.path"))
        if path in seen:
            c.fail(f"{where}.path", f"a path not already varied by factors[{seen[path]}]", path)
        if path in overrides:
            c.fail(f"{where}.path", "a path not fixed in [overrides]", path)
        seen[path] = i
        if kind == "points":
            out.append(Factor(path))  # types come from the points
        elif kind in SAMPLED:
            out.append(_ranged(c, table.get("range", MISSING), f"{where}.range", path))
        else:
            levels = table.get("levels", MISSING)
            if not isinstance(levels, list) or not levels:
                c.fail(f"{where}.levels", "a non-empty array of values", levels)
            out.append(
                Factor(path, tuple(levels), None, _column_type(c, levels, f"{where}.levels"))
            )
    if kind in SAMPLED and not out:
        c.fail("factors", f"at least one factor with a range for design {kind}", raw)
    return tuple(out)


def _ranged(c, bounds: object, where: str, path: str) -> Factor:
    """A factor sampled from ``range = [lo, hi]``."""
    numbers = isinstance(bounds, list) and all(_is_number(v) for v in bounds)
    if not numbers or len(bounds) != 2 or not all(map(math.isfinite, bounds)):
        c.fail(where, "[lo, hi], two finite numbers", bounds)
    lo, hi = bounds
    if not lo < hi:
        c.fail(where, "lo < hi", bounds)
    integer = all(isinstance(v, int) for v in bounds)
    return Factor(path, (), (lo, hi), "int64" if integer else "float64")


def _design(c, table: Mapping, factors: tuple[Factor, ...]) -> Design:
    """The design's options, checked against its kind."""
    kind = table["kind"]
    if kind == "points":
        raw = table.get("points", MISSING)
        if not isinstance(raw, list) or not raw:
            c.fail("design.points", "a non-empty array of points, one array each", raw)
        for i, point in enumerate(raw):
            if not isinstance(point, list) or len(point) != len(factors):
                c.fail(f"design.points[{i}]", f"an array of {len(factors)} values", point)
        if len(raw) > MAX_POINTS:
            c.fail("design.points", f"at most {MAX_POINTS} points", f"{len(raw)} points")
        return Design(kind, points=tuple(tuple(p) for p in raw))
    if kind not in SAMPLED:
        levels = point_count(Design(kind), factors)
        if levels > MAX_POINTS:
            expected = f"at most {MAX_POINTS} points in all (the product of the levels' counts)"
            c.fail("factors", expected, levels)
        return Design(kind)
    n = c.integer(table, "design.n", lo=1)
    if kind == "sobol" and n & (n - 1):
        c.fail("design.n", "a power of 2 (Sobol sequences balance only then)", n)
    if kind == "morris" and n < 2:
        c.fail("design.n", "at least 2 trajectories", n)
    design = Design(
        kind,
        n=n,
        second_order=c.boolean(table, "design.second_order", default=False),
        num_levels=c.integer(table, "design.num_levels", lo=2, default=4),
    )
    per_n = point_count(replace(design, n=1), factors)  # points per unit of n
    if n * per_n > MAX_POINTS:
        most = MAX_POINTS // per_n
        if kind == "sobol":
            most = 1 << (most.bit_length() - 1)  # the largest power of 2 that fits
        formula = f"n x {per_n} points" if per_n > 1 else "n points"
        c.fail("design.n", f"at most {most} ({formula}: at most {MAX_POINTS})", n)
    return design


def point_count(design: Design, factors: tuple[Factor, ...]) -> int:
    """How many points a design has (SALib's formulas for Sobol and Morris), without drawing it."""
    k = len(factors)
    if design.kind == "full_factorial":
        return math.prod(len(f.levels) for f in factors)
    if design.kind == "points":
        return len(design.points)
    if design.kind == "sobol":
        return design.n * (2 * k + 2 if design.second_order else k + 2)
    if design.kind == "morris":
        return design.n * (k + 1)
    return design.n  # lhs


def _point_types(c, factors: tuple[Factor, ...], points: tuple[tuple, ...]) -> tuple[Factor, ...]:
    """Factors of a points design, typed from their column of values."""
    out = []
    for j, f in enumerate(factors):
        column = [p[j] for p in points]
        out.append(Factor(f.path, (), None, _column_type(c, column, f"design.points[*][{j}]")))
    return tuple(out)


def _check_path(c, scenario: str, overrides: dict, factor: Factor, i: int, design: Design):
    """Apply the factor once: a path the scenario lacks is an error of the file.

    A value the scenario rejects is not: the runs of that point are recorded as failed, with
    the scenario's message, and the sweep goes on (failures are data).
    """
    if factor.levels:
        value = factor.levels[0]
    elif factor.bounds is not None:
        value = factor.bounds[0]
    else:
        value = design.points[0][i]
    try:
        load_scenario(scenario, {**overrides, factor.path: value})
    except ScenarioError as err:
        if err.file == OVERRIDE_FILE and err.loc is None:  # no field was reached: a bad path
            raise ScenarioError(c.file, f"factors[{i}].path", err.expected, err.got) from None


# --------------------------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------------------------

_KINDS = ((bool, "bool"), (int, "int64"), (float, "float64"), (str, "string"))


def _value_kind(value: object) -> str | None:
    """Column type of one factor value, or None if a factor cannot take it."""
    if isinstance(value, datetime | time):
        return None  # TOML date-times: the scenario has none
    if isinstance(value, date):
        return "date32"
    return next((name for cls, name in _KINDS if isinstance(value, cls)), None)


def _column_type(c, values: list, where: str) -> str:
    """One column type for all values; integers and floats together make floats."""
    kinds = set()
    for k, value in enumerate(values):
        kind = _value_kind(value)
        if kind is None:
            c.fail(f"{where}[{k}]", "a string, number, boolean or date", value)
        kinds.add(kind)
    if kinds == {"int64", "float64"}:
        return "float64"
    if len(kinds) > 1:
        c.fail(where, "values of one type", values)
    return kinds.pop()


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
