"""The validation file of ``relocsim validate``: cases, their truth, and counterfactuals.

The file (``experiments/validation.toml`` by default; its comments give the schema) is data:
historical cases (a scenario and events with their truth and targets) and counterfactuals
(a case with some scenario values changed, and what that change should do to the events).
``load_validation`` reads and checks it into a ``ValidationSpec`` in which every case and
counterfactual arm is a one-point experiment, so that a bad file fails in one line before
anything runs. Running and scoring are in experiments/validation.py.
"""

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from experiments import spec
from experiments.checks import MISSING, Checker, read_toml, show
from experiments.columns import fits, probe
from experiments.report_figures import slug as _slug
from sim import ScenarioError

STORE_PREFIX = "validation/"  # the name of every experiment made for a validation
TOP_KEYS = ("title", "master_seed", "brier_target", "cases", "counterfactuals", "library")
LIBRARY_KEYS = ("brier", "worst_event", "beat_every_null")
CASE_KEYS = ("scenario", "name", "note", "events")
EVENT_KEYS = ("label", "truth", "when", "target")
CF_KEYS = ("name", "note", "case", "events", "require", "variant", "low", "high")
BOUNDS = {"at_most": "≤", "at_least": "≥"}
REQUIREMENTS = {
    "ratio_at_least": "B/A ≥ {}",
    "difference_at_least": "B − A ≥ {}",
    "abs_difference_at_least": "|B − A| ≥ {}",
}


@dataclass(frozen=True)
class Bound:
    """A target on a probability or score: ``P <= value`` (at_most) or ``P >= value``."""

    kind: str
    value: float

    def met(self, p: float) -> bool:
        """Whether ``p`` meets the bound (never for NaN)."""
        if math.isnan(p):
            return False
        return _at_least(self.value, p) if self.kind == "at_most" else _at_least(p, self.value)

    def __str__(self) -> str:
        return f"{BOUNDS[self.kind]} {self.value:g}"


def _at_least(x: float, bound: float) -> bool:
    """``x >= bound``, where a difference of rounding only does not count (0.5 - 0.3 >= 0.2)."""
    return x >= bound or math.isclose(x, bound, rel_tol=1e-9, abs_tol=1e-12)


@dataclass(frozen=True)
class Condition:
    """One condition of an event on an outcome column: ``equals`` a value, or ``before`` a date."""

    column: str
    op: str
    value: Any

    def holds(self, value: object) -> bool:
        """Whether a run's value of the column meets the condition (a missing value never does)."""
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return False
        if self.op == "before":
            return date.fromisoformat(str(value)) < self.value
        return value == self.value


@dataclass(frozen=True)
class Event:
    """Something that happens, or not, in a run: all its conditions hold.

    Attributes:
        label: Its name in tables and figures.
        when: The conditions, ANDed.
        truth: What really happened (None for an event defined by a counterfactual only).
        target: The bound P must meet, if any.
    """

    label: str
    when: tuple[Condition, ...]
    truth: bool | None = None
    target: Bound | None = None

    def occurred(self, outcome: Mapping[str, Any]) -> bool:
        """Whether the event happened in a run with this outcome record."""
        return all(c.holds(outcome[c.column]) for c in self.when)


@dataclass(frozen=True)
class Case:
    """A historical case: a scenario and the truth of some events.

    Attributes:
        name: Short name (by default the scenario's).
        note: One line on what happened.
        events: The events with their truth.
        experiment: The case as a one-point experiment (one replicate; the seeds are set when
            it runs).
    """

    name: str
    note: str
    events: tuple[Event, ...]
    experiment: spec.Experiment

    @property
    def folder(self) -> str:
        """Its store, relative to the output folder."""
        return f"cases/{folder_name(self.name)}"


@dataclass(frozen=True)
class Arm:
    """One side of a counterfactual: the case with some scenario values set.

    Attributes:
        role: ``variant``, ``low`` or ``high``.
        label: What it sets, in words.
        experiment: The case's experiment with these overrides.
    """

    role: str
    label: str
    experiment: spec.Experiment


@dataclass(frozen=True)
class Requirement:
    """What a counterfactual must show, on B (variant or high) against A (baseline or low)."""

    kind: str
    value: float

    def met(self, a: float, b: float) -> bool:
        """Whether P(A) = a and P(B) = b meet the requirement (never with a NaN)."""
        if math.isnan(a) or math.isnan(b):
            return False
        if self.kind == "ratio_at_least":
            return b > 0 and _at_least(b, self.value * a)
        if self.kind == "difference_at_least":
            return _at_least(b - a, self.value)
        return _at_least(abs(b - a), self.value)

    def __str__(self) -> str:
        return REQUIREMENTS[self.kind].format(f"{self.value:g}")


@dataclass(frozen=True)
class Counterfactual:
    """A change to a case, and the events whose probability it should move.

    Attributes:
        name: Its name in tables.
        case: The name of the case it changes.
        events: The events compared.
        a: The reference arm: None for the case's own runs (the baseline), else ``low``.
        b: The changed arm: ``variant`` or ``high``.
        require: What it must show, or None (reported only).
        note: One line of explanation.
    """

    name: str
    case: str
    events: tuple[Event, ...]
    a: Arm | None
    b: Arm
    require: Requirement | None = None
    note: str = ""

    @property
    def arms(self) -> tuple[Arm, ...]:
        """The arms that need runs of their own."""
        return (self.b,) if self.a is None else (self.a, self.b)

    def folder(self, arm: Arm) -> str:
        """The store of an arm, relative to the output folder."""
        return f"counterfactuals/{folder_name(self.name)}/{arm.role}"


@dataclass(frozen=True)
class LibraryTargets:
    """Targets of the case library, judged out of sample (``relocsim validate --library``).

    Attributes:
        brier: Bound on the mean Brier score over the out-of-sample binary events.
        worst_event: Bound on the largest (P - truth)^2 of one of those events.
        beat_every_null: Whether the full model's out-of-sample log score must be below each
            null model's.
    """

    brier: Bound | None = None
    worst_event: Bound | None = None
    beat_every_null: bool = False


@dataclass(frozen=True)
class ValidationSpec:
    """A validated validation file.

    Attributes:
        title: One line.
        master_seed: Root of every run's seed (the same in every case and arm).
        brier_target: Bound on the mean Brier score over all events, if any.
        cases: The historical cases.
        counterfactuals: The counterfactuals.
        source: The file's path ("" for data built in code).
        library: Targets of the case library (``relocsim validate --library``).
    """

    title: str
    master_seed: int
    brier_target: Bound | None
    cases: tuple[Case, ...]
    counterfactuals: tuple[Counterfactual, ...]
    source: str = ""
    library: LibraryTargets = LibraryTargets()

    def case(self, name: str) -> Case:
        """The case of that name."""
        return next(c for c in self.cases if c.name == name)


def load_library_targets(path: str | os.PathLike | None = None) -> LibraryTargets:
    """Only the ``[library]`` table of a validation file (none: no targets).

    Cheaper than load_validation, which probes every case and arm.
    """
    path = Path(path).expanduser().resolve() if path is not None else default_file()
    if not path.is_file():
        raise ScenarioError(path.name, "(file)", "an existing validation file", show(str(path)))
    return _library(Checker(path.name), read_toml(path).get("library", {}))


def _library(c: Checker, raw: object) -> LibraryTargets:
    if not isinstance(raw, Mapping):
        c.fail("library", "a table of the library's targets", raw)
    c.keys(raw, "library", LIBRARY_KEYS)
    bound = {k: _bound(c, raw[k], f"library.{k}") for k in ("brier", "worst_event") if k in raw}
    return LibraryTargets(**bound, beat_every_null=c.boolean(raw, "library.beat_every_null",
                                                             default=False))  # fmt: skip


def default_file() -> Path:
    """The shipped validation file, experiments/validation.toml."""
    return Path(str(resources.files("experiments") / "validation.toml"))


def load_validation(path: str | os.PathLike | None = None) -> ValidationSpec:
    """Read and check a validation file: its cases, events, targets and counterfactuals.

    Every scenario and override is applied, and every event's columns are checked against a
    one-week probe run of its scenario, so that a bad file fails before anything runs.

    Args:
        path: The TOML file (default: the shipped experiments/validation.toml).

    Returns:
        The checked contents.

    Raises:
        ScenarioError: In one line, ``FILE: FIELD.PATH: expected WHAT, got VALUE``.
    """
    path = Path(path).expanduser().resolve() if path is not None else default_file()
    if not path.is_file():
        raise ScenarioError(path.name, "(file)", "an existing validation file", show(str(path)))
    data = read_toml(path)
    return validation_from_dict(data, base_dir=path.parent, source=str(path))


def validation_from_dict(
    data: Mapping[str, Any], *, base_dir: str | os.PathLike = ".", source: str = "validation"
) -> ValidationSpec:
    """Check parsed validation data (shaped like the file) into a ValidationSpec.

    Args:
        data: The file's tables and values.
        base_dir: Folder against which relative scenario paths are resolved.
        source: The file's path; its name is the FILE of error messages.

    Raises:
        ScenarioError: In one line, naming the file and the field.
    """
    c = Checker(os.path.basename(source))
    c.keys(data, "", TOP_KEYS)
    title = c.text(data, "title", default="Validation")
    master_seed = c.integer(data, "master_seed", lo=0)
    brier = data.get("brier_target")
    brier_target = None if brier is None else _bound(c, brier, "brier_target")
    raw_cases = _array(c, data.get("cases", MISSING), "cases", "[[cases]]")
    cases: list[Case] = []
    for i, raw in enumerate(raw_cases):
        case = _case(c, raw, f"cases[{i}]", master_seed, Path(base_dir))
        _unique(c, f"cases[{i}].name", case.name, [x.name for x in cases], "case")
        cases.append(case)
    raw_cfs = data.get("counterfactuals", [])
    counterfactuals: list[Counterfactual] = []
    for i, raw in enumerate(_array(c, raw_cfs, "counterfactuals", "[[counterfactuals]]", 0)):
        cf = _counterfactual(c, raw, f"counterfactuals[{i}]", cases)
        if folder_name(cf.name) in [folder_name(x.name) for x in counterfactuals]:
            expected = "a name unlike those above, in its letters and digits (its store's folder)"
            c.fail(f"counterfactuals[{i}].name", expected, cf.name)
        counterfactuals.append(cf)
    library = _library(c, data.get("library", {}))
    return ValidationSpec(
        title, master_seed, brier_target, tuple(cases), tuple(counterfactuals), source, library
    )


def folder_name(name: str) -> str:
    """The folder of a case's or counterfactual's store: its letters and digits, lower case."""
    return _slug(name).lower()


def _array(c: Checker, raw: object, where: str, shape: str, least: int = 1) -> list:
    if not isinstance(raw, list) or len(raw) < least:
        c.fail(where, f"an array of tables ({shape})" + (", at least one" if least else ""), raw)
    return raw


def _unique(c: Checker, where: str, value: str, seen: list[str], what: str) -> None:
    if not value or value in seen:
        c.fail(where, f"a {what} name of its own (not empty, not used above)", value)


def _case(c: Checker, raw: object, where: str, seed: int, base_dir: Path) -> Case:
    table = c.table(raw, where, CASE_KEYS)
    ref = c.text(table, f"{where}.scenario")
    name = c.text(table, f"{where}.name", default=Path(ref).stem)
    note = c.text(table, f"{where}.note", default=name)
    if not folder_name(name):
        c.fail(f"{where}.name", "a name with letters or digits", name)
    label = f"{STORE_PREFIX}cases/{folder_name(name)}"
    experiment, outcomes = _experiment(c, label, ref, {}, seed, base_dir, f"{where}.scenario")
    events: list[Event] = []
    raw_events = _array(c, table.get("events", MISSING), f"{where}.events", "[[cases.events]]")
    for j, item in enumerate(raw_events):
        at = f"{where}.events[{j}]"
        event = _event(c, item, at, EVENT_KEYS, outcomes, name)
        _unique(c, f"{at}.label", event.label, [e.label for e in events], "label")
        events.append(event)
    return Case(name, note, tuple(events), experiment)


def _event(c: Checker, raw: object, where: str, keys: tuple, outcomes: dict, case: str) -> Event:
    table = c.table(raw, where, keys)
    label = c.text(table, f"{where}.label")
    truth = c.boolean(table, f"{where}.truth") if "truth" in keys else None
    target = _bound(c, table["target"], f"{where}.target") if "target" in table else None
    raw_when = table.get("when", MISSING)
    if not isinstance(raw_when, list) or not raw_when:
        c.fail(f"{where}.when", "a non-empty array of conditions", raw_when)
    when = tuple(
        _condition(c, item, f"{where}.when[{k}]", outcomes, case) for k, item in enumerate(raw_when)
    )
    return Event(label, when, truth, target)


def _condition(c: Checker, raw: object, where: str, outcomes: dict, case: str) -> Condition:
    table = c.table(raw, where, ("column", "equals", "before"))
    column = c.text(table, f"{where}.column")
    ops = [op for op in ("equals", "before") if op in table]
    if len(ops) != 1:
        c.fail(where, "{column = ..., equals = VALUE} or {column = ..., before = DATE}", raw)
    op, value = ops[0], table[ops[0]]
    kind = outcomes.get(column)
    if kind is None:
        c.fail(f"{where}.column", f"an outcome column of {case} (sim.OUTCOME_SCHEMA)", column)
    if op == "before":
        if not isinstance(value, date) or isinstance(value, datetime):
            c.fail(f"{where}.before", "a date (YYYY-MM-DD)", value)
        if kind != "string" or not column.endswith("date"):
            c.fail(
                f"{where}.column", "an ISO-date column (..._date) to compare with before", column
            )
    elif isinstance(value, Mapping | list | date) or not fits(value, kind):
        c.fail(f"{where}.equals", f"a value of the {kind} column {column}", value)
    return Condition(column, op, value)


def _bound(c: Checker, raw: object, where: str) -> Bound:
    expected = "{at_most = P} or {at_least = P}"
    return Bound(*_one_number(c, raw, where, BOUNDS, expected, hi=1.0))


def _one_number(
    c: Checker, raw: object, where: str, kinds: Mapping, expected: str, hi: float | None = None
) -> tuple[str, float]:
    """A table ``{KIND = number}`` with one key of ``kinds``: (KIND, number)."""
    table = c.table(raw, where, tuple(kinds))
    if len(table) != 1:
        c.fail(where, expected, raw)
    kind = next(iter(table))
    return kind, _number(c, table[kind], f"{where}.{kind}", hi)


def _number(c: Checker, value: object, where: str, hi: float | None = None) -> float:
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if not numeric or math.isnan(value) or value < 0 or (hi is not None and value > hi):
        c.fail(where, "a number from 0 to 1" if hi == 1.0 else "a non-negative number", value)
    return float(value)


def _counterfactual(c: Checker, raw: object, where: str, cases: list[Case]) -> Counterfactual:
    table = c.table(raw, where, CF_KEYS)
    name = c.text(table, f"{where}.name")
    note = c.text(table, f"{where}.note", default=name)
    case_name = c.text(table, f"{where}.case")
    case = next((x for x in cases if x.name == case_name), None)
    if case is None:
        names = ", ".join(x.name for x in cases)
        c.fail(f"{where}.case", f"the name of a case above: {names}", case_name)
    roles = [role for role in ("variant", "low", "high") if role in table]
    if roles not in (["variant"], ["low", "high"]):
        c.fail(where, "either a variant table, or a low and a high table", ", ".join(roles))
    if not folder_name(name):
        c.fail(f"{where}.name", "a name with letters or digits", name)
    folder = f"counterfactuals/{folder_name(name)}"
    arms = {role: _arm(c, table[role], f"{where}.{role}", role, folder, case) for role in roles}
    events = _cf_events(c, table.get("events", MISSING), f"{where}.events", case, arms.values())
    require = None
    if "require" in table:
        at, expected = f"{where}.require", "one of: " + ", ".join(REQUIREMENTS)
        require = Requirement(*_one_number(c, table["require"], at, REQUIREMENTS, expected))
    a = arms["low"][0] if "low" in arms else None
    b = arms["high" if "high" in arms else "variant"][0]
    return Counterfactual(name, case.name, events, a, b, require, note)


def _arm(
    c: Checker, raw: object, where: str, role: str, folder: str, case: Case
) -> tuple[Arm, dict[str, str]]:
    """An arm of a counterfactual, and its outcome columns' types."""
    table = c.table(raw, where, ("label", "set"))
    label = c.text(table, f"{where}.label", default=role)
    overrides = table.get("set", MISSING)
    if not isinstance(overrides, Mapping) or not overrides:
        c.fail(f"{where}.set", "a non-empty table of scenario values by dotted path", overrides)
    experiment, outcomes = _experiment(
        c,
        f"{STORE_PREFIX}{folder}/{role}",
        case.experiment.scenario,
        overrides,
        case.experiment.master_seed,
        Path("."),
        f"{where}.set",
    )
    return Arm(role, label, experiment), outcomes


def _cf_events(c: Checker, raw: object, where: str, case: Case, arms) -> tuple[Event, ...]:
    """Events by label from the case, or tables {label, when} defined here (without truth).

    Every event's columns must exist in every arm (overrides cannot remove elections or
    institutions, but a scenario file could differ).
    """
    if not isinstance(raw, list) or not raw:
        c.fail(where, "a non-empty array of event labels or {label, when} tables", raw)
    labels = {e.label: e for e in case.events}
    events: list[Event] = []
    for j, item in enumerate(raw):
        at = f"{where}[{j}]"
        for arm, outcomes in arms:
            if isinstance(item, str):
                if item not in labels:
                    c.fail(at, f"an event label of {case.name}: " + ", ".join(labels), item)
                event = labels[item]
                missing = [x.column for x in event.when if x.column not in outcomes]
                if missing:
                    c.fail(at, f"an event whose columns the arm {arm.label} has", missing[0])
            else:
                event = _event(c, item, at, ("label", "when"), outcomes, arm.label)
        _unique(c, f"{at}.label", event.label, [e.label for e in events], "label")
        events.append(event)
    return tuple(events)


def _experiment(
    c: Checker, name: str, scenario: str, overrides: Mapping, seed: int, base: Path, where: str
) -> tuple[spec.Experiment, dict[str, str]]:
    """A one-point experiment of the scenario with overrides, and its outcome columns' types.

    Errors of the generated experiment are reported against the validation file's field
    ``where`` (``FIELD.set.PATH`` for an override); errors inside a scenario file name it.
    """
    data = {
        "scenario": scenario,
        "replicates": 1,
        "master_seed": seed,
        "overrides": dict(overrides),
        "design": {"kind": "points", "points": [[]]},
    }
    try:
        experiment = spec.from_dict(data, name=name, base_dir=base)
        return experiment, probe(experiment).outcomes
    except ScenarioError as err:
        if err.file != name:
            raise
        path = err.path
        if path.startswith("overrides."):
            path = f"{where}.{path.removeprefix('overrides.')}"
        elif path in ("overrides", "scenario"):
            path = where
        raise ScenarioError(c.file, path, err.expected, err.got) from None
