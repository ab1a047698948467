"""The columns of the result tables and their types, settled before the first run.

Parquet readers (pandas, DuckDB) take one schema for a folder of parts, so a column that is
all None in one part and integer in another would not load. The store's columns are therefore
fixed once per sweep and written into its manifest: which outcome columns exist comes from a
one-week probe run of the scenario (they depend on its elections and institutions), and their
types from OUTCOME_TYPES, which holds even where the probe's values are None. A run whose
outcome does not fit these columns is recorded as failed.

pyarrow is imported only to build a schema, so that the sweep's process, which holds the
columns but writes the parts as the workers encoded them, does not import it.
"""

import numbers
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import numpy as np

import sim
from experiments.spec import Experiment

if TYPE_CHECKING:
    import pyarrow as pa

# Column type name -> the pyarrow type's constructor (pyarrow.bool_() and so on).
ARROW_TYPES = {
    "bool": "bool_",
    "int64": "int64",
    "float64": "float64",
    "string": "string",
    "date32": "date32",
}

# The first columns of every row of the runs table, before the factors and the outcome.
RUN_COLUMNS = {
    "run_id": "string",
    "point": "int64",
    "replicate": "int64",
    "seed": "int64",
    "status": "string",  # done or failed
    "error": "string",  # one line, None for a run that finished
}

# The first columns of the series table, before the weekly model variables.
SERIES_KEYS = {"run_id": "string", "point": "int64", "replicate": "int64", "date": "string"}

# Type of each column of sim.OUTCOME_SCHEMA (tests/test_experiments_store.py keeps them in
# step). Dates stay ISO strings, as sim gives them.
OUTCOME_TYPES = {
    "scenario": "string",
    "seed": "int64",
    "weeks": "int64",
    "blueprint_date": "string",
    "blueprint_week": "int64",
    "first_decision_date": "string",
    "blueprint_before_{election}": "bool",
    "decision_before_{election}": "bool",
    "winner_{election}": "string",
    "dest_{institution}": "string",
    "decided_{institution}_date": "string",
    "relocated": "int64",
    "relocated_staff": "float64",
    "won_{region}": "int64",
    "act_{act}_fate": "string",
    "act_{act}_date": "string",
    "bill_{bill}_fate": "string",
    "bill_{bill}_date": "string",
    "bill_{bill}_yes": "int64",
    "bill_{bill}_no": "int64",
    "bill_{bill}_abstain": "int64",
    "yes_share_{bill}_{stage}_{party}": "float64",
    "peak_mobilisation": "float64",
    "peak_mobilisation_date": "string",
    "executive_end": "string",
}
SKIPPED_OUTCOMES = ("seed",)  # already a run column, with the same value

# Exact names first, so that blueprint_date is not taken for a blueprint_{something}.
_RULES = sorted(
    ((re.compile(re.sub(r"\\\{\w+\\\}", ".+", re.escape(k))), v) for k, v in OUTCOME_TYPES.items()),
    key=lambda rule: "{" in rule[0].pattern,
)


class OutcomeMismatch(ValueError):
    """A run's outcome does not fit the store's columns."""


@dataclass(frozen=True)
class Columns:
    """Column names and types of a sweep's tables (type names are keys of ARROW_TYPES).

    Attributes:
        factors: Factor columns, by override path.
        outcomes: Outcome columns, in sim's order.
        series: Weekly series columns after SERIES_KEYS (empty when no series is kept).
    """

    factors: dict[str, str]
    outcomes: dict[str, str]
    series: dict[str, str]

    def runs_schema(self) -> "pa.Schema":
        """Schema of the runs table: RUN_COLUMNS, factors, outcomes."""
        return _schema({**RUN_COLUMNS, **self.factors, **self.outcomes})

    def series_schema(self) -> "pa.Schema":
        """Schema of the series table: SERIES_KEYS, then the model variables."""
        return _schema({**SERIES_KEYS, **self.series})

    def to_json(self) -> dict:
        """The columns as stored in the manifest."""
        return {"factors": self.factors, "outcomes": self.outcomes, "series": self.series}

    @classmethod
    def from_json(cls, data: dict) -> "Columns":
        """Columns read back from a manifest."""
        return cls(dict(data["factors"]), dict(data["outcomes"]), dict(data["series"]))


def _schema(types: dict[str, str]) -> "pa.Schema":
    import pyarrow as pa

    return pa.schema([(name, getattr(pa, ARROW_TYPES[kind])()) for name, kind in types.items()])


def outcome_type(column: str, value: object) -> str:
    """The type of an outcome column: from OUTCOME_TYPES, else from the probe's value."""
    for pattern, kind in _RULES:
        if pattern.fullmatch(column):
            return kind
    return value_type(value) or "string"  # a column newer than OUTCOME_TYPES


def value_type(value: object) -> str | None:
    """The column type that holds ``value`` (None for None or an unknown kind)."""
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, numbers.Integral):
        return "int64"
    if isinstance(value, numbers.Real):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, date) and not isinstance(value, datetime):
        return "date32"
    return None


def fits(value: object, kind: str) -> bool:
    """Whether ``value`` can go into a column of type ``kind`` (None fits every column)."""
    found = value_type(value)
    return value is None or found == kind or (found == "int64" and kind == "float64")


def probe(experiment: Experiment) -> Columns:
    """The columns of an experiment's tables, from one run of its scenario cut to one week.

    Raises:
        sim.ScenarioError: If even that run fails: the sweep could not store anything.
    """
    setting = sim.load_scenario(experiment.scenario, experiment.overrides)
    one_week = {**experiment.overrides, "horizon": setting.start + timedelta(days=7)}
    try:
        result = sim.run(experiment.scenario, seed=0, **one_week)
    except Exception as err:
        error = f"{type(err).__name__}: {err}"
        raise sim.ScenarioError(
            experiment.label, "scenario", "a scenario that runs", error
        ) from None
    outcomes = {
        k: outcome_type(k, v) for k, v in result.outcome.items() if k not in SKIPPED_OUTCOMES
    }
    factors = {f.path: f.column_type for f in experiment.factors}
    for i, path in enumerate(factors):
        if path in outcomes or path in RUN_COLUMNS:
            expected = "a path that is not also the name of a result column"
            raise sim.ScenarioError(experiment.label, f"factors[{i}].path", expected, path)
    series = {}
    if experiment.series_every:
        frame = result.series.reset_index(drop=True)
        series = {name: _dtype_type(frame[name].dtype) for name in frame.columns}
    return Columns(factors, outcomes, series)


def _dtype_type(dtype: np.dtype) -> str:
    """The column type of a pandas column."""
    return {"b": "bool", "i": "int64", "u": "int64", "f": "float64"}.get(dtype.kind, "string")


def fit_outcome(outcome: dict, columns: Columns) -> list:
    """The outcome's values in column order.

    Raises:
        OutcomeMismatch: If a column is missing, extra or of another type.
    """
    names = {k for k in outcome if k not in SKIPPED_OUTCOMES}
    if names != set(columns.outcomes):
        extra = sorted(names - set(columns.outcomes))
        missing = sorted(set(columns.outcomes) - names)
        raise OutcomeMismatch(
            f"outcome columns differ from the sweep's: extra {extra}, missing {missing}"
        )
    for name, kind in columns.outcomes.items():
        if not fits(outcome[name], kind):
            raise OutcomeMismatch(f"outcome {name}: expected {kind}, got {outcome[name]!r}")
    return [outcome[name] for name in columns.outcomes]
