"""A scenario turned into the arrays the submodels work on.

Regions, institutions (pools expanded one row per institution), unions and lawmakers become
index-aligned numpy arrays. The 300 lawmakers are generated from the seat counts: named actors
take their real seats, the rest of each region's seats by party are anonymous members, and
each party's remaining seats are proportional members without a constituency. Unseated party
officials (e.g. a party leader without a seat) are members of the graph but cast no votes.

All of that is the scenario's alone, and is computed once per scenario object (``fixed_part``);
a run's seed draws the rest: the anonymous members' labour ties, committee seats and factions,
and each committee's chair.
"""

from dataclasses import dataclass

import numpy as np

from sim.scenario import Scenario

HUB_LEVEL = {"designated": 1.0, "pledged": 0.7, "none": 0.0}  # assumption: a pledge half-binds
NO_REGION = -1


@dataclass(frozen=True)
class World:
    """Static arrays of one run. Index order follows the scenario's lists."""

    region_codes: list[str]
    region_names: list[str]
    receives: np.ndarray
    capacity: np.ndarray
    hub: np.ndarray
    seat_share: np.ndarray
    source_region: int  # the first region that does not receive (the usual single origin)
    inst_codes: list[str]
    inst_names: list[str]
    inst_entry: np.ndarray  # index of the scenario entry (pool) each institution comes from
    origin: np.ndarray  # (I,) region index each institution would move from
    inst_committee: np.ndarray  # (I,) index of the committee that handles its HQ Act
    staff: np.ndarray
    needs_act: np.ndarray
    is_finance: np.ndarray
    cluster_match: np.ndarray
    bids: np.ndarray
    union_codes: list[str]
    defends: np.ndarray
    union_members: np.ndarray
    union_strength: np.ndarray
    party_codes: list[str]
    discipline: np.ndarray
    cohesion: np.ndarray
    pledge: np.ndarray
    names: list[str]  # identifiers: an anonymous member's names her party by its code
    member_number: np.ndarray  # (N,) an anonymous member's number in her name, 0 for a named actor
    member_party: np.ndarray
    member_region: np.ndarray
    seated: np.ndarray
    leader: np.ndarray
    labour: np.ndarray
    committee: np.ndarray
    chair: np.ndarray  # (C,) member index chairing each committee
    caucus: np.ndarray
    caucus_names: list[str]
    committee_codes: list[str]
    faction: np.ndarray  # (N,) faction index, -1 for none
    faction_leader: np.ndarray  # (N,) bool: leads a faction
    faction_codes: list[str]
    faction_party: np.ndarray  # (F,) party index of each faction
    faction_stance: np.ndarray  # (F,) each faction's support for the relocation at the start

    def shown_name(self, i: int, party: str) -> str:
        """Member ``i``'s name with her party shown as ``party``; a named actor's own name.

        ``names`` are identifiers and keep the party's code; text shows the party by the label
        it went by on the day (``RelocationModel.member_label``).
        """
        number = int(self.member_number[i])
        if not number:
            return self.names[i]
        region = self.member_region[i]
        return anonymous_name(self.region_names[region] if region != NO_REGION else "", party,
                              number)  # fmt: skip


def anonymous_name(region: str, party: str, number: int) -> str:
    """An anonymous member's name: ``Busan UFP member 3``, or ``UFP proportional member 2``.

    Args:
        region: Her region's name, or ``""`` for a proportional member.
        party: Her party as the name shows it: its code in identifiers, its label in text.
        number: Her number among her region's (or list's) anonymous members of the party.
    """
    if region:
        return f"{region} {party} member {number}"
    return f"{party} proportional member {number}"


def expand_institutions(scenario: Scenario) -> tuple[list[str], list[str], np.ndarray]:
    """Codes, names and entry index of every institution, pools expanded as CODE_01, CODE_02..."""
    codes, names, entry = [], [], []
    for k, inst in enumerate(scenario.institutions):
        if inst.count == 1:
            codes.append(inst.code)
            names.append(inst.name)
            entry.append(k)
            continue
        for m in range(1, inst.count + 1):
            codes.append(f"{inst.code}_{m:02d}")
            names.append(f"{inst.name} #{m}")
            entry.append(k)
    return codes, names, np.array(entry, dtype=int)


def build_world(scenario: Scenario, rng: np.random.Generator) -> World:
    """Arrays for one run.

    What the scenario fixes whatever the seed is computed once per scenario (``fixed_part``);
    ``rng`` draws the rest, in this order: the anonymous members' labour ties, the committee
    seats left to fill, each committee's chair (a chair the scenario names replaces the draw,
    so that naming one leaves every later draw as it was), and the anonymous members' factions.
    """
    fixed = fixed_part(scenario)
    party = fixed.fields["member_party"]
    drawn_labour = rng.random(len(fixed.labour_chance)) < fixed.labour_chance
    committee = _fill_committees(fixed, rng)
    drawn_chair = _chairs(committee, party, fixed.executive, rng)  # drawn even where one is named
    return World(
        **{name: _copy(value) for name, value in fixed.fields.items()},
        labour=np.concatenate([fixed.labour, drawn_labour]),
        committee=committee,
        chair=np.where(fixed.chair >= 0, fixed.chair, drawn_chair),
        faction=_draw_factions(fixed, rng),
    )


@dataclass(frozen=True)
class Fixed:
    """What a scenario fixes of its worlds, whatever the seed (``fixed_part``).

    Attributes:
        fields: The World's fields that no draw touches; each World gets copies of them, so
            that a run changing its own (``RelocationModel.apply_roles``) leaves this alone.
        labour: (n_named,) bool, the named members' labour ties.
        labour_chance: (N - n_named,) the anonymous members' chance of labour ties: their
            party's ``labour_ties`` share.
        committee: (N, C) bool, the named members' committee seats.
        free: (N,) bool, seated members on no committee yet: those the draws may seat.
        quota: (C, P) seats each party fills by draw on each committee.
        executive: Party index of the executive, whose members chair committees first.
        chair: (C,) the named member who chairs each committee (a seated ``committee_chair`` on
            it), -1 where the scenario names none and the chair is drawn.
        faction: (N,) the named members' factions, -1 for the others.
        faction_draws: For each party with factions, in party order: its anonymous members,
            its factions and their cumulative shares (``_draw_factions``).
    """

    fields: dict
    labour: np.ndarray
    labour_chance: np.ndarray
    committee: np.ndarray
    free: np.ndarray
    quota: np.ndarray
    executive: int
    chair: np.ndarray
    faction: np.ndarray
    faction_draws: tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ...]


_FIXED = "_world_fixed"  # where a Scenario keeps its Fixed


def fixed_part(scenario: Scenario) -> Fixed:
    """The scenario's Fixed: computed on first use, then kept on the scenario object.

    Batch runs build a world for every seed of one loaded scenario (``load_scenario`` caches
    it), and most of a world (names, seats, institutions' arrays) is the scenario's alone.
    The cache cannot go stale: a Scenario is frozen, and a changed one (``dataclasses.replace``,
    as in ``Scenario.seated_after``) is a new object, without the cache. It holds nothing
    drawn, so no seed's world leaks into another's.
    """
    fixed = scenario.__dict__.get(_FIXED)
    if fixed is None:
        fixed = _fix(scenario)
        object.__setattr__(scenario, _FIXED, fixed)  # frozen: plain assignment would raise
    return fixed


def _copy(value):
    """A fresh copy of a World field: arrays and lists are mutable."""
    if isinstance(value, np.ndarray | list):
        return value.copy()
    return value


def _fix(scenario: Scenario) -> Fixed:
    """Compute what ``scenario`` fixes of its worlds (``Fixed``); no random draw here."""
    regions, parties, institutions = scenario.regions, scenario.parties, scenario.institutions
    region_index = {r.code: k for k, r in enumerate(regions)}
    party_index = {p.code: k for k, p in enumerate(parties)}
    total_seats = sum(p.seats for p in parties)

    inst_codes, inst_names, entry = expand_institutions(scenario)
    entry_inst = [institutions[k] for k in entry]
    clusters = [set(r.clusters) for r in regions]
    committees = list(scenario.committee_sizes)
    members = _members(scenario, region_index, party_index, committees)
    names, number, party, region, seated, leader, labour, committee = members
    row = {}  # a name's first row, as names.index finds it, without a search per name
    for k, name in enumerate(names):
        row.setdefault(name, k)
    n_named = len(scenario.named)
    caucus_names = sorted({c for n in scenario.named for c in n.caucuses})
    caucus = np.zeros((len(names), len(caucus_names)), dtype=bool)
    for n in scenario.named:
        for c in n.caucuses:
            caucus[row[n.name], caucus_names.index(c)] = True

    defends = np.array(
        [[inst.code in u.institutions for inst in entry_inst] for u in scenario.unions], dtype=bool
    ).reshape(len(scenario.unions), len(entry_inst))
    fields = {
        "region_codes": [r.code for r in regions],
        "region_names": [r.name for r in regions],
        "receives": np.array([r.receives for r in regions]),
        "capacity": np.array([r.lobbying_capacity for r in regions], dtype=float),
        "hub": np.array([HUB_LEVEL[r.financial_hub] for r in regions]),
        "seat_share": np.array([sum(r.seats.values()) for r in regions], dtype=float) / total_seats,
        "source_region": next(k for k, r in enumerate(regions) if not r.receives),
        "origin": np.array([region_index[i.origin] for i in entry_inst], dtype=int),
        "inst_committee": np.array([committees.index(i.committee) for i in entry_inst], dtype=int),
        "inst_codes": inst_codes,
        "inst_names": inst_names,
        "inst_entry": entry,
        "staff": np.array([i.staff / i.count for i in entry_inst], dtype=float),
        "needs_act": np.array([bool(i.hq_act) for i in entry_inst]),
        "is_finance": np.array([i.sector == "finance" for i in entry_inst]),
        "cluster_match": np.array([[i.sector in c for c in clusters] for i in entry_inst]),
        "bids": np.array([[r.code in i.bids for r in regions] for i in entry_inst]),
        "union_codes": [u.code for u in scenario.unions],
        "defends": defends,
        "union_members": np.array([u.members for u in scenario.unions], dtype=float),
        "union_strength": np.array([u.strength for u in scenario.unions], dtype=float),
        "party_codes": [p.code for p in parties],
        "discipline": np.array([p.discipline for p in parties], dtype=float),
        "cohesion": np.array([p.cohesion for p in parties], dtype=float),
        "pledge": np.array([p.pledge for p in parties], dtype=float),
        "names": names,
        "member_number": number,
        "member_party": party,
        "member_region": region,
        "seated": seated,
        "leader": leader,
        "caucus": caucus,
        "caucus_names": caucus_names,
        "committee_codes": committees,
        **_fixed_factions(scenario, row, len(names), party_index),
    }
    labour_share = np.array([par.labour_ties for par in parties])
    return Fixed(
        fields=fields,
        labour=labour,
        labour_chance=labour_share[party[n_named:]],
        committee=committee,
        free=seated & ~committee.any(axis=1),
        quota=_quotas(committee, party, seated, scenario),
        executive=party_index[scenario.executive.party],
        chair=_named_chairs(scenario, row, committee),
        faction=_named_factions(scenario, row, len(names)),
        faction_draws=_faction_draws(scenario, party, n_named, party_index),
    )


def _fixed_factions(scenario, row, n, party_index) -> dict:
    """The World's faction fields that no draw touches (``row``: a name's member index)."""
    factions = scenario.factions
    leader = np.zeros(n, dtype=bool)
    for spec in factions:
        if spec.leader:
            leader[row[spec.leader]] = True
    return {
        "faction_leader": leader,
        "faction_codes": [spec.code for spec in factions],
        "faction_party": np.array([party_index[spec.party] for spec in factions], dtype=int),
        "faction_stance": np.array([spec.stance for spec in factions], dtype=float),
    }


def _named_chairs(scenario, row, committee) -> np.ndarray:
    """(C,) each committee's named chair: a seated ``committee_chair`` on it, -1 for none.

    A chair sits on her committee, so one who lost her seat at an election chairs no more.
    """
    chair = np.full(committee.shape[1], -1, dtype=int)
    for n in scenario.named:
        if n.role == "committee_chair":
            k = row[n.name]
            for c in np.flatnonzero(committee[k] & (chair < 0)):
                chair[c] = k
    return chair


def _named_factions(scenario, row, n) -> np.ndarray:
    """(N,) the faction of every named member the scenario lists in one, -1 elsewhere."""
    faction = np.full(n, -1, dtype=int)
    for f, spec in enumerate(scenario.factions):
        for name in spec.members:
            faction[row[name]] = f
    return faction


def _faction_draws(scenario, party, n_named, party_index) -> tuple:
    """For each party with factions, in party order: (anonymous members, factions, edges).

    ``edges`` are the factions' cumulative shares: a uniform number below the first edge joins
    the first faction, and so on; one above the last joins none.
    """
    factions = scenario.factions
    draws = []
    for p in sorted({party_index[spec.party] for spec in factions}):
        own = [f for f, spec in enumerate(factions) if party_index[spec.party] == p]
        share = np.array([factions[f].share for f in own])
        anonymous = np.nonzero(party[n_named:] == p)[0] + n_named
        draws.append((anonymous, np.array(own, dtype=int), np.cumsum(share)))
    return tuple(draws)


def _draw_factions(fixed: Fixed, rng) -> np.ndarray:
    """Faction of every member: named members as listed, anonymous ones drawn by share.

    Each anonymous member of a party joins one of its factions with that faction's ``share``
    as probability (none with the rest), one draw per member in member order.
    """
    faction = fixed.faction.copy()
    for anonymous, own, edges in fixed.faction_draws:
        pick = rng.random(len(anonymous))
        slot = np.searchsorted(edges, pick, side="right")  # len(own): in no faction
        joined = slot < len(own)
        faction[anonymous[joined]] = own[slot[joined]]
    return faction


def _members(scenario, region_index, party_index, committees):
    """Every member, named actors first, then anonymous and proportional members.

    Returns:
        names, number, party, region, seated, leader, the named members' labour ties and
        the named members' committee seats ((N, C), anonymous members on none yet).
    """
    names, party, region, seated, leader, labour, committee = [], [], [], [], [], [], []
    taken: dict[tuple[int, int], int] = {}
    free = _free_seats(scenario, region_index, party_index)
    for n in scenario.named:
        # Validation guarantees a seated named member a seat of their region and party (or a
        # proportional seat when region is "") at the start; after a general election that
        # changed the seats, a named member whose seat is gone sits no more (and leaves their
        # committees). An unseated actor keeps the region as a base.
        r, p = region_index.get(n.region, NO_REGION), party_index[n.party]
        sits = n.seated and taken.get((r, p), 0) < free.get((r, p), 0)
        if sits:
            taken[(r, p)] = taken.get((r, p), 0) + 1
        names.append(n.name)
        party.append(p)
        region.append(r)
        seated.append(sits)
        leader.append(n.role in ("leader", "floor_leader"))
        labour.append(n.labour_ties)
        committee.append([sits and c in n.committees for c in committees])
    n_named = len(names)
    number = [0] * n_named
    for r, reg in enumerate(scenario.regions):
        for code, seats in reg.seats.items():
            p = party_index[code]
            for m in range(seats - taken.get((r, p), 0)):
                names.append(anonymous_name(reg.name, code, m + 1))
                number.append(m + 1)
                party.append(p)
                region.append(r)
    for p, par in enumerate(scenario.parties):
        constituency = sum(reg.seats.get(par.code, 0) for reg in scenario.regions)
        for m in range(par.seats - constituency - taken.get((NO_REGION, p), 0)):
            names.append(anonymous_name("", par.code, m + 1))
            number.append(m + 1)
            party.append(p)
            region.append(NO_REGION)
    n_new = len(names) - n_named
    seated += [True] * n_new
    leader += [False] * n_new
    committee = np.array(committee + [[False] * len(committees)] * n_new, dtype=bool)
    committee = committee.reshape(len(names), len(committees))
    return (
        names,
        np.array(number, dtype=int),
        np.array(party, dtype=int),
        np.array(region, dtype=int),
        np.array(seated),
        np.array(leader),
        np.array(labour, dtype=bool),
        committee,
    )


def _free_seats(scenario, region_index, party_index) -> dict[tuple[int, int], int]:
    """Seats by (region index, party index); NO_REGION holds each party's list seats."""
    free = {}
    for r, reg in enumerate(scenario.regions):
        for code, seats in reg.seats.items():
            free[(r, party_index[code])] = seats
    for p, par in enumerate(scenario.parties):
        constituency = sum(reg.seats.get(par.code, 0) for reg in scenario.regions)
        free[(NO_REGION, p)] = par.seats - constituency
    return free


def _quotas(committee, party, seated, scenario) -> np.ndarray:
    """(C, P) seats each party fills by draw on each committee, beyond its named members.

    Each committee's seats are shared among parties by largest remainder of their seats.
    """
    seats = np.bincount(party[seated], minlength=len(scenario.parties)).astype(float)
    quota = np.zeros((len(scenario.committee_sizes), len(scenario.parties)), dtype=int)
    for c, size in enumerate(scenario.committee_sizes.values()):
        quota[c] = _largest_remainder(seats, size)
        quota[c] -= np.bincount(party[committee[:, c]], minlength=len(scenario.parties))
    return quota


def _fill_committees(fixed: Fixed, rng) -> np.ndarray:
    """(N, C) committee seats: the named members', each committee filled to its size by draw.

    A party's drawn seats (``Fixed.quota``) go to its free members, drawn without
    replacement, committee by committee; a member takes one drawn seat at most.
    """
    committee = fixed.committee.copy()
    party, free = fixed.fields["member_party"], fixed.free.copy()
    for c, quota in enumerate(fixed.quota):
        for p in np.nonzero(quota > 0)[0]:
            pool = np.nonzero(free & (party == p))[0]
            chosen = rng.choice(pool, size=min(quota[p], len(pool)), replace=False)
            committee[chosen, c] = True
            free[chosen] = False
    return committee


def _largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integer seats proportional to ``weights`` summing to ``total`` (Hamilton's method)."""
    exact = weights / weights.sum() * total
    seats = np.floor(exact).astype(int)
    order = np.argsort(-(exact - seats), kind="stable")
    seats[order[: total - seats.sum()]] += 1
    return seats


def _chairs(committee, party, executive, rng):
    """Each committee's chair: a random member of the executive's party on it, else anyone.

    The DP took every committee chair in 2020 [recall].
    """
    chairs = []
    for c in range(committee.shape[1]):
        on = np.nonzero(committee[:, c])[0]
        ruling = on[party[on] == executive]
        pool = ruling if len(ruling) else on
        chairs.append(int(rng.choice(pool)) if len(pool) else -1)
    return np.array(chairs, dtype=int)
