"""What a scenario is: the frozen dataclasses a scenario file turns into (schema: docs/scenario.md).

Reading, checking and overriding scenario files live elsewhere (sim.scenario and its helper
modules); this module only defines the objects, the allowed values of their enumerated fields,
and two small helpers about them.
"""

from dataclasses import dataclass, fields
from datetime import date

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
