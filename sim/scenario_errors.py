"""ScenarioError, and how its one-line messages show files, field paths and values.

Every problem with a scenario, whether in the file or in a ``--set`` override, is reported as
``FILE: FIELD.PATH: expected WHAT, got REPR``. The helpers here render the parts of such a
message; the checks themselves live in sim.scenario_fields and sim.scenario_checks.
"""

import json
import numbers
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

Loc = tuple[str | int, ...]
"""Where a value sits in the scenario tree, e.g. ``("regions", 3, "seats", "DP")``."""

OVERRIDE_FILE = "--set"
"""The FILE part of errors caused by an override rather than by the scenario file."""


class ScenarioError(Exception):
    """A scenario that cannot be used, explained in one line.

    The message reads ``FILE: FIELD.PATH: expected WHAT, got REPR``, for example
    ``season2_2020.toml: regions[3].seats.DP: expected an integer in [0, 3000], got "x"``.
    FILE is the scenario file's name, or ``--set`` when an override is to blame.

    Attributes:
        file: The file's name, or ``--set``.
        path: The field path as shown (``regions[3].seats.DP``, or the override key).
        expected: What a valid value would be.
        got: The offending value, rendered TOML-style.
        loc: The field path as a tuple, when the error concerns a field of the tree.
    """

    def __init__(self, file: str, path: str, expected: str, got: str, loc: Loc | None = None):
        self.file = file
        self.path = path
        self.expected = expected
        self.got = got
        self.loc = loc
        super().__init__(_one_line(f"{file}: {path}: expected {expected}, got {got}"))

    def __reduce__(self):
        # Batch runs pickle errors across processes; rebuild from the parts, not the message.
        return (type(self), (self.file, self.path, self.expected, self.got, self.loc))


class _Missing:
    """Marker for a key that is absent; shown as ``nothing`` in messages."""

    def __repr__(self) -> str:
        return "nothing"


MISSING: Any = _Missing()
"""The value of an absent key (reported as ``got nothing``)."""

_SHOW_LIMIT = 60  # characters of an offending value kept in a message
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


def file_label(source: str | os.PathLike) -> str:
    """The FILE part of messages: the base name of the source."""
    return os.path.basename(os.fspath(source)) or os.fspath(source) or "scenario"


def one_of(choices: Iterable[object]) -> str:
    """The ``one of: a, b, c`` phrase of a message."""
    return "one of: " + ", ".join(str(c) for c in choices)


def show(value: object) -> str:
    """Render a value TOML-style for a message: strings quoted, booleans lower-case."""
    text = toml_value(value)
    if len(text) > _SHOW_LIMIT:
        text = text[: _SHOW_LIMIT - 3] + "..."
    return text


def fmt_loc(loc: Loc) -> str:
    """Format a location tuple as ``regions[3].seats.DP``."""
    out = ""
    for step in loc:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += ("." if out else "") + toml_key(step)
    return out or "(top level)"


def _one_line(text: str) -> str:
    """Collapse line breaks so that every message stays on one line."""
    return " ".join(text.split("\n"))


def toml_value(value: object) -> str:
    """TOML text of a parsed value, in messages and in the files sim.scale writes.

    Strings are JSON-quoted, which TOML reads as basic strings; a value TOML cannot hold (other
    than the absent-key marker, shown as ``nothing``) is shown by its type and repr.
    """
    if value is MISSING:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        inner = ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, numbers.Number):
        return repr(value)
    return f"{type(value).__name__} {value!r}"


def toml_key(key: object) -> str:
    """A key as written in a path or a TOML file: bare when plain, quoted otherwise."""
    text = str(key)
    return text if _PLAIN_KEY.fullmatch(text) else json.dumps(text, ensure_ascii=False)


def parse_toml(text: str, label: str) -> dict:
    """Parse TOML; a syntax error becomes ``LABEL: line L, column C: expected valid TOML, got ...``.

    Shared by scenario, experiment and validation files, so that all report it the same way.
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        found = re.search(r"\s*\(at (line \d+, column \d+|end of document)\)$", message)
        where = found.group(1) if found else "(syntax)"
        reason = message[: found.start()] if found else message
        raise ScenarioError(label, where, "valid TOML", reason) from None
