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

import math
from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy import sparse

from sim.kernels import kernel
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


@dataclass(frozen=True)
class _Groups:
    """Peer groups, each a sorted list of members in which every pair may be tied.

    Attributes:
        members: The members of every group, group after group, ascending within a group.
        size: (G,) members of each group.
        chance: (G,) tie probability of each pair of the group.
        kind: (G,) index into KINDS of each group's ties.
    """

    members: np.ndarray
    size: np.ndarray
    chance: np.ndarray
    kind: np.ndarray

    @staticmethod
    def of_labels(groups: np.ndarray, chance: np.ndarray, kind: str) -> "_Groups":
        """One group per index of ``chance``: the members labelled with it (-1 is none)."""
        inside = np.flatnonzero((groups >= 0) & (groups < len(chance)))
        members = inside[np.argsort(groups[inside], kind="stable")]
        size = np.bincount(groups[inside], minlength=len(chance))
        kinds = np.full(len(chance), KINDS.index(kind))
        return _Groups(members, size, np.asarray(chance, dtype=float), kinds)

    @staticmethod
    def of_columns(membership: np.ndarray, chance: float, kind: str) -> "_Groups":
        """One group per column of a (N, K) membership table (a member may be in several)."""
        _, members = np.nonzero(membership.T)  # column by column, members ascending
        k = membership.shape[1]
        kinds = np.full(k, KINDS.index(kind))
        return _Groups(members, membership.sum(axis=0), np.full(k, float(chance)), kinds)

    @staticmethod
    def joined(parts: list["_Groups"]) -> "_Groups":
        """The groups of ``parts``, in order."""
        fields = ("members", "size", "chance", "kind")
        return _Groups(*(np.concatenate([getattr(p, f) for p in parts]) for f in fields))


@kernel(
    "Tuple((int64[::1], int64[::1], int64[::1], int64, int64, int64))(float64[::1], int64[::1], "
    "float64[::1], int64, int64, int64)"
)
def skipped_pairs(uniforms, size, chance, group, row, col):
    """The tied pairs of every group, found by geometric skips over its pairs, compiled.

    Each pair (i < j) of group g is tied with chance p_g, independently. The gap to the next
    tied pair is then geometric, 1 + floor(log(1 - U) / log(1 - p_g)) for a uniform U, so one
    number is drawn per tie (and one per group to run past its last pair) instead of one per
    pair (Batagelj & Brandes 2005, "Efficient generation of large random networks", Physical
    Review E 71:036113, algorithm G(n, p)). Pairs are walked row by row, in the order of
    ``np.triu_indices``. A group of chance 1 ties every pair and one of chance 0 none, both
    without a number. Time and memory grow with the ties and the members, not the pairs.

    Args:
        uniforms: Numbers in [0, 1), consumed in order.
        size: (G,) members of each group.
        chance: (G,) chance of each pair of the group.
        group: The group to start in.
        row: The first member of ``group``'s pair visited last (0 before its first pair).
        col: The second member of that pair (0 before its first pair, (0, 1)).

    Returns:
        i, j, g: each tied pair's members (positions within its group) and group, in order;
        then the (group, row, col) to resume from when the numbers ran out (group = G when
        every group is done).
    """
    n_groups, used = size.shape[0], 0
    bound = uniforms.shape[0]
    for g in range(group, n_groups):
        if chance[g] >= 1.0:
            bound += size[g] * (size[g] - 1) // 2
    out_i, out_j = np.empty(bound, np.int64), np.empty(bound, np.int64)
    out_g = np.empty(bound, np.int64)
    k, g, i, j = 0, group, row, col
    while g < n_groups:
        n, p = size[g], chance[g]
        if n < 2 or p <= 0.0:
            g, i, j = g + 1, 0, 0
            continue
        if p >= 1.0:
            while True:
                j += 1
                if j == n:
                    i, j = i + 1, i + 2
                if i >= n - 1:
                    break
                out_i[k], out_j[k], out_g[k] = i, j, g
                k += 1
            g, i, j = g + 1, 0, 0
            continue
        if used == uniforms.shape[0]:
            break  # out of numbers: the caller draws more and resumes here
        step = 1.0 + math.floor(math.log1p(-uniforms[used]) / math.log1p(-p))
        used += 1
        left = (n - 1 - j) + (n - i - 2) * (n - i - 1) // 2  # pairs after (i, j)
        if step > left:
            g, i, j = g + 1, 0, 0
            continue
        j += int(step)
        while j >= n:  # into the next row, (i + 1, i + 2) onwards
            i, j = i + 1, j - n + i + 2
        out_i[k], out_j[k], out_g[k] = i, j, g
        k += 1
    return out_i[:k].copy(), out_j[:k].copy(), out_g[:k].copy(), g, i, j


def _draw_pairs(rng, groups: _Groups) -> tuple[np.ndarray, ...]:
    """Pairs (i < j) inside each group, each present with the group's chance.

    Group by group, each group's pairs in the order of ``np.triu_indices``, the tied pairs are
    found by geometric skips (``skipped_pairs``), so that a party of 30,000 members costs its
    ties, not its 450 million pairs. The numbers are drawn in a batch of about the ties
    expected, and another only if one runs out; the ties do not depend on the batches (a
    generator's stream of doubles does not depend on how it is cut).

    Returns:
        (source, target, group) of each tie, in the order drawn.
    """
    chance = np.clip(groups.chance, 0.0, 1.0)
    random = (chance > 0) & (chance < 1)
    expected = float((groups.size * (groups.size - 1) // 2 * chance)[random].sum())
    batch = int(expected + 4.0 * math.sqrt(expected)) + int(random.sum()) + 16 if expected else 0
    parts, at = [], (0, 0, 0)
    while at[0] < len(chance):
        *tied, g, row, col = skipped_pairs(rng.random(batch), groups.size, chance, *at)
        parts.append(tied)
        at = (g, row, col)
    i, j, group = (np.concatenate(x) for x in zip(*parts, strict=True))
    start = np.cumsum(groups.size) - groups.size
    return groups.members[start[group] + i], groups.members[start[group] + j], group


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
    # Every peer kind's groups, in the order their pairs are drawn (leader ties draw nothing).
    factions = np.full(len(party), -1) if faction is None else faction
    n_regions, n_factions = int(region.max()) + 1, int(factions.max()) + 1
    peers = _Groups.joined([
        _Groups.of_labels(party, params.within_party_density * cohesion, "party"),
        _Groups.of_labels(region, np.full(n_regions, params.region_tie_prob), "region"),
        _Groups.of_columns(committee, params.committee_tie_prob, "committee"),
        _Groups.of_columns(caucus, 1.0, "caucus"),
        _Groups.of_labels(factions, np.full(n_factions, params.within_party_density), "faction"),
    ])  # fmt: skip
    source, target, group = _draw_pairs(rng, peers)
    kind = peers.kind[group]
    member, lead = _led_by(party, leader)
    if faction is not None and faction_leader is not None and faction_leader.any():
        f_member, f_lead = _led_by(faction, faction_leader & (faction >= 0))
        member, lead = np.concatenate([member, f_member]), np.concatenate([lead, f_lead])
    not_self = member != lead
    member, lead = member[not_self], lead[not_self]
    # The drawn kinds come in the order of KINDS; the leader ties go in their place among them.
    at = np.searchsorted(kind, KINDS.index("leader"))

    def with_leaders(drawn, led):
        return np.concatenate([drawn[:at], led, drawn[at:]])

    kind = with_leaders(kind, np.full(len(member), KINDS.index("leader")))
    weight = np.array([1.0, params.region_weight, 1.0, params.caucus_weight,
                       params.leader_weight, 1.0])  # by KINDS  # fmt: skip
    return Ties(
        source=with_leaders(source, member),
        target=with_leaders(target, lead),
        weight=weight[kind],
        kind=kind,
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
    self-weight listens only to herself (``influence.row_stochastic``'s rule). The arrays come
    from ``influence_csr``; the weekly step reads them as they are (``RelocationModel``).
    """
    one_way = ties.kind == KINDS.index("leader")
    indptr, indices, weights = influence_csr(
        ties.source, ties.target, ties.weight, one_way, n, float(self_weight)
    )
    return sparse.csr_array((weights, indices, indptr), shape=(n, n))


@kernel("int64[::1](int64[::1], int64[::1], int64)")
def _counting_sort(key, order, n_keys):
    """``order`` stably sorted by ``key[order]``, keys in [0, n_keys): a counting sort."""
    start = np.zeros(n_keys + 1, np.int64)
    for e in order:
        start[key[e] + 1] += 1
    for k in range(n_keys):
        start[k + 1] += start[k]
    out = np.empty_like(order)
    for e in order:
        out[start[key[e]]] = e
        start[key[e]] += 1
    return out


@kernel(
    "Tuple((int64[::1], int64[::1], float64[::1]))(int64[:], int64[:], float64[:], boolean[:], "
    "int64, float64)"
)
def influence_csr(source, target, weight, one_way, n, self_weight):
    """W's CSR arrays (row pointers, columns, weights) from the ties, compiled.

    The entries are every tie from ``source`` to ``target``, every two-way tie back, and each
    member's ``self_weight``. Two stable counting sorts, by column and then by row, put them in
    CSR order; the weights of one (row, column) pair are summed in the order the entries come
    (a fixed order, which scipy's sort of duplicates does not promise), and zero weights are
    left out. Each row is then divided by its sum, summed in column order; a row with nothing
    is the member listening to herself alone.

    Args:
        source: (T,) the listening member of each tie.
        target: (T,) the member listened to.
        weight: (T,) each tie's weight, >= 0.
        one_way: (T,) bool, ties that act from source to target only (a leader's).
        n: Number of members.
        self_weight: The weight of each member's own current stance.
    """
    size = source.shape[0] + n
    for k in range(source.shape[0]):
        if not one_way[k]:
            size += 1
    rows, cols, vals = np.empty(size, np.int64), np.empty(size, np.int64), np.empty(size)
    e = 0
    for k in range(source.shape[0]):
        rows[e], cols[e], vals[e] = source[k], target[k], weight[k]
        e += 1
    for k in range(source.shape[0]):
        if not one_way[k]:
            rows[e], cols[e], vals[e] = target[k], source[k], weight[k]
            e += 1
    for i in range(n):
        rows[e], cols[e], vals[e] = i, i, self_weight
        e += 1
    # Sorted by column, then stably by row: each row lists its columns in order, and the
    # entries of one (row, column) keep the order they came in.
    order = _counting_sort(rows, _counting_sort(cols, np.arange(size), n), n)
    indptr = np.zeros(n + 1, np.int64)
    indices, weights = np.empty(size, np.int64), np.empty(size)
    out, q = 0, 0
    for r in range(n):
        start = out
        while q < size and rows[order[q]] == r:
            e = order[q]
            q += 1
            if vals[e] == 0.0:
                continue
            if out > start and indices[out - 1] == cols[e]:
                weights[out - 1] += vals[e]
            else:
                indices[out], weights[out] = cols[e], vals[e]
                out += 1
        total = 0.0
        for p in range(start, out):
            total += weights[p]
        if total == 0.0:  # no tie and no self-weight: she listens to herself alone
            indices[start], weights[start] = r, 1.0
            out = start + 1
        else:
            for p in range(start, out):
                weights[p] /= total
        indptr[r + 1] = out
    return indptr, indices[:out].copy(), weights[:out].copy()


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
