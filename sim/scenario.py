"""Scenarios: load, override and check the TOML files of sim/scenarios (docs/scenario.md).

A scenario holds the data of one historical setting (calendar, elections, parties, regions,
institutions, lawmakers, unions, ministries) and the mechanism parameters. Everything a run
depends on is here, so that ``sim.run(scenario, seed=...)`` is a pure function.

This module finds and reads scenario files and caches the results; it is also the public face
of the scenario code, re-exporting what the rest of relocsim uses from the modules behind it:

- sim.scenario_types: the frozen dataclasses (Scenario, Party, Region...) and their constants;
- sim.scenario_errors: ScenarioError and how its one-line messages are written;
- sim.scenario_fields: checks of one value (types, ranges, codes, dates);
- sim.scenario_checks: from_dict, the rules of a valid scenario;
- sim.scenario_overrides: apply_overrides and parse_set_options (``--set KEY=VALUE``).
"""

import copy
import functools
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from sim.scenario_checks import from_dict
from sim.scenario_errors import (
    OVERRIDE_FILE,
    Loc,
    ScenarioError,
    file_label,
    one_of,
    parse_toml,
    show,
)
from sim.scenario_overrides import (
    apply_overrides,
    apply_tracked,
    blame_override,
    parse_set_options,
)
from sim.scenario_types import (
    BILL_KINDS,
    ELECTION_KINDS,
    HUB_STATUSES,
    MINISTRY_ROLES,
    ROLES,
    THRESHOLDS,
    WHIPS,
    Election,
    Event,
    Executive,
    Faction,
    Institution,
    Ministry,
    NamedLawmaker,
    Party,
    Region,
    Renaming,
    Scenario,
    TabledBill,
    Union,
)

__all__ = [
    "BILL_KINDS",
    "ELECTION_KINDS",
    "HUB_STATUSES",
    "MINISTRY_ROLES",
    "OVERRIDE_FILE",
    "ROLES",
    "THRESHOLDS",
    "WHIPS",
    "Election",
    "Event",
    "Executive",
    "Faction",
    "Institution",
    "Loc",
    "Ministry",
    "NamedLawmaker",
    "Party",
    "Region",
    "Renaming",
    "Scenario",
    "ScenarioError",
    "TabledBill",
    "Union",
    "apply_overrides",
    "available_scenarios",
    "from_dict",
    "load_scenario",
    "load_scenario_data",
    "parse_set_options",
]

# --------------------------------------------------------------------------------------------
# Finding and reading scenario files
# --------------------------------------------------------------------------------------------

_PACKAGE = "sim"
_FOLDER = "scenarios"


def _shipped():
    """The folder of shipped scenarios, as an importlib.resources traversable."""
    return resources.files(_PACKAGE) / _FOLDER


def available_scenarios() -> list[str]:
    """Names of the scenarios shipped in ``sim/scenarios`` (sorted).

    A case's truth file (``NAME.truth.toml``, sim.truth) lies beside its scenario and is not
    one: a scenario's name has no dot.
    """
    return sorted(
        name
        for entry in _shipped().iterdir()
        if entry.name.endswith(".toml")
        and entry.is_file()
        and "." not in (name := entry.name.removesuffix(".toml"))
    )


def _is_name(name_or_path: str | os.PathLike) -> bool:
    """A bare name (a str with no slash and no ``.toml``) means a shipped scenario."""
    return (
        isinstance(name_or_path, str)
        and "/" not in name_or_path
        and os.sep not in name_or_path
        and not name_or_path.endswith(".toml")
    )


def _locate(name_or_path: str | os.PathLike) -> tuple[tuple[str, str], tuple[int, int]]:
    """Where the scenario lives, as a hashable key, and a stamp that changes with the file."""
    if _is_name(name_or_path):
        name = str(name_or_path)
        where = ("package", name)
        if not _entry(where).is_file():
            raise ScenarioError(
                name,
                "(scenario name)",
                f"a shipped scenario, {one_of(available_scenarios())}, or a path to a .toml file",
                show(name),
            )
    else:
        path = Path(name_or_path).expanduser().resolve()
        if not path.is_file():
            raise ScenarioError(path.name, "(file)", "an existing scenario file", show(str(path)))
        where = ("file", str(path))
    entry = _entry(where)
    try:
        info = entry.stat()  # type: ignore[union-attr]
        stamp = (info.st_mtime_ns, info.st_size)
    except (AttributeError, OSError):  # a resource inside a zip: it cannot change anyway
        stamp = (0, 0)
    return where, stamp


def _entry(where: tuple[str, str]):
    """The traversable or path of a located scenario."""
    kind, ref = where
    return _shipped() / f"{ref}.toml" if kind == "package" else Path(ref)


@functools.lru_cache(maxsize=64)
def _read(where: tuple[str, str], stamp: tuple[int, int]) -> dict:
    """Parse a scenario file (cached; callers must not mutate the result)."""
    entry = _entry(where)
    label = file_label(str(entry))
    try:
        text = entry.read_bytes().decode("utf-8")
    except OSError as err:
        raise ScenarioError(label, "(file)", "a readable file", show(str(err))) from None
    except UnicodeDecodeError as err:
        raise ScenarioError(label, "(file)", "UTF-8 text", show(str(err))) from None
    return parse_toml(text, label)


def load_scenario_data(name_or_path: str | os.PathLike) -> dict:
    """The parsed (not yet validated) data of a scenario, as a fresh copy.

    Useful to build variants in code, e.g. the Hypothesis strategies in tests/strategies.py.
    """
    return copy.deepcopy(_read(*_locate(name_or_path)))


# --------------------------------------------------------------------------------------------
# Loading, cached
# --------------------------------------------------------------------------------------------


class _Overrides:
    """Overrides as a cache key: equal only if keys, order, values and value types agree."""

    def __init__(self, items: tuple[tuple[str, object], ...]):
        self.items = items
        # The type goes into the key so that True, 1 and 1.0 stay different overrides.
        self.key = tuple((k, _freeze(v)) for k, v in items)
        self.hash = hash(self.key)  # raises TypeError for unhashable values

    def __hash__(self) -> int:
        return self.hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Overrides) and self.key == other.key


def _freeze(value: object) -> object:
    """A hashable, type-tagged image of an override value."""
    if isinstance(value, Mapping):
        return ("table", tuple((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (type(value).__name__, tuple(_freeze(v) for v in value))
    return (type(value).__name__, value)


@functools.lru_cache(maxsize=512)
def _load(where: tuple[str, str], stamp: tuple[int, int], overrides: _Overrides) -> Scenario:
    """Read, override and validate a scenario (cached on file, stamp and overrides)."""
    return _build(where, stamp, dict(overrides.items))


def _build(where, stamp, overrides: Mapping[str, object]) -> Scenario:
    """Read, override and validate a scenario, blaming ``--set`` for overridden values."""
    data, applied = apply_tracked(_read(where, stamp), overrides)
    try:
        return from_dict(data, str(_entry(where)))
    except ScenarioError as err:
        raise blame_override(err, applied) from None


def load_scenario(
    name_or_path: str | os.PathLike, overrides: Mapping[str, object] | None = None
) -> Scenario:
    """Load, override and validate a scenario.

    Results are cached on (file, modification time, overrides), so batch experiments can call
    this thousands of times; the returned Scenario is shared between callers and must be
    treated as read-only (it is frozen, but its ``seats`` and ``committee_sizes`` are dicts).

    Args:
        name_or_path: A shipped scenario's name (no slash, no ``.toml``; see
            available_scenarios) or a path to a TOML file.
        overrides: Dotted path -> value, as described in apply_overrides.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: For a missing file, a TOML syntax error, an invalid value or a bad
            override, in one line naming the file (or ``--set``) and the field path.
    """
    where, stamp = _locate(name_or_path)
    items = tuple((overrides or {}).items())
    try:
        key = _Overrides(items)
    except TypeError:  # an unhashable override value: load without the cache
        return _build(where, stamp, dict(items))
    return _load(where, stamp, key)
