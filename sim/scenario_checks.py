"""The rules of a valid scenario: from_dict checks a parsed file and builds the dataclasses.

from_dict reads the tables in dependency order (parties before the regions that name them,
ministries before the institutions they oversee...), so every reference can be checked as soon
as it is read. The per-table builders (``_party``, ``_region``...) check each table's own
fields; the ``_check_*`` functions then apply the rules that span tables (seat accounting,
one body per ministry role...). The first invalid value stops the check with a ScenarioError.
"""

import os
from collections.abc import Callable, Mapping
from dataclasses import fields, replace
from datetime import date
from pathlib import Path
from typing import Any

from sim.parameters import Parameters
from sim.scenario_errors import MISSING, Loc, file_label, fmt_loc, one_of
from sim.scenario_fields import REQUIRED, FieldChecker, named_key
from sim.scenario_types import (
    COMMITTEES,
    ELECTION_KINDS,
    HUB_STATUSES,
    MINISTRY_ROLES,
    ROLES,
    Election,
    Institution,
    Ministry,
    NamedLawmaker,
    Party,
    Region,
    Scenario,
    Union,
    count_constituency_seats,
    table_keys,
)

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


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
    c = FieldChecker(file_label(source))
    top = c.table(data, (), table_keys(Scenario))
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

    parties = _entries(c, top, "parties", True, _party)
    party_codes = tuple(p.code for p in parties)
    executive = c.ref(top, "executive", (), party_codes, "a party code")
    challenger = c.ref(top, "challenger", (), party_codes, "a party code")
    if challenger == executive:
        c.fail(("challenger",), "a party other than the executive's", challenger)

    regions = _entries(c, top, "regions", True, _region, party_codes)
    region_codes = tuple(r.code for r in regions)
    receivers = tuple(r.code for r in regions if r.receives)
    if not receivers:
        c.fail(("regions",), "at least one region with receives = true", "none")
    _check_seats(c, parties, regions)

    elections = _entries(c, top, "elections", False, _election, start)

    ministries = _entries(c, top, "ministries", True, _ministry)
    _check_ministries(c, ministries)
    ministry_codes = tuple(m.code for m in ministries)

    institutions = _entries(c, top, "institutions", True, _institution, ministry_codes, receivers)
    _check_pool_codes(c, institutions)
    institution_codes = tuple(inst.code for inst in institutions)

    unions = _entries(c, top, "unions", False, _union, institution_codes)

    named = _entries(c, top, "named", False, _lawmaker, party_codes, region_codes, key="name")
    _check_named(c, named, parties, regions)
    committee_sizes = _check_committees(
        c, c.value(top, "committee_sizes", REQUIRED), named, sum(p.seats for p in parties)
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
        parameters=_parameters(c, c.value(top, "parameters", MISSING), ("parameters",)),
        source=os.fspath(source),
    )


def _entries(
    c: FieldChecker, top: Mapping, array: str, nonempty: bool, build: Callable, *args, key="code"
) -> tuple:
    """The ``[[array]]`` tables, each made by ``build(c, raw, loc, *args)``, with distinct keys.

    Entries must differ in ``key`` (for names: ignoring case, with spaces as ``_``, the way
    overrides address them); the later duplicate is reported.
    """
    items = tuple(
        build(c, raw, (array, i), *args) for i, raw in enumerate(c.tables(top, array, (), nonempty))
    )
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        value = getattr(item, key)
        ident = named_key(value) if key == "name" else value
        if ident in seen:
            c.fail((array, i, key), f"a {key} not used by {fmt_loc((array, seen[ident]))}", value)
        seen[ident] = i
    return items


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def _election(c: FieldChecker, raw: object, loc: Loc, start: date) -> Election:
    """One ``[[elections]]`` table; its date may lie past the horizon, not before start."""
    t = c.table(raw, loc, table_keys(Election))
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


def _party(c: FieldChecker, raw: object, loc: Loc) -> Party:
    """One ``[[parties]]`` table."""
    t = c.table(raw, loc, table_keys(Party))
    return Party(
        code=c.code(t, "code", loc),
        name=c.text(t, "name", loc, nonempty=True),
        seats=c.integer(t, "seats", loc, lo=0),
        discipline=c.number(t, "discipline", loc, 0, 1),
        cohesion=c.number(t, "cohesion", loc, 0, 1),
        pledge=c.number(t, "pledge", loc, 0, 1),
        labour_ties=c.number(t, "labour_ties", loc, 0, 1),
    )


def _seats(c: FieldChecker, raw: object, loc: Loc, parties: tuple[str, ...]) -> dict[str, int]:
    """A region's constituency seats: party code -> non-negative integer."""
    where = (*loc, "seats")
    if not isinstance(raw, Mapping):
        c.fail(where, "a table of constituency seats by party code", raw)
    for key in raw:
        if key not in parties:
            c.fail((*where, key), f"a party code, {one_of(parties)}", key)
    return {key: c.integer(raw, key, where, lo=0) for key in raw}


def _region(c: FieldChecker, raw: object, loc: Loc, parties: tuple[str, ...]) -> Region:
    """One ``[[regions]]`` table."""
    t = c.table(raw, loc, table_keys(Region))
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


def _ministry(c: FieldChecker, raw: object, loc: Loc) -> Ministry:
    """One ``[[ministries]]`` table."""
    t = c.table(raw, loc, table_keys(Ministry))
    return Ministry(
        code=c.code(t, "code", loc),
        name=c.text(t, "name", loc, nonempty=True),
        role=c.choice(t, "role", loc, MINISTRY_ROLES),
        capability=c.number(t, "capability", loc, positive=True),
        salience=c.number(t, "salience", loc, 0, 1),
        position=c.number(t, "position", loc, 0, 100),
    )


def _institution(c: FieldChecker, raw: object, loc: Loc, ministries, receivers) -> Institution:
    """One ``[[institutions]]`` table (a single body, or a pool when count > 1)."""
    t = c.table(raw, loc, table_keys(Institution))
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


def _union(c: FieldChecker, raw: object, loc: Loc, institutions) -> Union:
    """One ``[[unions]]`` table."""
    t = c.table(raw, loc, table_keys(Union))
    return Union(
        code=c.code(t, "code", loc),
        name=c.text(t, "name", loc, nonempty=True),
        institutions=c.refs(
            t, "institutions", loc, institutions, "institution code", nonempty=True
        ),
        members=c.integer(t, "members", loc, lo=1),
        strength=c.number(t, "strength", loc, 0, 1),
    )


def _lawmaker(c: FieldChecker, raw: object, loc: Loc, parties, regions) -> NamedLawmaker:
    """One ``[[named]]`` table (seat accounting is checked afterwards, for all of them)."""
    t = c.table(raw, loc, table_keys(NamedLawmaker))
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


def _parameters(c: FieldChecker, raw: object, loc: Loc) -> Parameters:
    """The optional ``[parameters]`` table: groups and fields of sim.parameters.

    A value must respect the field's metadata bounds and the default's type: an int field
    takes only integers, a float field takes integers or floats (a bool or str field takes
    only booleans or strings).
    """
    defaults = Parameters()
    if raw is MISSING:
        return defaults
    t = c.table(raw, loc, table_keys(Parameters))
    groups = {}
    for group_name, group_raw in t.items():
        group = getattr(defaults, group_name)
        where = (*loc, group_name)
        g = c.table(group_raw, where, table_keys(type(group)))
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

# --------------------------------------------------------------------------------------------
# Cross-table checks
# --------------------------------------------------------------------------------------------


def _check_seats(c: FieldChecker, parties: tuple[Party, ...], regions: tuple[Region, ...]) -> None:
    """Each party's constituency seats (summed over regions) must fit in its seats.

    The difference is the party's proportional seats, so it must not be negative.
    """
    constituency = count_constituency_seats(parties, regions)
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
    constituency = count_constituency_seats(parties, regions)
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
