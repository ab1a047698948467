"""The party-ties graph over lawmakers, drawn from scenario parameters and the model's RNG.

Kinds of tie (model-anchors.md section 2; what each kind stands for is an assumption in the
spirit of Korean party politics, documented in docs/ODD.md):
- ``party``: within-party peer ties, density ``within_party_density * cohesion`` of the party;
- ``leader``: every member listens to their party's leader and floor leader (one-way);
- ``region``: members of one region, of any party, with ``region_tie_prob`` (regional interest
  crosses party lines);
- ``committee``: members of one committee with ``committee_tie_prob``;
- ``caucus``: all members of one caucus, e.g. the innovation-city caucus.

Ties are drawn as numpy arrays, so that a run pays microseconds, not milliseconds, for them.
``ties_graph`` turns the same edge list into a networkx graph for analysis and drawing.
"""

from dataclasses import dataclass
from functools import cache

import networkx as nx
import numpy as np

from sim.influence import row_stochastic
from sim.parameters import NetworkParams

KINDS = ("party", "region", "committee", "caucus", "leader")


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


@cache
def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(n, 1)


def draw_ties(
    rng: np.random.Generator,
    party: np.ndarray,
    region: np.ndarray,
    committee: np.ndarray,
    caucus: np.ndarray,
    leader: np.ndarray,
    cohesion: np.ndarray,
    params: NetworkParams,
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

    Returns:
        The ties, peer kinds as unordered pairs, leader ties one way.
    """
    i, j = _pairs(len(party))
    draws = rng.random((3, len(i)))
    same_party = party[i] == party[j]
    chances = {
        "party": same_party * params.within_party_density * cohesion[party[i]],
        "region": ((region[i] == region[j]) & (region[i] >= 0)) * params.region_tie_prob,
        "committee": (committee[i] & committee[j]).any(axis=1) * params.committee_tie_prob,
    }
    weights = {
        "party": 1.0,
        "region": params.region_weight,
        "committee": 1.0,
        "caucus": params.caucus_weight,
        "leader": params.leader_weight,
    }
    hits = {kind: draws[k] < chance for k, (kind, chance) in enumerate(chances.items())}
    hits["caucus"] = (caucus[i] & caucus[j]).any(axis=1)

    parts = [(i[hit], j[hit], kind) for kind, hit in hits.items()]
    member, lead = np.nonzero(same_party_matrix(party) & leader[None, :])
    not_self = member != lead
    parts.append((member[not_self], lead[not_self], "leader"))
    return Ties(
        source=np.concatenate([p[0] for p in parts]),
        target=np.concatenate([p[1] for p in parts]),
        weight=np.concatenate([np.full(len(p[0]), weights[p[2]]) for p in parts]),
        kind=np.concatenate([np.full(len(p[0]), KINDS.index(p[2])) for p in parts]),
    )


def same_party_matrix(party: np.ndarray) -> np.ndarray:
    """(N, N) bool, members i and j belong to one party."""
    return party[:, None] == party[None, :]


def influence_matrix(ties: Ties, n: int, self_weight: float) -> np.ndarray:
    """Row-stochastic W for Friedkin-Johnsen: peer ties both ways, leader ties one way."""
    weights = np.zeros((n, n))
    peer = ties.kind != KINDS.index("leader")
    np.add.at(weights, (ties.source, ties.target), ties.weight)
    np.add.at(weights, (ties.target[peer], ties.source[peer]), ties.weight[peer])
    weights[np.diag_indices(n)] += self_weight
    return row_stochastic(weights)


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
