"""A scenario turned into the arrays the submodels work on.

Regions, institutions (pools expanded one row per institution), unions and lawmakers become
index-aligned numpy arrays. The 300 lawmakers are generated from the seat counts: named actors
take their real seats, the rest of each region's seats by party are anonymous members, and
each party's remaining seats are proportional members without a constituency. Unseated party
officials (e.g. a party leader without a seat) are members of the graph but cast no votes.
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
    """Arrays for one run; ``rng`` draws anonymous members' labour ties and committee seats."""
    regions, parties, institutions = scenario.regions, scenario.parties, scenario.institutions
    region_index = {r.code: k for k, r in enumerate(regions)}
    party_index = {p.code: k for k, p in enumerate(parties)}
    total_seats = sum(p.seats for p in parties)

    inst_codes, inst_names, entry = expand_institutions(scenario)
    entry_inst = [institutions[k] for k in entry]
    clusters = [set(r.clusters) for r in regions]
    committees = list(scenario.committee_sizes)
    members = _members(scenario, region_index, party_index, committees, rng)
    names, number, party, region, seated, leader, labour, committee = members
    n_named = len(scenario.named)
    caucus_names = sorted({c for n in scenario.named for c in n.caucuses})
    caucus = np.zeros((len(names), len(caucus_names)), dtype=bool)
    for n in scenario.named:
        row = names.index(n.name)
        for c in n.caucuses:
            caucus[row, caucus_names.index(c)] = True

    defends = np.array(
        [[inst.code in u.institutions for inst in entry_inst] for u in scenario.unions], dtype=bool
    ).reshape(len(scenario.unions), len(entry_inst))
    return World(
        region_codes=[r.code for r in regions],
        region_names=[r.name for r in regions],
        receives=np.array([r.receives for r in regions]),
        capacity=np.array([r.lobbying_capacity for r in regions], dtype=float),
        hub=np.array([HUB_LEVEL[r.financial_hub] for r in regions]),
        seat_share=np.array([sum(r.seats.values()) for r in regions], dtype=float) / total_seats,
        source_region=next(k for k, r in enumerate(regions) if not r.receives),
        origin=np.array([region_index[i.origin] for i in entry_inst], dtype=int),
        inst_committee=np.array([committees.index(i.committee) for i in entry_inst], dtype=int),
        inst_codes=inst_codes,
        inst_names=inst_names,
        inst_entry=entry,
        staff=np.array([i.staff / i.count for i in entry_inst], dtype=float),
        needs_act=np.array([bool(i.hq_act) for i in entry_inst]),
        is_finance=np.array([i.sector == "finance" for i in entry_inst]),
        cluster_match=np.array([[i.sector in c for c in clusters] for i in entry_inst]),
        bids=np.array([[r.code in i.bids for r in regions] for i in entry_inst]),
        union_codes=[u.code for u in scenario.unions],
        defends=defends,
        union_members=np.array([u.members for u in scenario.unions], dtype=float),
        union_strength=np.array([u.strength for u in scenario.unions], dtype=float),
        party_codes=[p.code for p in parties],
        discipline=np.array([p.discipline for p in parties], dtype=float),
        cohesion=np.array([p.cohesion for p in parties], dtype=float),
        pledge=np.array([p.pledge for p in parties], dtype=float),
        names=names,
        member_number=number,
        member_party=party,
        member_region=region,
        seated=seated,
        leader=leader,
        labour=labour,
        committee=committee,
        chair=_chairs(committee, party, party_index[scenario.executive.party], rng),
        caucus=caucus,
        caucus_names=caucus_names,
        committee_codes=committees,
        **_factions(scenario, names, party, n_named, party_index, rng),
    )


def _factions(scenario, names, party, n_named, party_index, rng) -> dict:
    """Faction of every member: named members as listed, anonymous ones drawn by share.

    Each anonymous member of a party joins one of its factions with that faction's ``share``
    as probability (none with the rest), one draw per member in member order.
    """
    factions = scenario.factions
    faction = np.full(len(names), -1, dtype=int)
    leader = np.zeros(len(names), dtype=bool)
    for f, spec in enumerate(factions):
        for name in spec.members:
            faction[names.index(name)] = f
        if spec.leader:
            leader[names.index(spec.leader)] = True
    for p in sorted({party_index[spec.party] for spec in factions}):
        own = [f for f, spec in enumerate(factions) if party_index[spec.party] == p]
        share = np.array([factions[f].share for f in own])
        anonymous = np.nonzero(party[n_named:] == p)[0] + n_named
        pick = rng.random(len(anonymous))
        edges = np.cumsum(share)
        slot = np.searchsorted(edges, pick, side="right")  # len(own): in no faction
        joined = slot < len(own)
        faction[anonymous[joined]] = np.array(own, dtype=int)[slot[joined]]
    return {
        "faction": faction,
        "faction_leader": leader,
        "faction_codes": [spec.code for spec in factions],
        "faction_party": np.array([party_index[spec.party] for spec in factions], dtype=int),
        "faction_stance": np.array([spec.stance for spec in factions], dtype=float),
    }


def _members(scenario, region_index, party_index, committees, rng):
    """Generate every member: named actors first, then anonymous and proportional members."""
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
    labour_share = np.array([par.labour_ties for par in scenario.parties])
    party_arr = np.array(party, dtype=int)
    new_labour = rng.random(n_new) < labour_share[party_arr[n_named:]]
    labour += new_labour.tolist()
    committee = np.array(committee + [[False] * len(committees)] * n_new, dtype=bool)
    committee = committee.reshape(len(names), len(committees))
    _fill_committees(committee, party_arr, np.array(seated), scenario, rng)
    return (
        names,
        np.array(number, dtype=int),
        party_arr,
        np.array(region, dtype=int),
        np.array(seated),
        np.array(leader),
        np.array(labour),
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


def _fill_committees(committee, party, seated, scenario, rng):
    """Fill each committee to its size, seats shared among parties by largest remainder."""
    free = seated & ~committee.any(axis=1)
    seats = np.bincount(party[seated], minlength=len(scenario.parties)).astype(float)
    for c, name in enumerate(scenario.committee_sizes):
        size = scenario.committee_sizes[name]
        quota = _largest_remainder(seats, size)
        quota -= np.bincount(party[committee[:, c]], minlength=len(quota))
        for p in np.nonzero(quota > 0)[0]:
            pool = np.nonzero(free & (party == p))[0]
            chosen = rng.choice(pool, size=min(quota[p], len(pool)), replace=False)
            committee[chosen, c] = True
            free[chosen] = False


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
