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
from sim.scenario_errors import MISSING, Loc, file_label, fmt_loc, one_of, show
from sim.scenario_fields import REQUIRED, FieldChecker, is_code, named_key
from sim.scenario_types import (
    ABSTENTIONS,
    BILL_KINDS,
    DECIDING_KIND,
    ELECTION_KINDS,
    ELECTION_WEIGHT,
    EVENT_KINDS,
    HUB_STATUSES,
    MINISTRY_ROLES,
    OFFICE_ROLES,
    OFFICES,
    REQUIRED_MINISTRY_ROLES,
    RESULTS,
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
    count_constituency_seats,
    table_keys,
)

# Upper bounds on the sizes a scenario sets (docs/scenario.md, "Bounds"), checked before a run
# builds anything. Every seat is a lawmaker agent, so an Assembly's size sets a run's memory and
# time. Ties are drawn in chunks and the influence weights are sparse, so that grows with the
# members and their ties: 30,000 members (issue 14's scale runs, `relocsim scale`) run; the
# largest chamber in the world has 2,977 (China's National People's Congress).
MAX_SEATS = 50_000  # seats of one party, of one region's party and of a whole Assembly
MAX_STAFF = 1_000_000  # head-office staff of one institution (or pool)
MAX_POOL = 1000  # institutions one pool entry stands for (each is an institution of the run)

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def from_dict(data: Mapping[str, Any], source: str) -> Scenario:
    """Validate a parsed scenario and build the frozen objects.

    Args:
        data: The scenario as parsed from TOML (tables as dicts, arrays as lists).
        source: Where the data came from (a path); its base name prefixes error messages.

    Returns:
        The validated scenario; elections and events come sorted by date.

    Raises:
        ScenarioError: At the first invalid value, naming its exact field path.
    """
    c = FieldChecker(file_label(source))
    top = c.table(data, (), table_keys(Scenario))
    name = c.text(
        top, "name", (), default=Path(os.fspath(source)).stem or "scenario", nonempty=True
    )
    title = c.text(top, "title", (), nonempty=True)
    country = c.text(top, "country", (), default="")
    if country and not (len(country) == 2 and country.isalpha() and country.isupper()):
        c.fail(("country",), "an ISO 3166-1 alpha-2 code such as KR or DK", country)
    abstentions = c.choice(top, "abstentions", (), ABSTENTIONS, default="not_counted")
    start = c.day(top, "start", ())
    if start.weekday() != 0:
        c.fail(("start",), f"a Monday (weekly ticks), not a {_DAY_NAMES[start.weekday()]}", start)
    horizon = c.day(top, "horizon", ())
    if horizon <= start:
        c.fail(("horizon",), f"a date after start ({start.isoformat()})", horizon)
    drafting_since = c.day(top, "drafting_since", ()) if "drafting_since" in top else None
    if drafting_since and drafting_since > start:
        c.fail(("drafting_since",), f"a date on or before start ({start.isoformat()})",
               drafting_since)  # fmt: skip

    parties = _entries(c, top, "parties", True, _party)
    _check_labels(c, parties)
    party_codes = tuple(p.code for p in parties)
    executive = _executive(c, c.value(top, "executive", REQUIRED), party_codes)
    challenger = c.ref(top, "challenger", (), party_codes, "a party code")
    if challenger == executive.party:
        c.fail(("challenger",), "a party other than the executive's", challenger)

    regions = _entries(c, top, "regions", True, _region, party_codes)
    region_codes = tuple(r.code for r in regions)
    receivers = tuple(r.code for r in regions if r.receives)
    origins = tuple(r.code for r in regions if not r.receives)
    if not receivers:
        c.fail(("regions",), "at least one region with receives = true", "none")
    if not origins:
        c.fail(("regions",), "at least one region with receives = false (an origin)", "none")
    _check_seats(c, parties, regions, ("parties",))
    _check_assembly_size(c, ("parties",), sum(p.seats for p in parties))

    elections = _entries(c, top, "elections", False, _election, start, party_codes, region_codes)
    deciding = DECIDING_KIND[executive.office]
    for n, e in enumerate(elections):
        if e.handover_days and e.kind != deciding:
            c.fail(("elections", n, "handover_days"),
                   f"handover_days only on a {deciding} election (the kind that decides the "
                   f"{executive.office.replace('_', ' ')})", e.handover_days)  # fmt: skip
    for i, election in enumerate(elections):
        _check_election_seats(c, ("elections", i), election, parties, regions)
    _check_clock(c, elections, executive.office, horizon)

    ministries = _entries(c, top, "ministries", True, _ministry)
    _check_ministries(c, ministries)
    ministry_codes = tuple(m.code for m in ministries)

    raw_sizes = c.value(top, "committee_sizes", REQUIRED)
    committees = _committee_codes(c, raw_sizes)

    institutions = _entries(
        c, top, "institutions", True, _institution, ministry_codes, receivers, origins, committees
    )
    _check_pool_codes(c, institutions)
    institution_codes = tuple(inst.code for inst in institutions)

    unions = _entries(c, top, "unions", False, _union, institution_codes)

    named = _entries(
        c, top, "named", False, _lawmaker, party_codes, region_codes, committees, ministry_codes,
        key="name",
    )  # fmt: skip
    _check_named(c, named, parties, regions)
    # A committee must fit in the smallest Assembly of the run (seats may change at elections).
    tables = [sum(p.seats for p in parties)] + [sum(e.seats.values()) for e in elections if e.seats]
    smallest = min(tables)
    committee_sizes = _check_committees(c, raw_sizes, named, smallest)

    factions = _entries(c, top, "factions", False, _faction, party_codes, named)
    _check_factions(c, factions)
    whip_codes = party_codes + tuple(f.code for f in factions)
    bills = _entries(
        c, top, "bills", False, _bill, start, institution_codes, receivers, committees,
        whip_codes,
    )  # fmt: skip
    events = _entries(
        c, top, "events", False, _event, start, named, ministry_codes, party_codes, key=None
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
        country=country,
        abstentions=abstentions,
        factions=factions,
        bills=bills,
        events=tuple(sorted(events, key=lambda e: e.date)),
        drafting_since=drafting_since,
        source=os.fspath(source),
    )


def _entries(
    c: FieldChecker, top: Mapping, array: str, nonempty: bool, build: Callable, *args, key="code"
) -> tuple:
    """The ``[[array]]`` tables, each made by ``build(c, raw, loc, *args)``, with distinct keys.

    Entries must differ in ``key`` (for names: ignoring case, with spaces as ``_``, the way
    overrides address them); the later duplicate is reported. ``key=None``: no key.
    """
    items = tuple(
        build(c, raw, (array, i), *args) for i, raw in enumerate(c.tables(top, array, (), nonempty))
    )
    seen: dict[str, int] = {}
    for i, item in enumerate(items if key else ()):
        value = getattr(item, key)
        ident = named_key(value) if key == "name" else value
        if ident in seen:
            c.fail((array, i, key), f"a {key} not used by {fmt_loc((array, seen[ident]))}", value)
        seen[ident] = i
    return items


# --------------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------------


def _executive(c: FieldChecker, raw: object, parties: tuple[str, ...]) -> Executive:
    """The ``[executive]`` table; a bare party code is short for ``{party = CODE}``."""
    loc: Loc = ("executive",)
    if isinstance(raw, str):  # the form of the first schema: the president's party
        return Executive("president", "", c.ref({"executive": raw}, "executive", (), parties,
                                                "a party code"), ())  # fmt: skip
    t = c.table(raw, loc, table_keys(Executive))
    executive = Executive(
        office=c.choice(t, "office", loc, OFFICES, default="president"),
        name=c.text(t, "name", loc, default=""),
        party=c.ref(t, "party", loc, parties, "a party code"),
        partners=c.refs(t, "partners", loc, parties, "party code"),
    )
    if executive.party in executive.partners:
        c.fail((*loc, "partners"), "coalition partners other than the executive's party",
               list(executive.partners))  # fmt: skip
    return executive


def _election(c: FieldChecker, raw: object, loc: Loc, start: date, parties, regions) -> Election:
    """One ``[[elections]]`` table; its date may lie past the horizon, not before start."""
    t = c.table(raw, loc, table_keys(Election))
    kind = c.choice(t, "kind", loc, ELECTION_KINDS)
    election = Election(
        code=c.code(t, "code", loc),
        kind=kind,
        date=c.day(t, "date", loc),
        weight=c.number(t, "weight", loc, 0, 1, default=ELECTION_WEIGHT[kind]),
        p_ruling_win=c.number(t, "p_ruling_win", loc, 0, 1, default=0.5),
        result=c.choice(t, "result", loc, RESULTS, default=""),
        seats=_seats(c, c.value(t, "seats", {}), (*loc, "seats"), parties),
        region_seats=_region_seats(c, c.value(t, "region_seats", {}), loc, parties, regions),
        handover_days=c.integer(t, "handover_days", loc, lo=0, hi=366, default=0),
    )
    if election.date < start:
        c.fail((*loc, "date"), f"a date on or after start ({start.isoformat()})", election.date)
    if election.seats and (kind != "general" or not election.result):
        c.fail((*loc, "seats"), "seats only on a general election with a result", t["seats"])
    if election.region_seats and not election.seats:
        c.fail((*loc, "region_seats"), "region_seats only with seats", t["region_seats"])
    return election


def _party(c: FieldChecker, raw: object, loc: Loc) -> Party:
    """One ``[[parties]]`` table."""
    t = c.table(raw, loc, table_keys(Party))
    code = c.code(t, "code", loc)
    return Party(
        code=code,
        name=c.text(t, "name", loc, nonempty=True),
        seats=c.integer(t, "seats", loc, lo=0, hi=MAX_SEATS),
        discipline=c.number(t, "discipline", loc, 0, 1),
        cohesion=c.number(t, "cohesion", loc, 0, 1),
        pledge=c.number(t, "pledge", loc, 0, 1),
        labour_ties=c.number(t, "labour_ties", loc, 0, 1),
        renamed=_renamings(c, t, loc, code),
    )


def _renamings(c: FieldChecker, t: Mapping, loc: Loc, code: str) -> tuple[Renaming, ...]:
    """A party's ``renamed`` array: dated new labels, each later than and unlike the last."""
    renamings = []
    before, since = code, None  # the label in force, and the day it took effect
    for i, raw in enumerate(c.tables(t, "renamed", loc, nonempty=False)):
        where = (*loc, "renamed", i)
        r = c.table(raw, where, table_keys(Renaming))
        renaming = Renaming(
            on=c.day(r, "on", where),
            label=c.code(r, "label", where, what="a label"),
            name=c.text(r, "name", where, nonempty=True),
        )
        if since is not None and renaming.on <= since:
            earlier = fmt_loc((*loc, "renamed", i - 1, "on"))
            c.fail((*where, "on"), f"a date after {earlier} ({since.isoformat()})", renaming.on)
        if renaming.label == before:
            c.fail((*where, "label"), f"a label other than the one in force before it ({before})",
                   renaming.label)  # fmt: skip
        renamings.append(renaming)
        before, since = renaming.label, renaming.on
    return tuple(renamings)


def _seats(c: FieldChecker, raw: object, where: Loc, parties: tuple[str, ...]) -> dict[str, int]:
    """A table of seats at ``where``: party code -> an integer in [0, MAX_SEATS]."""
    if not isinstance(raw, Mapping):
        c.fail(where, "a table of seats by party code", raw)
    for key in raw:
        if key not in parties:
            c.fail((*where, key), f"a party code, {one_of(parties)}", key)
    return {key: c.integer(raw, key, where, lo=0, hi=MAX_SEATS) for key in raw}


def _region_seats(c: FieldChecker, raw: object, loc: Loc, parties, regions) -> dict:
    """An election's constituency seats after it: region code -> {party code -> seats}."""
    where = (*loc, "region_seats")
    if not isinstance(raw, Mapping):
        c.fail(where, "a table of region codes, each a table of seats by party code", raw)
    for key in raw:
        if key not in regions:
            c.fail((*where, key), f"a region code, {one_of(regions)}", key)
    return {key: _seats(c, raw[key], (*where, key), parties) for key in raw}


def _region(c: FieldChecker, raw: object, loc: Loc, parties: tuple[str, ...]) -> Region:
    """One ``[[regions]]`` table."""
    t = c.table(raw, loc, table_keys(Region))
    return Region(
        code=c.code(t, "code", loc),
        name=c.text(t, "name", loc, nonempty=True),
        seats=_seats(c, c.value(t, "seats", {}), (*loc, "seats"), parties),
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


def _institution(
    c: FieldChecker, raw: object, loc: Loc, ministries, receivers, origins, committees
) -> Institution:
    """One ``[[institutions]]`` table (a single body, or a pool when count > 1)."""
    t = c.table(raw, loc, table_keys(Institution))
    return Institution(
        code=c.code(t, "code", loc),
        name=c.text(t, "name", loc, nonempty=True),
        staff=c.integer(t, "staff", loc, lo=1, hi=MAX_STAFF),
        sector=c.code(t, "sector", loc),
        ministry=c.ref(t, "ministry", loc, ministries, "a ministry code"),
        hq_act=c.text(t, "hq_act", loc, default=""),
        bids=c.refs(t, "bids", loc, receivers, "receiving region code"),
        count=c.integer(t, "count", loc, lo=1, hi=MAX_POOL, default=1),
        origin=c.ref(t, "origin", loc, origins, "a region with receives = false", blank=True)
        or origins[0],
        committee=c.ref(t, "committee", loc, committees, "a committee code", blank=True)
        or committees[0],
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


def _lawmaker(
    c: FieldChecker, raw: object, loc: Loc, parties, regions, committees, ministries
) -> NamedLawmaker:
    """One ``[[named]]`` table (seat accounting is checked afterwards, for all of them)."""
    t = c.table(raw, loc, table_keys(NamedLawmaker))
    person = NamedLawmaker(
        name=c.text(t, "name", loc, nonempty=True),
        party=c.ref(t, "party", loc, parties, "a party code"),
        region=c.ref(t, "region", loc, regions, "a region code", blank=True),
        district=c.text(t, "district", loc, default=""),
        role=c.choice(t, "role", loc, ROLES, default="member"),
        seated=c.boolean(t, "seated", loc, default=True),
        committees=c.refs(t, "committees", loc, committees, "committee"),
        caucuses=c.codes(t, "caucuses", loc),
        labour_ties=c.boolean(t, "labour_ties", loc, default=False),
        ministry=c.ref(t, "ministry", loc, ministries, "a ministry code", blank=True),
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
    _check_office(c, loc, person.role, person.ministry, person.seated, person.region)
    return person


def _check_office(c: FieldChecker, loc: Loc, role, ministry, seated, region) -> None:
    """Check an office outside the legislature.

    A minister names a ministry; governors, mayors and officials hold no seat; governors and
    mayors govern a region.
    """
    if (role == "minister") != bool(ministry):
        what = "the minister's ministry" if role == "minister" else 'no ministry ("") for a ' + role
        c.fail((*loc, "ministry"), what, ministry)
    if role in ("governor", "mayor", "official") and seated:
        c.fail((*loc, "seated"), f"false for a {role} (no seat in the legislature)", seated)
    if role in ("governor", "mayor") and not region:
        c.fail((*loc, "region"), f"the region of the {role}", region)


def _faction(c: FieldChecker, raw: object, loc: Loc, parties, named) -> Faction:
    """One ``[[factions]]`` table: its leader and named members belong to its party."""
    t = c.table(raw, loc, table_keys(Faction))
    party = c.ref(t, "party", loc, parties, "a party code")
    own = tuple(n.name for n in named if n.party == party)
    faction = Faction(
        code=c.code(t, "code", loc),
        name=c.text(t, "name", loc, nonempty=True),
        party=party,
        leader=c.ref(t, "leader", loc, own, f"a named actor of {party}", blank=True),
        members=c.refs(t, "members", loc, own, f"named actor of {party}"),
        share=c.number(t, "share", loc, 0, 1, default=0.0),
        stance=c.number(t, "stance", loc, 0, 1),
    )
    if faction.leader and faction.leader not in faction.members:
        c.fail((*loc, "members"), f"a list that includes the leader {faction.leader!r}",
               list(faction.members))  # fmt: skip
    return faction


def _bill(c: FieldChecker, raw, loc, start, institutions, regions, committees, whips) -> TabledBill:
    """One ``[[bills]]`` table: a move, a reversal or a framework act tabled on a date."""
    t = c.table(raw, loc, table_keys(TabledBill))
    kind = c.choice(t, "kind", loc, BILL_KINDS)
    free_vote = c.boolean(t, "free_vote", loc, default=False)
    whip_raw = c.value(t, "whip", {})
    if not isinstance(whip_raw, Mapping):
        c.fail((*loc, "whip"), "a table of party or faction code -> yes, no or free", whip_raw)
    for key in whip_raw:
        if key not in whips:
            c.fail((*loc, "whip", key), f"a party or faction code, {one_of(whips)}", key)
    bill = TabledBill(
        code=c.code(t, "code", loc),
        name=c.text(t, "name", loc, nonempty=True),
        kind=kind,
        institutions=c.refs(
            t, "institutions", loc, institutions, "institution code", nonempty=kind != "framework"
        ),
        destination=c.ref(
            t, "destination", loc, regions, "a receiving region", blank=kind == "framework"
        ),
        tabled=c.day(t, "tabled", loc),
        committee=c.ref(t, "committee", loc, committees, "a committee code", blank=True),
        threshold=c.choice(t, "threshold", loc, tuple(THRESHOLDS), default="majority"),
        free_vote=free_vote,
        whip={key: c.choice(whip_raw, key, (*loc, "whip"), tuple(WHIPS)) for key in whip_raw},
    )
    if bill.tabled < start:
        c.fail((*loc, "tabled"), f"a date on or after start ({start.isoformat()})", bill.tabled)
    if kind == "framework" and bill.destination:
        c.fail((*loc, "destination"), 'no destination ("") for a framework act', bill.destination)
    if free_vote and bill.whip:
        c.fail((*loc, "whip"), "no whips on a free vote (free_vote = true)", whip_raw)
    return bill


def _event(c: FieldChecker, raw, loc, start, named, ministries, parties) -> Event:
    """One ``[[events]]`` table: a named actor's new role, or a new head of government."""
    t = c.table(raw, loc, table_keys(Event))
    kind = c.choice(t, "kind", loc, EVENT_KINDS)
    day = c.day(t, "date", loc)
    if day < start:
        c.fail((*loc, "date"), f"a date on or after start ({start.isoformat()})", day)
    allowed = {"role": ("date", "kind", "who", "role", "ministry"),
               "executive": ("date", "kind", "who", "party", "partners")}[kind]  # fmt: skip
    c.table(t, loc, allowed)
    if kind == "executive":
        party = c.ref(t, "party", loc, parties, "a party code")
        partners = c.refs(t, "partners", loc, parties, "party code")
        if party in partners:
            c.fail((*loc, "partners"), "coalition partners other than the new executive's party",
                   list(partners))  # fmt: skip
        return Event(day, kind, c.text(t, "who", loc, nonempty=True), party=party,
                     partners=partners)  # fmt: skip
    who = c.ref(t, "who", loc, tuple(n.name for n in named), "a [[named]] actor")
    person = next(n for n in named if n.name == who)
    role = c.choice(t, "role", loc, ROLES)
    ministry = c.ref(t, "ministry", loc, ministries, "a ministry code", blank=True)
    if (role == "minister") != bool(ministry):
        what = "the minister's ministry" if role == "minister" else 'no ministry ("") for a ' + role
        c.fail((*loc, "ministry"), what, ministry)
    if role in OFFICE_ROLES and role != "minister" and person.seated:
        c.fail((*loc, "role"), f"a role a seated member can hold ({who} is seated)", role)
    if role in ("governor", "mayor") and not person.region:
        c.fail((*loc, "role"), f"a role that needs no region ({who} has none)", role)
    if role in ("committee_chair",) and not person.committees:
        c.fail((*loc, "role"), f"a role for a committee member ({who} sits on none)", role)
    return Event(day, kind, who, role=role, ministry=ministry)


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
            elif isinstance(default, str) and f.metadata.get("choices"):
                values[f.name] = c.choice(g, f.name, where, f.metadata["choices"])
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


def _check_seats(c: FieldChecker, parties, regions, loc: Loc, totals=None) -> None:
    """Each party's constituency seats (summed over regions) must fit in its seats.

    The difference is the party's proportional seats, so it must not be negative. ``totals``
    (party code -> seats) replaces the parties' own seats, for the table after an election;
    ``loc`` is where those totals sit.
    """
    constituency = count_constituency_seats(parties, regions)
    for i, party in enumerate(parties):
        seats = party.seats if totals is None else totals.get(party.code, 0)
        where = (*loc, i, "seats") if totals is None else (*loc, party.code)
        if constituency[party.code] > seats:
            c.fail(
                where,
                f"at least {constituency[party.code]} ({party.code}'s constituency seats "
                "summed over regions)",
                seats,
            )


def _check_labels(c: FieldChecker, parties: tuple[Party, ...]) -> None:
    """A label names one party: no other party's code, nor another party's label.

    Text shows a party by its label where it showed the code, so a label shared with another
    party would make a line or a legend name the wrong one.
    """
    owner: dict[str, tuple[Loc, str]] = {
        p.code: (("parties", i, "code"), p.code) for i, p in enumerate(parties)
    }
    for i, party in enumerate(parties):
        for j, renaming in enumerate(party.renamed):
            here: Loc = ("parties", i, "renamed", j, "label")
            where, code = owner.setdefault(renaming.label, (here, party.code))
            if code != party.code:
                c.fail(here, f"a label that is not another party's ({fmt_loc(where)} is "
                       f"{show(renaming.label)})", renaming.label)  # fmt: skip


def _check_assembly_size(c: FieldChecker, loc: Loc, seats: int) -> None:
    """An Assembly of at most MAX_SEATS seats (each is an agent of the run)."""
    if seats > MAX_SEATS:
        c.fail(loc, f"at most {MAX_SEATS} seats in all (the Assembly's size)", seats)


def _check_election_seats(c, loc: Loc, election: Election, parties, regions) -> None:
    """The seat table after a general election must itself add up (see ``seats_after``)."""
    if not election.seats:
        return
    after = tuple(replace(r, seats=election.region_seats.get(r.code, r.seats)) for r in regions)
    _check_seats(c, parties, after, (*loc, "seats"), election.seats)
    if sum(election.seats.values()) < 1:
        c.fail((*loc, "seats"), "at least one seat in all", election.seats)
    _check_assembly_size(c, (*loc, "seats"), sum(election.seats.values()))


def _check_clock(c, elections, office: str, horizon: date) -> None:
    """An election that decides the executive must be listed on or after the horizon.

    Otherwise the election clock would read "no election ahead" in the last weeks of the run,
    an artefact of where the scenario stops rather than a fact of the case.
    """
    kind = DECIDING_KIND[office]
    if not any(e.kind == kind and e.date >= horizon for e in elections):
        c.fail(
            ("elections",),
            f"a {kind} election dated on or after the horizon ({horizon.isoformat()}), so that "
            "the election clock always has one ahead",
            sorted(e.code for e in elections if e.kind == kind),
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


def _committee_codes(c: FieldChecker, raw: object) -> tuple[str, ...]:
    """The committees' codes: the keys of ``committee_sizes`` (at least one)."""
    loc: Loc = ("committee_sizes",)
    if not isinstance(raw, Mapping) or not raw:
        c.fail(loc, "a table of committee code -> size, with at least one committee", raw)
    for key in raw:
        if not is_code(key):
            c.fail((*loc, key), "a committee code (a letter, then letters, digits, _ or -)", key)
    return tuple(raw)


def _check_committees(c, raw: Mapping, named, total_seats: int) -> dict[str, int]:
    """Committee sizes: at least 1 and the named members on it, at most the Assembly's size."""
    loc: Loc = ("committee_sizes",)
    sizes = {}
    for committee in raw:
        on_it = sum(committee in person.committees for person in named)
        sizes[committee] = c.integer(raw, committee, loc, lo=max(1, on_it), hi=total_seats)
    return sizes


def _check_ministries(c, ministries: tuple[Ministry, ...]) -> None:
    """The roles the model looks up need a body each (the others are optional)."""
    present = {m.role for m in ministries}
    for role in REQUIRED_MINISTRY_ROLES:
        if role not in present:
            c.fail(
                ("ministries",),
                f"a ministry with role {role!r} among the [[ministries]]",
                sorted(present),
            )


def _check_factions(c, factions: tuple[Faction, ...]) -> None:
    """A named actor is in at most one faction; a party's shares add up to at most 1."""
    seen: dict[str, int] = {}
    share: dict[str, float] = {}
    for i, faction in enumerate(factions):
        for k, name in enumerate(faction.members):
            if name in seen:
                c.fail(("factions", i, "members", k),
                       f"an actor not already in factions[{seen[name]}]", name)  # fmt: skip
            seen[name] = i
        share[faction.party] = share.get(faction.party, 0.0) + faction.share
        if share[faction.party] > 1 + 1e-9:
            c.fail(("factions", i, "share"),
                   f"a share that keeps {faction.party}'s factions at or below 1 in all",
                   faction.share)  # fmt: skip


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
