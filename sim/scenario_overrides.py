"""Overrides (``--set KEY=VALUE``): change values of a parsed scenario before it is checked.

An override key is a dotted path from the scenario root, checked against a schema built from
the dataclasses of sim.scenario_types. Arrays of tables are addressed by code (``named`` by
name) or index. Values are not checked here: from_dict checks them like any value of the
file, and blame_override then names the override, not the file, as the culprit.
"""

import copy
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import fields
from typing import Any

from sim.parameters import Parameters
from sim.scenario_errors import OVERRIDE_FILE, Loc, ScenarioError, fmt_loc, one_of, show
from sim.scenario_fields import named_key
from sim.scenario_types import (
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
    table_keys,
)


def apply_tracked(
    data: Mapping, overrides: Mapping[str, object] | None
) -> tuple[dict, list[tuple[Loc, str]]]:
    """Apply overrides to a deep copy; also return ``(location, key)`` of each."""
    out = copy.deepcopy(dict(data))
    applied = []
    for key, value in (overrides or {}).items():
        path = _normal_key(key)
        applied.append((_set(out, path, _override_value(value)), path))
    return out, applied


def apply_overrides(data: Mapping[str, Any], overrides: Mapping[str, object]) -> dict:
    """Return a copy of ``data`` with overrides applied (``data`` is left untouched).

    Keys are dotted paths from the scenario root; ``__`` may stand for ``.``. Array entries
    are addressed by code (``named`` by name, spaces as ``_``, any case) or by index, e.g.
    ``parties.DP.discipline``, ``regions.busan.seats.DP``, ``named.kim_tae-nyeon.role``,
    ``parameters.timing.blame_weight`` or ``elections.0.date``. String values are read as
    TOML values (``2023-06-01`` is a date, ``0.9`` a float, ``IBK`` stays a string); other
    values are used as they are. Values are validated later, by from_dict.

    Args:
        data: A parsed scenario.
        overrides: Path -> value.

    Returns:
        The new data.

    Raises:
        ScenarioError: (file ``--set``) if a path does not exist in the schema or the data.
    """
    return apply_tracked(data, overrides)[0]


def parse_set_options(items: Iterable[str]) -> dict[str, str]:
    """Turn CLI ``--set KEY=VALUE`` strings into an overrides mapping (later keys win).

    Raises:
        ScenarioError: If an item has no ``=`` or an empty key.
    """
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ScenarioError(
                OVERRIDE_FILE,
                item or '""',
                "KEY=VALUE, e.g. parties.DP.discipline=0.9",
                show(item),
            )
        out[key.strip()] = value.strip()
    return out


def blame_override(err: ScenarioError, applied: list[tuple[Loc, str]]) -> ScenarioError:
    """Re-label a validation error as ``--set`` when an override put the bad value there."""
    if err.loc is None:
        return err
    for loc, key in reversed(applied):
        if err.loc[: len(loc)] == loc:
            tail = fmt_loc(err.loc[len(loc) :]) if len(err.loc) > len(loc) else ""
            path = key + ("" if not tail else tail if tail.startswith("[") else "." + tail)
            return ScenarioError(OVERRIDE_FILE, path, err.expected, err.got, err.loc)
    return err


# --------------------------------------------------------------------------------------------
# Paths and the schema they follow
# --------------------------------------------------------------------------------------------


class _List:
    """Schema node of an array of tables whose entries are addressed by code (or name)."""

    def __init__(self, element: dict, by: str = "code"):
        self.element = element
        self.by = by

    def label(self, item: object) -> str | None:
        """The address of one entry (None if it has none)."""
        if not isinstance(item, Mapping) or not isinstance(item.get(self.by), str):
            return None
        return named_key(item[self.by]) if self.by == "name" else item[self.by]

    def find(self, items: list, segment: str) -> int | None:
        """Index of the entry addressed by ``segment``: its code (name) or an integer index."""
        wanted = segment.lower() if self.by == "name" else segment
        for i, item in enumerate(items):
            if self.label(item) == wanted:
                return i
        if segment.isdigit() and int(segment) < len(items):
            return int(segment)
        return None

    def choices(self, items: list) -> str:
        """The phrase listing valid addresses."""
        labels = [label for item in items if (label := self.label(item)) is not None]
        index = f"an index 0-{len(items) - 1}" if items else "no index (the array is empty)"
        return f"{one_of(labels)} or {index}" if labels else index


_OPEN = "open"  # schema node of a table with free keys (a region's seats by party)


def _leaves(cls) -> dict[str, Any]:
    """Schema node of a table whose fields are all plain values."""
    return dict.fromkeys(table_keys(cls))


_SCHEMA: dict[str, Any] = {
    **_leaves(Scenario),
    "executive": _leaves(Executive),
    "elections": _List({**_leaves(Election), "seats": _OPEN, "region_seats": _OPEN}),
    "parties": _List({**_leaves(Party), "renamed": _List(_leaves(Renaming), by=None)}),
    "regions": _List({**_leaves(Region), "seats": _OPEN}),
    "institutions": _List(_leaves(Institution)),
    "named": _List(_leaves(NamedLawmaker), by="name"),
    "unions": _List(_leaves(Union)),
    "ministries": _List(_leaves(Ministry)),
    "factions": _List(_leaves(Faction)),
    "bills": _List({**_leaves(TabledBill), "whip": _OPEN}),
    "events": _List(_leaves(Event), by=None),
    "committee_sizes": _OPEN,
    "parameters": {
        f.name: _leaves(type(getattr(Parameters(), f.name))) for f in fields(Parameters)
    },
}


def _is_table(node: object) -> bool:
    """Whether a schema node stands for a table (fixed or free keys)."""
    return isinstance(node, dict) or node == _OPEN


def _override_value(value: object) -> object:
    """A string is read as a TOML value (falling back to the plain string); others as given."""
    if isinstance(value, str):
        try:
            return tomllib.loads("v = " + value)["v"]
        except tomllib.TOMLDecodeError:
            return value
    return copy.deepcopy(value)


def _normal_key(key: object) -> str:
    """Check an override key and turn the ``__`` alias into dots."""
    if not isinstance(key, str):
        raise ScenarioError(OVERRIDE_FILE, show(key), "a dotted path (a string)", show(key))
    path = key.strip().replace("__", ".")
    if not path or any(not part for part in path.split(".")):
        raise ScenarioError(
            OVERRIDE_FILE, path or '""', "a dotted path such as parties.DP.discipline", show(key)
        )
    return path


def _set(data: dict, path: str, value: object) -> Loc:
    """Set ``value`` at the dotted ``path`` of ``data`` (in place); return its location.

    Missing tables along a valid path are created, so that e.g. ``parameters.timing.x`` works
    when the file has no ``[parameters]`` table; array entries must exist.
    """
    segments = path.split(".")
    node: Any = _SCHEMA
    here: Any = data
    loc: Loc = ()
    for depth, segment in enumerate(segments):
        shown = ".".join(segments[:depth]) or "the top level"
        if isinstance(node, _List):
            if not isinstance(here, list):
                raise ScenarioError(OVERRIDE_FILE, path, f"an array at {shown}", show(here))
            step = node.find(here, segment)
            if step is None:
                raise ScenarioError(OVERRIDE_FILE, path, node.choices(here), show(segment))
            child = node.element
        elif _is_table(node):
            if not isinstance(here, dict):
                raise ScenarioError(OVERRIDE_FILE, path, f"a table at {shown}", show(here))
            if isinstance(node, dict) and segment not in node:
                raise ScenarioError(OVERRIDE_FILE, path, one_of(node), show(segment))
            step = segment
            child = node[segment] if isinstance(node, dict) else None
        else:
            raise ScenarioError(OVERRIDE_FILE, path, f"a path that ends at {shown}", show(segment))
        loc = (*loc, step)
        if depth == len(segments) - 1:
            here[step] = value
            return loc
        if isinstance(here, dict) and step not in here and _is_table(child):
            here[step] = {}
        node = child
        here = here[step] if isinstance(here, list) or step in here else None
    raise AssertionError("unreachable")  # the loop returns at the last segment
