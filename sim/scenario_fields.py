"""Checks of single values: typed getters that read one key of a parsed TOML table.

Each getter of FieldChecker returns the value of a key if it has the right type and range,
and otherwise raises ScenarioError naming the key's exact path, what was expected and what
was found. sim.scenario_checks builds the scenario's tables out of these getters.
"""

import math
import numbers
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, NoReturn

from sim.scenario_errors import MISSING, Loc, ScenarioError, fmt_loc, one_of, show

REQUIRED: Any = object()
"""Default that marks a required key."""

_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_CODE_RULE = "a letter, then letters, digits, _ or -"
_CODE_TEXT = f"a code ({_CODE_RULE})"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class FieldChecker:
    """Typed getters that raise ScenarioError at the exact field path.

    Every getter takes the table, the key and the table's location; an absent key takes the
    default, or reports ``got nothing`` when the key is required.
    """

    def __init__(self, file: str):
        self.file = file

    def fail(self, loc: Loc, expected: str, got: object) -> NoReturn:
        """Raise the error for the value ``got`` at ``loc``."""
        raise ScenarioError(self.file, fmt_loc(loc), expected, show(got), loc)

    def table(self, value: object, loc: Loc, allowed: Iterable[str]) -> Mapping[str, Any]:
        """Check that ``value`` is a table whose keys all belong to ``allowed``."""
        allowed = tuple(allowed)
        if not isinstance(value, Mapping):
            self.fail(loc, "a table", value)
        for key in value:
            if key not in allowed:
                self.fail((*loc, key), one_of(allowed), key)
        return value

    def tables(self, tbl: Mapping, key: str, loc: Loc, nonempty: bool) -> list[Mapping]:
        """An array of tables (``[[key]]``); absent means empty unless ``nonempty``."""
        value = tbl.get(key, MISSING if nonempty else [])
        where = (*loc, key)
        if not isinstance(value, list):
            self.fail(where, f"an array of tables ([[{key}]])", value)
        if nonempty and not value:
            self.fail(where, f"at least one [[{key}]] table", value)
        return value

    def value(self, tbl: Mapping, key: str, default: object) -> object:
        """The raw value of ``key``, its default, or MISSING for a required key."""
        if key in tbl:
            return tbl[key]
        return MISSING if default is REQUIRED else default

    def text(self, tbl: Mapping, key: str, loc: Loc, default=REQUIRED, nonempty=False) -> str:
        """A string (non-empty if asked)."""
        value = self.value(tbl, key, default)
        if not isinstance(value, str) or (nonempty and not value.strip()):
            self.fail((*loc, key), "a non-empty string" if nonempty else "a string", value)
        return value

    def code(self, tbl: Mapping, key: str, loc: Loc, default=REQUIRED, what="a code") -> str:
        """An identifier usable in dotted override paths (no dots, no spaces, no ``__``).

        ``what`` names the value in the message, for a party's label, which follows the rules
        of the code it is shown in place of.
        """
        value = self.value(tbl, key, default)
        if not is_code(value):
            self.fail((*loc, key), f"{what} ({_CODE_RULE})", value)
        return value

    def choice(self, tbl: Mapping, key: str, loc: Loc, choices, default=REQUIRED) -> str:
        """A string out of ``choices``."""
        value = self.value(tbl, key, default)
        if not isinstance(value, str) or value not in choices:
            self.fail((*loc, key), one_of(choices), value)
        return value

    def ref(self, tbl: Mapping, key: str, loc: Loc, known, what: str, blank=False) -> str:
        """A reference to one of ``known`` codes; ``""`` too if ``blank``."""
        value = self.value(tbl, key, "" if blank else REQUIRED)
        if not isinstance(value, str) or (value not in known and not (blank and value == "")):
            choices = ['""', *known] if blank else known
            self.fail((*loc, key), f"{what}, {one_of(choices)}", value)
        return value

    def refs(self, tbl: Mapping, key: str, loc: Loc, known, what: str, nonempty=False):
        """An array of distinct references to ``known`` codes."""
        value = self.value(tbl, key, REQUIRED if nonempty else [])
        where = (*loc, key)
        if not isinstance(value, list) or (nonempty and not value):
            self.fail(where, f"a {'non-empty ' if nonempty else ''}array of {what}s", value)
        for i, item in enumerate(value):
            if not isinstance(item, str) or item not in known:
                self.fail((*where, i), f"{_a(what)}, {one_of(known)}", item)
            if item in value[:i]:
                self.fail((*where, i), f"{_a(what)} not already listed", item)
        return tuple(value)

    def codes(self, tbl: Mapping, key: str, loc: Loc) -> tuple[str, ...]:
        """An array of distinct free-form codes (clusters, caucuses); absent means empty."""
        value = self.value(tbl, key, [])
        where = (*loc, key)
        if not isinstance(value, list):
            self.fail(where, f"an array of codes ({_CODE_RULE})", value)
        for i, item in enumerate(value):
            if not is_code(item):
                self.fail((*where, i), _CODE_TEXT, item)
            if item in value[:i]:
                self.fail((*where, i), "a code not already listed", item)
        return tuple(value)

    def boolean(self, tbl: Mapping, key: str, loc: Loc, default=REQUIRED) -> bool:
        """``true`` or ``false`` (numbers are not booleans)."""
        value = self.value(tbl, key, default)
        if not isinstance(value, bool):
            self.fail((*loc, key), "true or false", value)
        return value

    def integer(self, tbl, key, loc, lo=None, hi=None, default=REQUIRED) -> int:
        """An integer in [lo, hi]; booleans and floats are refused."""
        value = self.value(tbl, key, default)
        ok = isinstance(value, numbers.Integral) and not _is_bool(value)
        if not ok or _outside(value, lo, hi):
            self.fail((*loc, key), _range_text("integer", lo, hi), value)
        return int(value)

    def number(self, tbl, key, loc, lo=None, hi=None, default=REQUIRED, positive=False):
        """A finite number in [lo, hi] (or > 0 if ``positive``), returned as float."""
        value = self.value(tbl, key, default)
        ok = isinstance(value, numbers.Real) and not _is_bool(value) and math.isfinite(value)
        if not ok or _outside(value, lo, hi) or (positive and value <= 0):
            self.fail((*loc, key), _range_text("number", lo, hi, positive), value)
        return float(value)

    def day(self, tbl: Mapping, key: str, loc: Loc) -> date:
        """A date: a TOML local date, a ``datetime.date`` or an ISO ``YYYY-MM-DD`` string."""
        value = self.value(tbl, key, REQUIRED)
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str) and _ISO_DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fail((*loc, key), "a date (YYYY-MM-DD)", value)


def is_code(value: object) -> bool:
    """Whether ``value`` can serve as a code in dotted paths."""
    return isinstance(value, str) and bool(_CODE.fullmatch(value)) and "__" not in value


def named_key(name: object) -> str:
    """How an override addresses a named actor: spaces become ``_``, case is ignored."""
    return "_".join(str(name).split()).lower()


def _a(noun: str) -> str:
    """The noun with its indefinite article."""
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _range_text(kind: str, lo: float | None, hi: float | None, positive: bool = False) -> str:
    """Describe an allowed numeric range, e.g. ``a number in [0, 1]``."""
    article = "an" if kind == "integer" else "a"
    if positive:
        return f"a positive {kind}"
    if lo is not None and hi is not None:
        if kind == "integer":  # written out: 1000000, not 1e+06
            return f"an integer in [{lo}, {hi}]"
        return f"{article} {kind} in [{lo:g}, {hi:g}]"
    if lo == 0:
        return f"a non-negative {kind}"
    if lo == 1 and kind == "integer":
        return "a positive integer"
    if lo is not None:
        return f"{article} {kind} >= {lo:g}"
    if hi is not None:
        return f"{article} {kind} <= {hi:g}"
    return f"{article} {kind}"


def _outside(value: float, lo: float | None, hi: float | None) -> bool:
    """Whether a number falls outside the inclusive bounds (None = unbounded)."""
    return (lo is not None and value < lo) or (hi is not None and value > hi)


def _is_bool(value: object) -> bool:
    """True for Python and NumPy booleans (which must not count as numbers)."""
    return isinstance(value, bool) or type(value).__name__ == "bool_"
