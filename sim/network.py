"""The party-ties graph over lawmakers, drawn from scenario parameters and the model's RNG.

Kinds of tie (model-anchors.md section 2; what each kind stands for is an assumption in the
spirit of Korean party politics, summarised in docs/model.md):
- ``party``: within-party peer ties, density ``within_party_density * cohesion`` of the party;
- ``leader``: every member listens to their party's leader and floor leader (one-way);
- ``region``: members of one region, of any party, with ``region_tie_prob`` (regional interest
  crosses party lines);
- ``committee``: members of one committee with ``committee_tie_prob``;
- ``caucus``: all members of one caucus, e.g. the innovation-city caucus;
- ``faction``: members of one faction inside a party, with ``within_party_density`` (a
  faction is a party within the party: Carey 2007, model-anchors.md section 8); its members
  also listen to its leader, as a ``leader`` tie.

Ties are drawn as numpy arrays, so that a run pays microseconds, not milliseconds, for them.
``ties_graph`` turns the same edge list into a networkx graph for analysis and drawing.
"""

from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy import sparse

from sim.parameters import NetworkParams

KINDS = ("party", "region", "committee", "caucus", "leader", "faction")


@dataclass(frozen=True)
class Ties:
    """An edge list: member ``source[k]`` listens to ``target[k]`` with ``weight[k]``.

    Peer kinds appear once per unordered pair (source < target) and act both ways; ``leader``
    ties act one way, from member to leader.
    """

    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray
    kind: np.ndarray  # index into KINDS


PAIRS_PER_CHUNK = 1 << 22  # pairs drawn at once: a few tens of MB, whatever the group's size


def _pair_chunks(n: int, chunk: int = PAIRS_PER_CHUNK):
    """The pairs (i < j) of n members in ``np.triu_indices(n, 1)``'s order, in chunks.

    Whole rows of about ``chunk`` pairs at a time: a group of 15,000 members has 112 million
    pairs, which listed at once, with a random number each, would take over 2 GB.

    Yields:
        (i, j) arrays of one chunk.
    """
    counts = n - 1 - np.arange(n - 1)  # row i holds the pairs (i, i + 1) ... (i, n - 1)
    start = 0
    while start < n - 1:
        stop, total = start + 1, counts[start]
        while stop < n - 1 and total + counts[stop] <= chunk:
            total += counts[stop]
            stop += 1
        rows = counts[start:stop]
        i = np.repeat(np.arange(start, stop), rows)
        j = i + 1 + np.arange(total) - np.repeat(np.cumsum(rows) - rows, rows)
        yield i, j
        start = stop


def _draw_within(
    rng, groups: np.ndarray, chance: np.ndarray, chunk: int = PAIRS_PER_CHUNK
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) inside each group, each present with the group's chance.

    One uniform number per pair, in the order of ``np.triu_indices``; drawn chunk by chunk,
    which gives the same numbers as one draw of them all (a generator's stream does not depend
    on how it is cut), so memory stays bounded and a seed's ties stay the same.

    Args:
        rng: The model's generator; groups are drawn in index order, so a seed fixes the ties.
        groups: (N,) group index of each member, -1 for none.
        chance: (G,) tie probability per group.
        chunk: Pairs drawn at once (``_pair_chunks``); the ties do not depend on it.
    """
    sources, targets = [], []
    for g in range(len(chance)):
        members = np.nonzero(groups == g)[0]
        if len(members) < 2 or chance[g] <= 0:
            continue
        for i, j in _pair_chunks(len(members), chunk):
            hit = rng.random(len(i)) < chance[g]
            sources.append(members[i[hit]])
            targets.append(members[j[hit]])
    empty = np.zeros(0, dtype=int)
    return (np.concatenate(sources), np.concatenate(targets)) if sources else (empty, empty)


def _draw_in_columns(rng, membership: np.ndarray, chance: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs inside each column of a (N, K) membership table (a member may sit in several)."""
    pairs = [
        _draw_within(rng, np.where(membership[:, k], 0, -1), np.array([chance]))
        for k in range(membership.shape[1])
    ]
    if not pairs:
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    return np.concatenate([p[0] for p in pairs]), np.concatenate([p[1] for p in pairs])


def _led_by(group: np.ndarray, leads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(member, leader) for every leader and every member of the leader's group.

    In the order of ``np.nonzero`` over the (member, leader) table, members first, without
    building that table: N x N would be 900 MB at 30,000 members, and leaders are few.
    """
    leaders = np.flatnonzero(leads)
    pairs = [(np.flatnonzero(group == group[k]), k) for k in leaders]
    member = np.concatenate([m for m, _ in pairs]) if pairs else np.zeros(0, dtype=int)
    lead = np.concatenate([np.full(len(m), k) for m, k in pairs]) if pairs else member.copy()
    order = np.lexsort((lead, member))
    return member[order], lead[order]


def draw_ties(
    rng: np.random.Generator,
    party: np.ndarray,
    region: np.ndarray,
    committee: np.ndarray,
    caucus: np.ndarray,
    leader: np.ndarray,
    cohesion: np.ndarray,
    params: NetworkParams,
    faction: np.ndarray | None = None,
    faction_leader: np.ndarray | None = None,
) -> Ties:
    """Draw the ties of one run.

    Args:
        rng: The model's seeded generator.
        party: (N,) party index of each member.
        region: (N,) region index, -1 for members without a constituency.
        committee: (N, C) bool committee seats.
        caucus: (N, K) bool caucus membership.
        leader: (N,) bool, the member leads their party (leader or floor leader).
        cohesion: (P,) cohesion of each party in [0, 1].
        params: Densities and weights.
        faction: (N,) faction index of each member, -1 for none (default: no factions).
        faction_leader: (N,) bool, the member leads their faction.

    Returns:
        The ties, peer kinds as unordered pairs, leader ties one way.
    """
    n_regions = int(region.max()) + 1
    parts = {
        "party": _draw_within(rng, party, params.within_party_density * cohesion),
        "region": _draw_within(rng, region, np.full(n_regions, params.region_tie_prob)),
    }
    parts["committee"] = _draw_in_columns(rng, committee, params.committee_tie_prob)
    parts["caucus"] = _draw_in_columns(rng, caucus, 1.0)
    member, lead = _led_by(party, leader)
    if faction is not None and faction_leader is not None and faction_leader.any():
        f_member, f_lead = _led_by(faction, faction_leader & (faction >= 0))
        member, lead = np.concatenate([member, f_member]), np.concatenate([lead, f_lead])
    not_self = member != lead
    parts["leader"] = (member[not_self], lead[not_self])
    groups = np.full(len(party), -1) if faction is None else faction
    density = np.full(int(groups.max()) + 1, params.within_party_density)
    parts["faction"] = _draw_within(rng, groups, density)
    weights = {
        "party": 1.0, "region": params.region_weight, "committee": 1.0,
        "caucus": params.caucus_weight, "leader": params.leader_weight, "faction": 1.0,
    }  # fmt: skip
    return Ties(
        source=np.concatenate([parts[k][0] for k in KINDS]),
        target=np.concatenate([parts[k][1] for k in KINDS]),
        weight=np.concatenate([np.full(len(parts[k][0]), weights[k]) for k in KINDS]),
        kind=np.concatenate([np.full(len(parts[k][0]), KINDS.index(k)) for k in KINDS]),
    )


def rewire(ties: Ties, rng: np.random.Generator, rounds: int = 10) -> Ties:
    """The same ties with their partners shuffled and every member's degree kept.

    Degree-preserving rewiring (Maslov & Sneppen 2002, "Specificity and stability in topology
    of protein networks", Science 296:910): peer ties are paired at random and swap their
    second ends, (a, b) and (c, d) becoming (a, d) and (c, b), unless that would tie a member
    to themselves; each tie keeps its kind and weight. ``rounds`` passes over all ties. Leader
    ties (one way, to a party's leaders) are kept as they are. The null model of "the ties'
    structure matters": who is tied to whom is random, how many ties each member has is not.

    Args:
        ties: The drawn ties.
        rng: The model's generator.
        rounds: Passes of random pairings.

    Returns:
        New ties; the input is unchanged.
    """
    peer = np.nonzero(ties.kind != KINDS.index("leader"))[0]
    target = ties.target.copy()
    source = ties.source
    for _ in range(rounds):
        order = rng.permutation(peer)
        first, second = order[: len(order) // 2], order[len(order) // 2 : 2 * (len(order) // 2)]
        ok = (source[first] != target[second]) & (source[second] != target[first])
        a, b = first[ok], second[ok]
        target[a], target[b] = target[b], target[a].copy()
    return Ties(source=source.copy(), target=target, weight=ties.weight.copy(),
                kind=ties.kind.copy())  # fmt: skip


def no_ties() -> Ties:
    """No ties at all (the null model of "ties matter"): every member listens to themselves."""
    empty = np.zeros(0, dtype=int)
    return Ties(empty, empty, np.zeros(0), empty)


def influence_matrix(ties: Ties, n: int, self_weight: float) -> sparse.csr_array:
    """Row-stochastic W for Friedkin-Johnsen: peer ties both ways, leader ties one way.

    Sparse (CSR), so that memory and a step's cost grow with the ties, not with the square of
    the members: a dense W of 30,000 members would take 7.2 GB. A member with no tie and no
    self-weight listens only to herself (``influence.row_stochastic``'s rule).
    """
    peer = ties.kind != KINDS.index("leader")
    members = np.arange(n)
    rows = np.concatenate([ties.source, ties.target[peer], members])
    cols = np.concatenate([ties.target, ties.source[peer], members])
    weight = np.concatenate([ties.weight, ties.weight[peer], np.full(n, float(self_weight))])
    weights = sparse.csr_array((weight, (rows, cols)), shape=(n, n))  # duplicates summed
    weights.sum_duplicates()  # and columns sorted within each row
    totals = weights.sum(axis=1)
    isolated = totals == 0
    if isolated.any():
        weights = weights + sparse.csr_array(
            (np.ones(isolated.sum()), (members[isolated], members[isolated])), shape=(n, n)
        )
        totals[isolated] = 1.0
    # divided, not multiplied by 1 / total, so that each weight is the dense matrix's to the bit
    weights.data /= np.repeat(totals, np.diff(weights.indptr))
    return weights


def ties_graph(ties: Ties, names: list[str], party_codes: list[str]) -> nx.Graph:
    """The ties as an undirected networkx graph.

    Nodes are member indices with ``name`` and ``party``; each edge has ``weight`` (summed over
    kinds) and ``kinds`` (a tuple of kind names).
    """
    graph = nx.Graph()
    graph.add_nodes_from(
        (k, {"name": name, "party": party})
        for k, (name, party) in enumerate(zip(names, party_codes, strict=True))
    )
    for s, t, w, k in zip(
        ties.source.tolist(),
        ties.target.tolist(),
        ties.weight.tolist(),
        ties.kind.tolist(),
        strict=True,
    ):
        if graph.has_edge(s, t):
            edge = graph.edges[s, t]
            edge["weight"] += w
            edge["kinds"] += (KINDS[k],)
        else:
            graph.add_edge(s, t, weight=w, kinds=(KINDS[k],))
    return graph
