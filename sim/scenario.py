"""Scenario data: typed, frozen objects read from TOML files (schema: docs/scenario.md).

A scenario holds the data of one historical setting (calendar, elections, parties, regions,
institutions, lawmakers, unions, ministries) and the mechanism parameters. Everything a run
depends on is here, so that ``sim.run(scenario, seed=...)`` is a pure function.
"""

import copy
import functools
import json
import math
import numbers
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

from sim.parameters import Parameters

ELECTION_KINDS = ("by", "general", "presidential", "local")
HUB_STATUSES = ("designated", "pledged", "none")
ROLES = ("leader", "floor_leader", "committee_chair", "member")
COMMITTEES = ("national_policy", "land_transport")
MINISTRY_ROLES = ("coordinator", "drafter", "competent", "budget", "deliberation")


@dataclass(frozen=True)
class Election:
    """A dated election and what its result does to the executive.

    Attributes:
        code: Identifier, e.g. ``"presidential_2022"``.
        kind: One of ELECTION_KINDS.
        date: Polling day.
        weight: How much this election counts on the executive's blame-avoidance clock (0-1).
        p_ruling_win: Probability that the ruling party keeps (or, for by/local, wins) it.
    """

    code: str
    kind: str
    date: date
    weight: float
    p_ruling_win: float


@dataclass(frozen=True)
class Party:
    """A party (or bloc with its satellite) in the National Assembly.

    Attributes:
        code: Short code used everywhere else (``"DP"``).
        name: Full name.
        seats: All seats, constituency plus proportional.
        discipline: Susceptibility of members to party influence, 0-1.
        cohesion: Density multiplier of within-party ties, 0-1.
        pledge: The leadership's support for announcing relocation now, 0-1.
        labour_ties: Share of members with labour-union ties, 0-1.
    """

    code: str
    name: str
    seats: int
    discipline: float
    cohesion: float
    pledge: float
    labour_ties: float


@dataclass(frozen=True)
class Region:
    """A province or metropolitan city.

    Attributes:
        code: Identifier (``"busan"``).
        name: Display name.
        seats: Constituency seats by party code.
        head_party: Party code of the governor or mayor (``""`` if vacant or independent).
        clusters: Sector clusters the region is built around (``"finance"``, ``"maritime"``...).
        financial_hub: One of HUB_STATUSES.
        lobbying_capacity: Relative lobbying capacity (1 = typical region).
        receives: Whether the region can receive institutions (False for the capital region).
        lon: Approximate longitude, for schematic maps.
        lat: Approximate latitude.
    """

    code: str
    name: str
    seats: dict[str, int]
    head_party: str
    clusters: tuple[str, ...]
    financial_hub: str
    lobbying_capacity: float
    receives: bool
    lon: float
    lat: float


@dataclass(frozen=True)
class Institution:
    """A relocatable public institution, or a pool of ``count`` similar ones.

    Attributes:
        code: Identifier (``"KDB"``); pool members are expanded as ``code_01``, ``code_02``...
        name: Display name.
        staff: Head-office staff (for a pool, the pool's total).
        sector: Sector, matched against region clusters.
        ministry: Code of the competent ministry.
        hq_act: Name of the Act that fixes the HQ in Seoul, or ``""`` if none.
        bids: Region codes that openly bid for it.
        count: Number of institutions this entry stands for.
    """

    code: str
    name: str
    staff: int
    sector: str
    ministry: str
    hq_act: str
    bids: tuple[str, ...]
    count: int


@dataclass(frozen=True)
class NamedLawmaker:
    """A named actor placed at a real role and district.

    Attributes:
        name: Name as romanised in the press.
        party: Party code.
        region: Region code of the district (for an unseated actor, their political base).
        district: District name, or ``""``.
        role: One of ROLES.
        seated: False for party officials who hold no seat (not counted in votes).
        committees: Committee codes (subset of COMMITTEES).
        caucuses: Caucus names; members of one caucus are tied to each other.
        labour_ties: Whether unions can press this member.
    """

    name: str
    party: str
    region: str
    district: str
    role: str
    seated: bool
    committees: tuple[str, ...]
    caucuses: tuple[str, ...]
    labour_ties: bool


@dataclass(frozen=True)
class Union:
    """A labour union that resists moving its institution(s).

    Attributes:
        code: Identifier.
        name: Display name.
        institutions: Institution codes it defends (an umbrella union lists many).
        members: Membership.
        strength: Organisational strength, 0-1.
    """

    code: str
    name: str
    institutions: tuple[str, ...]
    members: int
    strength: float


@dataclass(frozen=True)
class Ministry:
    """A central-government body in the decision.

    Attributes:
        code: Identifier (``"MOLIT"``).
        name: Display name.
        role: One of MINISTRY_ROLES.
        capability: Bargaining capability, relative.
        salience: Salience of the relocation decision to it, 0-1.
        position: Its own preferred timing and scope, 0 (defer) to 100 (announce all now).
    """

    code: str
    name: str
    role: str
    capability: float
    salience: float
    position: float


@dataclass(frozen=True)
class Scenario:
    """One complete, validated scenario.

    Attributes:
        name: Scenario name (the file's stem for shipped scenarios).
        title: One-line title.
        start: First simulated Monday.
        horizon: Last simulated day; weekly ticks run from start to horizon.
        executive: Party code of the president's party at the start.
        challenger: Party code that takes the executive if the ruling party loses.
        elections: Elections on or after start, in date order (one dated after the horizon
            is allowed and simply never happens in the run).
        parties: Parties of the Assembly.
        regions: Regions, the capital region included.
        institutions: Relocatable institutions and pools.
        committee_sizes: Seats on each committee in COMMITTEES.
        named: Named lawmakers and party officials.
        unions: Unions.
        ministries: Ministries and presidential bodies.
        flagship: Institution code a new government designates first, or ``""``.
        flagship_region: Region the flagship goes to.
        flagship_party: Party whose leader pledged the flagship; it designates it once it
            holds the executive (``""`` without a flagship).
        parameters: Mechanism parameters.
        source: Path of the TOML file the scenario came from (for error messages).
    """

    name: str
    title: str
    start: date
    horizon: date
    executive: str
    challenger: str
    elections: tuple[Election, ...]
    parties: tuple[Party, ...]
    regions: tuple[Region, ...]
    institutions: tuple[Institution, ...]
    committee_sizes: dict[str, int]
    named: tuple[NamedLawmaker, ...]
    unions: tuple[Union, ...]
    ministries: tuple[Ministry, ...]
    flagship: str
    flagship_region: str
    flagship_party: str
    parameters: Parameters
    source: str = ""

    def election(self, code: str) -> Election:
        """Return the election with this code; KeyError if there is none."""
        return _by_code(self.elections, code)

    def party(self, code: str) -> Party:
        """Return the party with this code; KeyError if there is none."""
        return _by_code(self.parties, code)

    def region(self, code: str) -> Region:
        """Return the region with this code; KeyError if there is none."""
        return _by_code(self.regions, code)

    def institution(self, code: str) -> Institution:
        """Return the institution (or pool) with this code; KeyError if there is none."""
        return _by_code(self.institutions, code)

    def constituency_seats(self) -> dict[str, int]:
        """Constituency seats of each party, summed over regions."""
        totals = dict.fromkeys((p.code for p in self.parties), 0)
        for region in self.regions:
            for party, seats in region.seats.items():
                totals[party] += seats
        return totals

    def proportional_seats(self) -> dict[str, int]:
        """Proportional (list) seats of each party: its seats minus its constituency seats."""
        constituency = self.constituency_seats()
        return {p.code: p.seats - constituency[p.code] for p in self.parties}


def _by_code(items, code):
    """Find the item whose ``code`` is ``code`` (the lookups of Scenario)."""
    for item in items:
        if item.code == code:
            return item
    raise KeyError(code)


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------

Loc = tuple[str | int, ...]
"""Where a value sits in the scenario tree, e.g. ``("regions", 3, "seats", "DP")``."""

OVERRIDE_FILE = "--set"
"""The FILE part of errors caused by an override rather than by the scenario file."""


class ScenarioError(Exception):
    """A scenario that cannot be used, explained in one line.

    The message reads ``FILE: FIELD.PATH: expected WHAT, got REPR``, for example
    ``season2_2020.toml: regions[3].seats.DP: expected a non-negative integer, got "x"``.
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


_MISSING: Any = _Missing()
_REQUIRED: Any = object()  # default marking a required key
_SHOW_LIMIT = 60  # characters of an offending value kept in a message
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _one_line(text: str) -> str:
    """Collapse line breaks so that every message stays on one line."""
    return " ".join(text.split("\n"))


def _show(value: object) -> str:
    """Render a value TOML-style for a message: strings quoted, booleans lower-case."""
    text = _toml_repr(value)
    if len(text) > _SHOW_LIMIT:
        text = text[: _SHOW_LIMIT - 3] + "..."
    return text


def _toml_repr(value: object) -> str:
    """TOML-like text of a parsed value (used only for messages)."""
    if value is _MISSING:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_fmt_key(k)} = {_toml_repr(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_repr(v) for v in value) + "]"
    if isinstance(value, numbers.Number):
        return repr(value)
    return f"{type(value).__name__} {value!r}"


def _fmt_key(key: object) -> str:
    """A key as written in a path: bare when plain, quoted otherwise."""
    text = str(key)
    return text if _PLAIN_KEY.fullmatch(text) else json.dumps(text, ensure_ascii=False)


def _fmt_loc(loc: Loc) -> str:
    """Format a location tuple as ``regions[3].seats.DP``."""
    out = ""
    for step in loc:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += ("." if out else "") + _fmt_key(step)
    return out or "(top level)"


# --------------------------------------------------------------------------------------------
# Field checks
# --------------------------------------------------------------------------------------------

_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_CODE_RULE = "a letter, then letters, digits, _ or -"
_CODE_TEXT = f"a code ({_CODE_RULE})"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _a(noun: str) -> str:
    """The noun with its indefinite article."""
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _one_of(choices: Iterable[object]) -> str:
    """The ``one of: a, b, c`` phrase of a message."""
    return "one of: " + ", ".join(str(c) for c in choices)


def _range_text(kind: str, lo: float | None, hi: float | None, positive: bool = False) -> str:
    """Describe an allowed numeric range, e.g. ``a number in [0, 1]``."""
    article = "an" if kind == "integer" else "a"
    if positive:
        return f"a positive {kind}"
    if lo is not None and hi is not None:
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


class _Checker:
    """Typed getters that raise ScenarioError at the exact field path.

    Every getter takes the table, the key and the table's location; an absent key takes the
    default, or reports ``got nothing`` when the key is required.
    """

    def __init__(self, file: str):
        self.file = file

    def fail(self, loc: Loc, expected: str, got: object) -> NoReturn:
        """Raise the error for the value ``got`` at ``loc``."""
        raise ScenarioError(self.file, _fmt_loc(loc), expected, _show(got), loc)

    def table(self, value: object, loc: Loc, allowed: Iterable[str]) -> Mapping[str, Any]:
        """Check that ``value`` is a table whose keys all belong to ``allowed``."""
        allowed = tuple(allowed)
        if not isinstance(value, Mapping):
            self.fail(loc, "a table", value)
        for key in value:
            if key not in allowed:
                self.fail((*loc, key), _one_of(allowed), key)
        return value

    def tables(self, tbl: Mapping, key: str, loc: Loc, nonempty: bool) -> list[Mapping]:
        """An array of tables (``[[key]]``); absent means empty unless ``nonempty``."""
        value = tbl.get(key, _MISSING if nonempty else [])
        where = (*loc, key)
        if not isinstance(value, list):
            self.fail(where, f"an array of tables ([[{key}]])", value)
        if nonempty and not value:
            self.fail(where, f"at least one [[{key}]] table", value)
        return value

    def value(self, tbl: Mapping, key: str, default: object) -> object:
        """The raw value of ``key``, its default, or _MISSING for a required key."""
        if key in tbl:
            return tbl[key]
        return _MISSING if default is _REQUIRED else default

    def text(self, tbl: Mapping, key: str, loc: Loc, default=_REQUIRED, nonempty=False) -> str:
        """A string (non-empty if asked)."""
        value = self.value(tbl, key, default)
        if not isinstance(value, str) or (nonempty and not value.strip()):
            self.fail((*loc, key), "a non-empty string" if nonempty else "a string", value)
        return value

    def code(self, tbl: Mapping, key: str, loc: Loc, default=_REQUIRED) -> str:
        """An identifier usable in dotted override paths (no dots, no spaces, no ``__``)."""
        value = self.value(tbl, key, default)
        if not _is_code(value):
            self.fail((*loc, key), _CODE_TEXT, value)
        return value

    def choice(self, tbl: Mapping, key: str, loc: Loc, choices, default=_REQUIRED) -> str:
        """A string out of ``choices``."""
        value = self.value(tbl, key, default)
        if not isinstance(value, str) or value not in choices:
            self.fail((*loc, key), _one_of(choices), value)
        return value

    def ref(self, tbl: Mapping, key: str, loc: Loc, known, what: str, blank=False) -> str:
        """A reference to one of ``known`` codes; ``""`` too if ``blank``."""
        value = self.value(tbl, key, "" if blank else _REQUIRED)
        if not isinstance(value, str) or (value not in known and not (blank and value == "")):
            choices = ['""', *known] if blank else known
            self.fail((*loc, key), f"{what}, {_one_of(choices)}", value)
        return value

    def refs(self, tbl: Mapping, key: str, loc: Loc, known, what: str, nonempty=False):
        """An array of distinct references to ``known`` codes."""
        value = self.value(tbl, key, _REQUIRED if nonempty else [])
        where = (*loc, key)
        if not isinstance(value, list) or (nonempty and not value):
            self.fail(where, f"a {'non-empty ' if nonempty else ''}array of {what}s", value)
        for i, item in enumerate(value):
            if not isinstance(item, str) or item not in known:
                self.fail((*where, i), f"{_a(what)}, {_one_of(known)}", item)
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
            if not _is_code(item):
                self.fail((*where, i), _CODE_TEXT, item)
            if item in value[:i]:
                self.fail((*where, i), "a code not already listed", item)
        return tuple(value)

    def boolean(self, tbl: Mapping, key: str, loc: Loc, default=_REQUIRED) -> bool:
        """``true`` or ``false`` (numbers are not booleans)."""
        value = self.value(tbl, key, default)
        if not isinstance(value, bool):
            self.fail((*loc, key), "true or false", value)
        return value

    def integer(self, tbl, key, loc, lo=None, hi=None, default=_REQUIRED) -> int:
        """An integer in [lo, hi]; booleans and floats are refused."""
        value = self.value(tbl, key, default)
        ok = isinstance(value, numbers.Integral) and not _is_bool(value)
        if not ok or _outside(value, lo, hi):
            self.fail((*loc, key), _range_text("integer", lo, hi), value)
        return int(value)

    def number(self, tbl, key, loc, lo=None, hi=None, default=_REQUIRED, positive=False):
        """A finite number in [lo, hi] (or > 0 if ``positive``), returned as float."""
        value = self.value(tbl, key, default)
        ok = isinstance(value, numbers.Real) and not _is_bool(value) and math.isfinite(value)
        if not ok or _outside(value, lo, hi) or (positive and value <= 0):
            self.fail((*loc, key), _range_text("number", lo, hi, positive), value)
        return float(value)

    def day(self, tbl: Mapping, key: str, loc: Loc) -> date:
        """A date: a TOML local date, a ``datetime.date`` or an ISO ``YYYY-MM-DD`` string."""
        value = self.value(tbl, key, _REQUIRED)
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str) and _ISO_DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fail((*loc, key), "a date (YYYY-MM-DD)", value)


def _outside(value: float, lo: float | None, hi: float | None) -> bool:
    """Whether a number falls outside the inclusive bounds (None = unbounded)."""
    return (lo is not None and value < lo) or (hi is not None and value > hi)


def _is_bool(value: object) -> bool:
    """True for Python and NumPy booleans (which must not count as numbers)."""
    return isinstance(value, bool) or type(value).__name__ == "bool_"


def _is_code(value: object) -> bool:
    """Whether ``value`` can serve as a code in dotted paths."""
    return isinstance(value, str) and bool(_CODE.fullmatch(value)) and "__" not in value


def _named_key(name: object) -> str:
    """How an override addresses a named actor: spaces become ``_``, case is ignored."""
    return "_".join(str(name).split()).lower()


def _unique(c: _Checker, items: list, attr: str, loc: Loc, key: str = "code") -> None:
    """Require distinct ``attr`` values, reporting the later duplicate."""
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        value = getattr(item, attr)
        ident = _named_key(value) if key == "name" else value
        if ident in seen:
            c.fail((*loc, i, key), f"a {key} not used by {_fmt_loc((*loc, seen[ident]))}", value)
        seen[ident] = i


def _keys(cls) -> tuple[str, ...]:
    """The TOML keys of a table: the fields of its dataclass (``source`` is not written)."""
    return tuple(f.name for f in fields(cls) if f.name != "source")


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def _election(c: _Checker, raw: object, loc: Loc, start: date) -> Election:
    """One ``[[elections]]`` table; its date may lie past the horizon, not before start."""
    t = c.table(raw, loc, _keys(Election))
    election = Election(
        code=c.code(t, "code", loc),
        kind=c.choice(t, "kind", loc, ELECTION_KINDS),
        date=c.day(t, "date", loc),
        weight=c.number(t, "weight", loc, 0, 1),
        p_ruling_win=c.number(t, "p_ruling_win", loc, 0, 1),
    )
    if election.date < start:
        c.fail((*loc, "date"), f"a date on or after start ({start.isoformat()})", election.date)
    return election


def _party(c: _Checker, raw: object, loc: Loc) -> Party:
    """One ``[[parties]]`` table."""
    t = c.table(raw, loc, _keys(Party))
    return Party(
        code=c.code(t, "code", loc),
        name=c.text(t, "name", loc, nonempty=True),
        seats=c.integer(t, "seats", loc, lo=0),
        discipline=c.number(t, "discipline", loc, 0, 1),
        cohesion=c.number(t, "cohesion", loc, 0, 1),
        pledge=c.number(t, "pledge", loc, 0, 1),
        labour_ties=c.number(t, "labour_ties", loc, 0, 1),
    )


def _seats(c: _Checker, raw: object, loc: Loc, parties: tuple[str, ...]) -> dict[str, int]:
    """A region's constituency seats: party code -> non-negative integer."""
    where = (*loc, "seats")
    if not isinstance(raw, Mapping):
        c.fail(where, "a table of constituency seats by party code", raw)
    for key in raw:
        if key not in parties:
            c.fail((*where, key), f"a party code, {_one_of(parties)}", key)
    return {key: c.integer(raw, key, where, lo=0) for key in raw}


def _region(c: _Checker, raw: object, loc: Loc, parties: tuple[str, ...]) -> Region:
    """One ``[[regions]]`` table."""
    t = c.table(raw, loc, _keys(Region))
    return Region(
        code=c.code(t, "code", loc),
        name=c.text(t, "name", loc, nonempty=True),
        seats=_seats(c, c.value(t, "seats", {}), loc, parties),
        head_party=c.ref(t, "head_party", loc, parties, "a party code", blank=True),
        clusters=c.codes(t, "clusters", loc),
        financial_hub=c.choice(t, "financial_hub", loc, HUB_STATUSES, default="none"),
        lobbying_capacity=c.number(t, "lobbying_capacity", loc, lo=0, default=1.0),
        receives=c.boolean(t, "receives", loc),
        lon=c.number(t, "lon", loc, -180, 180),
        lat=c.number(t, "lat", loc, -90, 90),
    )


def _ministry(c: _Checker, raw: object, loc: Loc) -> Ministry:
    """One ``[[ministries]]`` table."""
    t = c.table(raw, loc, _keys(Ministry))
    return Ministry(
        code=c.code(t, "code", loc),
        name=c.text(t, "name", loc, nonempty=True),
        role=c.choice(t, "role", loc, MINISTRY_ROLES),
        capability=c.number(t, "capability", loc, positive=True),
        salience=c.number(t, "salience", loc, 0, 1),
        position=c.number(t, "position", loc, 0, 100),
    )


def _institution(c: _Checker, raw: object, loc: Loc, ministries, receivers) -> Institution:
    """One ``[[institutions]]`` table (a single body, or a pool when count > 1)."""
    t = c.table(raw, loc, _keys(Institution))
    return Institution(
        code=c.code(t, "code", loc),
        name=c.text(t, "name", loc, nonempty=True),
        staff=c.integer(t, "staff", loc, lo=1),
        sector=c.code(t, "sector", loc),
        ministry=c.ref(t, "ministry", loc, ministries, "a ministry code"),
        hq_act=c.text(t, "hq_act", loc, default=""),
        bids=c.refs(t, "bids", loc, receivers, "receiving region code"),
        count=c.integer(t, "count", loc, lo=1, default=1),
    )


def _union(c: _Checker, raw: object, loc: Loc, institutions) -> Union:
    """One ``[[unions]]`` table."""
    t = c.table(raw, loc, _keys(Union))
    return Union(
        code=c.code(t, "code", loc),
        name=c.text(t, "name", loc, nonempty=True),
        institutions=c.refs(
            t, "institutions", loc, institutions, "institution code", nonempty=True
        ),
        members=c.integer(t, "members", loc, lo=1),
        strength=c.number(t, "strength", loc, 0, 1),
    )


def _lawmaker(c: _Checker, raw: object, loc: Loc, parties, regions) -> NamedLawmaker:
    """One ``[[named]]`` table (seat accounting is checked afterwards, for all of them)."""
    t = c.table(raw, loc, _keys(NamedLawmaker))
    person = NamedLawmaker(
        name=c.text(t, "name", loc, nonempty=True),
        party=c.ref(t, "party", loc, parties, "a party code"),
        region=c.ref(t, "region", loc, regions, "a region code", blank=True),
        district=c.text(t, "district", loc, default=""),
        role=c.choice(t, "role", loc, ROLES, default="member"),
        seated=c.boolean(t, "seated", loc, default=True),
        committees=c.refs(t, "committees", loc, COMMITTEES, "committee"),
        caucuses=c.codes(t, "caucuses", loc),
        labour_ties=c.boolean(t, "labour_ties", loc, default=False),
    )
    if "." in person.name:
        c.fail((*loc, "name"), "a name without dots (overrides address it by name)", person.name)
    if person.seated and person.district and not person.region:
        c.fail(
            (*loc, "region"),
            "the region of the district (a seated member with a district)",
            person.region,
        )
    if not person.seated and person.committees:
        c.fail((*loc, "committees"), "no committees for an unseated actor", list(person.committees))
    if person.role == "committee_chair" and not (person.seated and person.committees):
        c.fail(
            (*loc, "committees"),
            "the chaired committee (a chair must be seated)",
            list(person.committees),
        )
    return person


def _parameters(c: _Checker, raw: object, loc: Loc) -> Parameters:
    """The optional ``[parameters]`` table: groups and fields of sim.parameters.

    A value must respect the field's metadata bounds and the default's type: an int field
    takes only integers, a float field takes integers or floats (a bool or str field takes
    only booleans or strings).
    """
    defaults = Parameters()
    if raw is _MISSING:
        return defaults
    t = c.table(raw, loc, _keys(Parameters))
    groups = {}
    for group_name, group_raw in t.items():
        group = getattr(defaults, group_name)
        where = (*loc, group_name)
        g = c.table(group_raw, where, _keys(type(group)))
        values = {}
        for f in fields(group):
            if f.name not in g:
                continue
            lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
            default = getattr(group, f.name)
            if isinstance(default, bool):
                values[f.name] = c.boolean(g, f.name, where)
            elif isinstance(default, str):
                values[f.name] = c.text(g, f.name, where)
            elif isinstance(default, int):
                values[f.name] = c.integer(g, f.name, where, lo, hi)
            else:
                values[f.name] = c.number(g, f.name, where, lo, hi)
        groups[group_name] = replace(group, **values)
    return replace(defaults, **groups)


# --------------------------------------------------------------------------------------------
# Cross-table checks
# --------------------------------------------------------------------------------------------


def _check_seats(c: _Checker, parties: tuple[Party, ...], regions: tuple[Region, ...]) -> None:
    """Each party's constituency seats (summed over regions) must fit in its seats.

    The difference is the party's proportional seats, so it must not be negative.
    """
    constituency = dict.fromkeys((p.code for p in parties), 0)
    for region in regions:
        for party, seats in region.seats.items():
            constituency[party] += seats
    for i, party in enumerate(parties):
        if constituency[party.code] > party.seats:
            c.fail(
                ("parties", i, "seats"),
                f"at least {constituency[party.code]} ({party.code}'s constituency seats "
                "summed over regions)",
                party.seats,
            )


def _check_named(c, named, parties, regions) -> None:
    """Seated named members must fit in real seats; at most one leader per party and post.

    A seated member with a region holds one of that region's constituency seats of their
    party; a seated member with region ``""`` holds one of the party's proportional seats.
    Unseated actors (party officials outside the Assembly) take no seat.
    """
    free = {(r.code, p): n for r in regions for p, n in r.seats.items()}
    constituency = dict.fromkeys((p.code for p in parties), 0)
    for (_, party), n in free.items():
        constituency[party] += n
    for p in parties:
        free[("", p.code)] = p.seats - constituency[p.code]
    posts: dict[tuple[str, str], int] = {}
    for i, person in enumerate(named):
        if person.role in ("leader", "floor_leader"):
            post = (person.party, person.role)
            if post in posts:
                c.fail(
                    ("named", i, "role"),
                    f"one {person.role} per party (named[{posts[post]}] is {person.party}'s)",
                    person.role,
                )
            posts[post] = i
        if not person.seated:
            continue
        slot = (person.region, person.party)
        if free.get(slot, 0) <= 0:
            if person.region:
                what = f"a region with a free {person.party} constituency seat"
            else:
                what = f'region "" only while {person.party} has a free proportional seat'
            c.fail(("named", i, "region"), what, person.region)
        free[slot] -= 1


def _check_committees(c, raw: object, named, total_seats: int) -> dict[str, int]:
    """Committee sizes: every committee listed, at most the Assembly's size.

    A committee is also no smaller than the number of named members sitting on it.
    """
    loc: Loc = ("committee_sizes",)
    t = c.table(raw, loc, COMMITTEES)
    sizes = {}
    for committee in COMMITTEES:
        on_it = sum(committee in person.committees for person in named)
        sizes[committee] = c.integer(t, committee, loc, lo=max(1, on_it), hi=total_seats)
    return sizes


def _check_ministries(c, ministries: tuple[Ministry, ...]) -> None:
    """Every role of the decision needs at least one body (the model looks them up by role)."""
    present = {m.role for m in ministries}
    for role in MINISTRY_ROLES:
        if role not in present:
            c.fail(
                ("ministries",),
                f"a ministry with role {role!r} among the [[ministries]]",
                sorted(present),
            )


def _check_pool_codes(c, institutions: tuple[Institution, ...]) -> None:
    """Pool members are expanded as ``CODE_01``...; those codes must not collide."""
    taken = {inst.code for inst in institutions}
    for i, inst in enumerate(institutions):
        if inst.count > 1:
            clash = sorted(taken & {f"{inst.code}_{k:02d}" for k in range(1, inst.count + 1)})
            if clash:
                c.fail(
                    ("institutions", i, "code"),
                    f"a pool code whose members do not clash with {clash[0]}",
                    inst.code,
                )


# --------------------------------------------------------------------------------------------
# from_dict
# --------------------------------------------------------------------------------------------


def _file_label(source: str | os.PathLike) -> str:
    """The FILE part of messages: the base name of the source."""
    return os.path.basename(os.fspath(source)) or os.fspath(source) or "scenario"


def from_dict(data: Mapping[str, Any], source: str) -> Scenario:
    """Validate a parsed scenario and build the frozen objects.

    Args:
        data: The scenario as parsed from TOML (tables as dicts, arrays as lists).
        source: Where the data came from (a path); its base name prefixes error messages.

    Returns:
        The validated scenario; elections come sorted by date.

    Raises:
        ScenarioError: At the first invalid value, naming its exact field path.
    """
    c = _Checker(_file_label(source))
    top = c.table(data, (), _keys(Scenario))
    name = c.text(
        top, "name", (), default=Path(os.fspath(source)).stem or "scenario", nonempty=True
    )
    title = c.text(top, "title", (), nonempty=True)
    start = c.day(top, "start", ())
    if start.weekday() != 0:
        c.fail(("start",), f"a Monday (weekly ticks), not a {_DAY_NAMES[start.weekday()]}", start)
    horizon = c.day(top, "horizon", ())
    if horizon <= start:
        c.fail(("horizon",), f"a date after start ({start.isoformat()})", horizon)

    parties = tuple(
        _party(c, raw, ("parties", i)) for i, raw in enumerate(c.tables(top, "parties", (), True))
    )
    _unique(c, parties, "code", ("parties",))
    party_codes = tuple(p.code for p in parties)
    executive = c.ref(top, "executive", (), party_codes, "a party code")
    challenger = c.ref(top, "challenger", (), party_codes, "a party code")
    if challenger == executive:
        c.fail(("challenger",), "a party other than the executive's", challenger)

    regions = tuple(
        _region(c, raw, ("regions", i), party_codes)
        for i, raw in enumerate(c.tables(top, "regions", (), True))
    )
    _unique(c, regions, "code", ("regions",))
    region_codes = tuple(r.code for r in regions)
    receivers = tuple(r.code for r in regions if r.receives)
    if not receivers:
        c.fail(("regions",), "at least one region with receives = true", "none")
    _check_seats(c, parties, regions)

    raw_elections = c.tables(top, "elections", (), False)
    elections = tuple(
        _election(c, raw, ("elections", i), start) for i, raw in enumerate(raw_elections)
    )
    _unique(c, elections, "code", ("elections",))

    ministries = tuple(
        _ministry(c, raw, ("ministries", i))
        for i, raw in enumerate(c.tables(top, "ministries", (), True))
    )
    _unique(c, ministries, "code", ("ministries",))
    _check_ministries(c, ministries)
    ministry_codes = tuple(m.code for m in ministries)

    institutions = tuple(
        _institution(c, raw, ("institutions", i), ministry_codes, receivers)
        for i, raw in enumerate(c.tables(top, "institutions", (), True))
    )
    _unique(c, institutions, "code", ("institutions",))
    _check_pool_codes(c, institutions)
    institution_codes = tuple(inst.code for inst in institutions)

    unions = tuple(
        _union(c, raw, ("unions", i), institution_codes)
        for i, raw in enumerate(c.tables(top, "unions", (), False))
    )
    _unique(c, unions, "code", ("unions",))

    named = tuple(
        _lawmaker(c, raw, ("named", i), party_codes, region_codes)
        for i, raw in enumerate(c.tables(top, "named", (), False))
    )
    _unique(c, named, "name", ("named",), key="name")
    _check_named(c, named, parties, regions)
    committee_sizes = _check_committees(
        c, c.value(top, "committee_sizes", _REQUIRED), named, sum(p.seats for p in parties)
    )

    flagship = c.ref(top, "flagship", (), institution_codes, "an institution code", blank=True)
    if flagship:
        flagship_region = c.ref(top, "flagship_region", (), receivers, "a receiving region code")
        flagship_party = c.ref(top, "flagship_party", (), party_codes, "a party code")
    else:
        flagship_region = c.ref(
            top, "flagship_region", (), (), "no region without a flagship", blank=True
        )
        flagship_party = c.ref(
            top, "flagship_party", (), (), "no party without a flagship", blank=True
        )

    return Scenario(
        name=name,
        title=title,
        start=start,
        horizon=horizon,
        executive=executive,
        challenger=challenger,
        # Sorted here, not required sorted in the file: an override may move one election
        # past another (e.g. the presidential election past the horizon).
        elections=tuple(sorted(elections, key=lambda e: e.date)),
        parties=parties,
        regions=regions,
        institutions=institutions,
        committee_sizes=committee_sizes,
        named=named,
        unions=unions,
        ministries=ministries,
        flagship=flagship,
        flagship_region=flagship_region,
        flagship_party=flagship_party,
        parameters=_parameters(c, c.value(top, "parameters", _MISSING), ("parameters",)),
        source=os.fspath(source),
    )


# --------------------------------------------------------------------------------------------
# Overrides
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
        return _named_key(item[self.by]) if self.by == "name" else item[self.by]

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
        return f"{_one_of(labels)} or {index}" if labels else index


_OPEN = "open"  # schema node of a table with free keys (a region's seats by party)


def _leaves(cls) -> dict[str, Any]:
    """Schema node of a table whose fields are all plain values."""
    return dict.fromkeys(_keys(cls))


_SCHEMA: dict[str, Any] = {
    **_leaves(Scenario),
    "elections": _List(_leaves(Election)),
    "parties": _List(_leaves(Party)),
    "regions": _List({**_leaves(Region), "seats": _OPEN}),
    "institutions": _List(_leaves(Institution)),
    "named": _List(_leaves(NamedLawmaker), by="name"),
    "unions": _List(_leaves(Union)),
    "ministries": _List(_leaves(Ministry)),
    "committee_sizes": dict.fromkeys(COMMITTEES),
    "parameters": {
        f.name: _leaves(type(getattr(Parameters(), f.name))) for f in fields(Parameters)
    },
}


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
        raise ScenarioError(OVERRIDE_FILE, _show(key), "a dotted path (a string)", _show(key))
    path = key.strip().replace("__", ".")
    if not path or any(not part for part in path.split(".")):
        raise ScenarioError(
            OVERRIDE_FILE, path or '""', "a dotted path such as parties.DP.discipline", _show(key)
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
                raise ScenarioError(OVERRIDE_FILE, path, f"an array at {shown}", _show(here))
            step = node.find(here, segment)
            if step is None:
                raise ScenarioError(OVERRIDE_FILE, path, node.choices(here), _show(segment))
            child = node.element
        elif isinstance(node, dict) or node == _OPEN:
            if not isinstance(here, dict):
                raise ScenarioError(OVERRIDE_FILE, path, f"a table at {shown}", _show(here))
            if isinstance(node, dict) and segment not in node:
                raise ScenarioError(OVERRIDE_FILE, path, _one_of(node), _show(segment))
            step = segment
            child = node[segment] if isinstance(node, dict) else None
        else:
            raise ScenarioError(OVERRIDE_FILE, path, f"a path that ends at {shown}", _show(segment))
        loc = (*loc, step)
        if depth == len(segments) - 1:
            here[step] = value
            return loc
        if (
            isinstance(here, dict)
            and step not in here
            and (isinstance(child, dict) or child == _OPEN)
        ):
            here[step] = {}
        node = child
        here = here[step] if isinstance(here, list) or step in here else None
    raise AssertionError("unreachable")  # the loop returns at the last segment


def _apply(data: Mapping, overrides: Mapping[str, object] | None) -> tuple[dict, list]:
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
    return _apply(data, overrides)[0]


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
                _show(item),
            )
        out[key.strip()] = value.strip()
    return out


def _blame(err: ScenarioError, applied: list[tuple[Loc, str]]) -> ScenarioError:
    """Re-label a validation error as ``--set`` when an override put the bad value there."""
    if err.loc is None:
        return err
    for loc, key in reversed(applied):
        if err.loc[: len(loc)] == loc:
            tail = _fmt_loc(err.loc[len(loc) :]) if len(err.loc) > len(loc) else ""
            path = key + ("" if not tail else tail if tail.startswith("[") else "." + tail)
            return ScenarioError(OVERRIDE_FILE, path, err.expected, err.got, err.loc)
    return err


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------

_PACKAGE = "sim"
_FOLDER = "scenarios"


def _shipped():
    """The folder of shipped scenarios, as an importlib.resources traversable."""
    return resources.files(_PACKAGE) / _FOLDER


def available_scenarios() -> list[str]:
    """Names of the scenarios shipped in ``sim/scenarios`` (sorted)."""
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in _shipped().iterdir()
        if entry.name.endswith(".toml") and entry.is_file()
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
        entry = _shipped() / f"{name}.toml"
        if not entry.is_file():
            raise ScenarioError(
                name,
                "(scenario name)",
                f"a shipped scenario, {_one_of(available_scenarios())}, or a path to a .toml file",
                _show(name),
            )
        where = ("package", name)
    else:
        path = Path(name_or_path).expanduser().resolve()
        if not path.is_file():
            raise ScenarioError(path.name, "(file)", "an existing scenario file", _show(str(path)))
        entry = path
        where = ("file", str(path))
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
    label = _file_label(str(entry))
    try:
        text = entry.read_bytes().decode("utf-8")
    except OSError as err:
        raise ScenarioError(label, "(file)", "a readable file", _show(str(err))) from None
    except UnicodeDecodeError as err:
        raise ScenarioError(label, "(file)", "UTF-8 text", _show(str(err))) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        found = re.search(r"\s*\(at (line \d+, column \d+|end of document)\)$", message)
        where_text = found.group(1) if found else "(syntax)"
        reason = message[: found.start()] if found else message
        raise ScenarioError(label, where_text, "valid TOML", reason) from None


def load_scenario_data(name_or_path: str | os.PathLike) -> dict:
    """The parsed (not yet validated) data of a scenario, as a fresh copy.

    Useful to build variants in code, e.g. the Hypothesis strategies in tests/strategies.py.
    """
    return copy.deepcopy(_read(*_locate(name_or_path)))


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
    data, applied = _apply(_read(where, stamp), overrides)
    try:
        return from_dict(data, str(_entry(where)))
    except ScenarioError as err:
        raise _blame(err, applied) from None


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
