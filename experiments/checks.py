"""One-line messages for invalid experiment files, in the form sim's scenario errors take.

``FILE: FIELD.PATH: expected WHAT, got VALUE``, with VALUE written as in TOML, so that a user
sees the same kind of message for a bad experiment as for a bad scenario or ``--set``.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

from sim import ScenarioError
from sim.scenario_errors import MISSING, one_of, parse_toml, show  # as scenarios report


class Checker:
    """Typed getters that raise ScenarioError naming the experiment file and field path."""

    def __init__(self, file: str):
        self.file = file

    def fail(self, path: str, expected: str, got: object) -> NoReturn:
        """Raise the one-line error for the value ``got`` at ``path``."""
        raise ScenarioError(self.file, path or "(top level)", expected, show(got))

    def keys(self, table: Mapping, where: str, allowed: tuple[str, ...]) -> None:
        """Reject keys outside ``allowed`` (typos would otherwise be silently ignored)."""
        for key in table:
            if key not in allowed:
                self.fail(f"{where}.{key}" if where else key, one_of(allowed), key)

    def table(self, value: object, where: str, allowed: tuple[str, ...]) -> Mapping[str, Any]:
        """Check that ``value`` is a table with only ``allowed`` keys."""
        if not isinstance(value, Mapping):
            self.fail(where, "a table", value)
        self.keys(value, where, allowed)
        return value

    def _get(self, table: Mapping, path: str, default: object) -> object:
        return table.get(path.rpartition(".")[2], default)

    def text(self, table: Mapping, path: str, default: object = MISSING) -> str:
        """A non-empty string."""
        value = self._get(table, path, default)
        if not isinstance(value, str) or not value.strip():
            self.fail(path, "a non-empty string", value)
        return value

    def integer(
        self, table: Mapping, path: str, lo: int, default: object = MISSING, hi: int | None = None
    ) -> int:
        """An integer >= ``lo`` (and <= ``hi``, if given)."""
        value = self._get(table, path, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < lo:
            expected = {0: "a non-negative integer", 1: "a positive integer"}.get(lo)
            self.fail(path, expected or f"an integer >= {lo}", value)
        if hi is not None and value > hi:
            self.fail(path, f"an integer in [{lo}, {hi}]", value)
        return value

    def boolean(self, table: Mapping, path: str, default: object = MISSING) -> bool:
        """A boolean (true or false)."""
        value = self._get(table, path, default)
        if not isinstance(value, bool):
            self.fail(path, "true or false", value)
        return value


def read_toml(path: Path) -> dict:
    """Read and parse a TOML file, with the one-line errors of scenario files."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(path.name, "(file)", "a readable UTF-8 file", show(str(err))) from None
    return parse_toml(text, path.name)
