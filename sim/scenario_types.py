"""What a scenario is: the frozen dataclasses a scenario file turns into (schema: docs/scenario.md).

Reading, checking and overriding scenario files live elsewhere (sim.scenario and its helper
modules); this module only defines the objects, the allowed values of their enumerated fields,
and two small helpers about them.
"""

from dataclasses import dataclass, field, fields, replace
from datetime import date

from sim.parameters import Parameters

ELECTION_KINDS = (
    "presidential",
    "general",
    "upper_house",
    "leadership",
    "regional",
    "local",
    "by",
    "european",
    "referendum",
)
# How much an election of each kind counts on the executive's clock when the scenario gives no
# weight. Assumption: the elections that can change the executive count fully; a second
# chamber's less; subnational, by- and European elections as the local elections of the Korean
# cases (0.3), regional ones a little more (a whole region's government is at stake).
ELECTION_WEIGHT = {
    "presidential": 1.0,
    "general": 1.0,
    "upper_house": 0.6,
    "leadership": 0.5,
    "regional": 0.4,
    "local": 0.3,
    "by": 0.3,
    "european": 0.3,
    "referendum": 0.3,
}
RESULTS = ("", "ruling_wins", "ruling_loses")
OFFICES = ("president", "prime_minister")
DECIDING_KIND = {"president": "presidential", "prime_minister": "general"}
"""The kind of election that decides who holds each office."""
HUB_STATUSES = ("designated", "pledged", "none")
LAWMAKER_ROLES = ("leader", "floor_leader", "committee_chair", "member")
OFFICE_ROLES = ("minister", "governor", "mayor", "official")
ROLES = LAWMAKER_ROLES + OFFICE_ROLES
MINISTRY_ROLES = ("coordinator", "drafter", "competent", "budget", "deliberation")
REQUIRED_MINISTRY_ROLES = ("coordinator", "drafter")
BILL_KINDS = ("move", "reversal", "framework")
THRESHOLDS = {"majority": 0.5, "three_fifths": 0.6, "two_thirds": 2 / 3}
WHIPS = {"yes": 1.0, "no": -1.0, "free": 0.0}
# How the legislature's rules treat an abstention: it counts against a bill (a majority of the
# members present is needed: Korea's Constitution Art. 49, Japan's Art. 56), it is not counted
# (a majority of the votes cast: Germany's Basic Law Art. 42(2)), or members present may not
# abstain (Norway's Storting, whose members present must vote).
ABSTENTIONS = ("count_against", "not_counted", "barred")
EVENT_KINDS = ("role", "executive")
LABEL_SPAN = " → "  # between a party's labels over a period that spans a renaming


@dataclass(frozen=True)
class Executive:
    """The head of government at the start: a president or a prime minister.

    Attributes:
        office: One of OFFICES; it says which kind of election decides the executive.
        name: The head of government's name, or ``""``.
        party: Party code of the head of government.
        partners: Coalition partners in government (party codes).
    """

    office: str
    name: str
    party: str
    partners: tuple[str, ...]


@dataclass(frozen=True)
class Election:
    """A dated election and what its result does to the executive and the seats.

    Attributes:
        code: Identifier, e.g. ``"presidential_2022"``.
        kind: One of ELECTION_KINDS.
        date: Polling day (may lie after the horizon: it then only sets the election clock).
        weight: How much this election counts on the executive's blame-avoidance clock (0-1).
        p_ruling_win: Ex-ante probability that the ruling side keeps (or, for by/local, wins) it.
        result: ``""`` (drawn with ``p_ruling_win``), ``"ruling_wins"`` or ``"ruling_loses"``:
            a realised result taken as given.
        seats: Total seats by party after a general election (empty: unchanged).
        region_seats: Constituency seats by region and party after it (regions not listed
            keep theirs).
        handover_days: Days from polling day until a winner who unseats the executive takes
            office (0: at once). Until then the defeated executive is a caretaker and announces
            nothing. A delay, not a date, so that moving an election moves its handover.
    """

    code: str
    kind: str
    date: date
    weight: float
    p_ruling_win: float
    result: str = ""
    seats: dict[str, int] = field(default_factory=dict)
    region_seats: dict[str, dict[str, int]] = field(default_factory=dict)
    handover_days: int = 0


@dataclass(frozen=True)
class Renaming:
    """A party's new label and name from a day on.

    Attributes:
        on: The first day the party went by the new label.
        label: What people called the party from then on, shown where its code was (``"PPP"``).
        name: Its full name from then on.
    """

    on: date
    label: str
    name: str


@dataclass(frozen=True)
class Party:
    """A party (or bloc with its satellite) in the National Assembly.

    Attributes:
        code: Short code used everywhere else (``"DP"``); a renaming never changes it, so that
            seat tables, overrides and stored results keep naming the party one way.
        name: Full name.
        seats: All seats, constituency plus proportional.
        discipline: Susceptibility of members to party influence, 0-1.
        cohesion: Density multiplier of within-party ties, 0-1.
        pledge: The leadership's support for announcing relocation now, 0-1.
        labour_ties: Share of members with labour-union ties, 0-1.
        renamed: The party's renamings, in date order; before the first, its label is its code.
    """

    code: str
    name: str
    seats: int
    discipline: float
    cohesion: float
    pledge: float
    labour_ties: float
    renamed: tuple[Renaming, ...] = ()

    def label_on(self, day: date) -> str:
        """What people called the party on ``day``: its code, or its last renaming's label."""
        renaming = self.renaming_on(day)
        return renaming.label if renaming else self.code

    def name_on(self, day: date) -> str:
        """The party's full name on ``day``."""
        renaming = self.renaming_on(day)
        return renaming.name if renaming else self.name

    def renaming_on(self, day: date) -> Renaming | None:
        """The last renaming on or before ``day``, or None while the party kept its first name."""
        earlier = [r for r in self.renamed if r.on <= day]
        return earlier[-1] if earlier else None


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
        origin: Code of the (non-receiving) region it would move from.
        committee: Code of the committee that handles its HQ Act.
    """

    code: str
    name: str
    staff: int
    sector: str
    ministry: str
    hq_act: str
    bids: tuple[str, ...]
    count: int
    origin: str = ""
    committee: str = ""


@dataclass(frozen=True)
class NamedLawmaker:
    """A named actor placed at a real role and district.

    Attributes:
        name: Name as romanised in the press.
        party: Party code.
        region: Region code of the district (for an unseated actor, their political base).
        district: District name, or ``""``.
        role: One of ROLES: a lawmaker's role, or an office outside the legislature
            (minister, governor, mayor, party official).
        seated: False for actors who hold no seat (not counted in votes).
        committees: Codes of the scenario's committees they sit on.
        caucuses: Caucus names; members of one caucus are tied to each other.
        labour_ties: Whether unions can press this member.
        ministry: The ministry's code for a minister, else ``""``.
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
    ministry: str = ""


@dataclass(frozen=True)
class Faction:
    """A named faction inside a party.

    Attributes:
        code: Identifier; bills' whips may address it.
        name: Display name.
        party: Party code.
        leader: Name of the named actor who leads it, or ``""``.
        members: Names of the named actors in it (the leader among them).
        share: Share of the party's anonymous members in it, 0-1.
        stance: The faction's support for the relocation at the start, 0-1.
    """

    code: str
    name: str
    party: str
    leader: str
    members: tuple[str, ...]
    share: float
    stance: float


@dataclass(frozen=True)
class TabledBill:
    """A bill the scenario tables on a date: a move, a reversal or a framework act.

    Attributes:
        code: Identifier.
        name: Display name.
        kind: One of BILL_KINDS.
        institutions: Institution codes it moves or reverses (may be empty for a framework).
        destination: Region code: where a move sends them, or where a reversal takes them
            from; ``""`` for a framework act.
        tabled: The day it goes to committee (or, without one, to the floor).
        committee: Committee code, or ``""`` for straight to the floor.
        threshold: One of THRESHOLDS: the share of members voting needed on the floor.
        free_vote: True when no party whips.
        whip: Party or faction code -> one of WHIPS; a faction's entry overrides its party's.
    """

    code: str
    name: str
    kind: str
    institutions: tuple[str, ...]
    destination: str
    tabled: date
    committee: str
    threshold: str
    free_vote: bool
    whip: dict[str, str]


@dataclass(frozen=True)
class Event:
    """A dated change of role: a named actor's new role, or a new head of government.

    Attributes:
        date: When it happens.
        kind: One of EVENT_KINDS.
        who: The named actor (``role``), or the new head of government (``executive``).
        role: The actor's new role (``role`` events), else ``""``.
        ministry: The ministry of a new minister, else ``""``.
        party: The new head of government's party (``executive`` events), else ``""``.
        partners: The new government's coalition partners (``executive`` events).
    """

    date: date
    kind: str
    who: str
    role: str = ""
    ministry: str = ""
    party: str = ""
    partners: tuple[str, ...] = ()


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
        executive: The head of government at the start (office, name, party, partners).
        challenger: Party code that takes the executive if the ruling party loses.
        elections: Elections on or after start, in date order (one dated after the horizon
            is allowed and simply never happens in the run).
        parties: Parties of the Assembly.
        regions: Regions, the capital region included.
        institutions: Relocatable institutions and pools.
        committee_sizes: Seats on each of the scenario's committees, by committee code.
        named: Named lawmakers and party officials.
        unions: Unions.
        ministries: Ministries and presidential bodies.
        flagship: Institution code a new government designates first, or ``""``.
        flagship_region: Region the flagship goes to.
        flagship_party: Party whose leader pledged the flagship; it designates it once it
            holds the executive (``""`` without a flagship).
        parameters: Mechanism parameters.
        country: ISO 3166-1 alpha-2 code of the country, or ``""``.
        abstentions: How the legislature counts an abstention, one of ABSTENTIONS.
        factions: Named factions inside parties.
        bills: Bills tabled on a date.
        events: Dated changes of role, in date order.
        drafting_since: The day, before ``start``, from which a government body tasked with
            the plan had what it needed to draft it (its mandate, and the candidates); None if
            drafting begins at the start. The draft is then that many weeks along at the start.
        source: Path of the TOML file the scenario came from (for error messages).
    """

    name: str
    title: str
    start: date
    horizon: date
    executive: Executive
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
    country: str = ""
    abstentions: str = "not_counted"
    factions: tuple[Faction, ...] = ()
    bills: tuple[TabledBill, ...] = ()
    events: tuple[Event, ...] = ()
    drafting_since: date | None = None
    source: str = ""

    def election(self, code: str) -> Election:
        """Return the election with this code; KeyError if there is none."""
        return _by_code(self.elections, code)

    def party(self, code: str) -> Party:
        """Return the party with this code; KeyError if there is none."""
        return _by_code(self.parties, code)

    def party_label(self, code: str, day: date, until: date | None = None) -> str:
        """How people called a party on ``day``: the one way text shows a party.

        Codes stay fixed for the data (seat tables, overrides, outcomes); a party renamed in
        the window is shown by the label it went by on the day a line or mark speaks of.

        Args:
            code: The party's code.
            day: The day shown.
            until: With a later day, the labels in force from ``day`` to ``until``, in order,
                for what spans a period (a figure's legend): ``"UFP → PPP"``.

        Returns:
            The label, e.g. ``"UFP"`` on 2020-09-01 and ``"PPP"`` on 2020-09-02.

        Raises:
            KeyError: If no party has this code.
        """
        party = self.party(code)
        labels = [party.label_on(day)]
        for renaming in party.renamed:
            if until is not None and day < renaming.on <= until:
                labels.append(renaming.label)
        return LABEL_SPAN.join(labels)

    def region(self, code: str) -> Region:
        """Return the region with this code; KeyError if there is none."""
        return _by_code(self.regions, code)

    def institution(self, code: str) -> Institution:
        """Return the institution (or pool) with this code; KeyError if there is none."""
        return _by_code(self.institutions, code)

    def seated_after(self, election: Election) -> "Scenario":
        """The scenario with the seat table of a general election that gives one.

        Parties take the election's seats (0 for a party it does not list); regions listed in
        its ``region_seats`` take those constituency seats, the others keep theirs.
        """
        if not election.seats:
            return self
        parties = tuple(replace(p, seats=election.seats.get(p.code, 0)) for p in self.parties)
        regions = tuple(
            replace(r, seats=election.region_seats.get(r.code, r.seats)) for r in self.regions
        )
        return replace(self, parties=parties, regions=regions)

    def deciding_elections(self) -> tuple[Election, ...]:
        """The elections that decide who holds the executive's office, in date order."""
        kind = DECIDING_KIND[self.executive.office]
        return tuple(e for e in self.elections if e.kind == kind)

    def constituency_seats(self) -> dict[str, int]:
        """Constituency seats of each party, summed over regions."""
        return count_constituency_seats(self.parties, self.regions)

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


def count_constituency_seats(
    parties: tuple[Party, ...], regions: tuple[Region, ...]
) -> dict[str, int]:
    """Constituency seats of each party (in party order), summed over ``regions``."""
    totals = dict.fromkeys((p.code for p in parties), 0)
    for region in regions:
        for party, seats in region.seats.items():
            totals[party] += seats
    return totals


def table_keys(cls) -> tuple[str, ...]:
    """The TOML keys of a table: the fields of its dataclass (``source`` is not written)."""
    return tuple(f.name for f in fields(cls) if f.name != "source")
