import networkx as nx
import numpy as np
import pytest

from sim.influence import row_stochastic
from sim.network import (
    KINDS,
    PAIRS_PER_CHUNK,
    _draw_within,
    _led_by,
    draw_ties,
    influence_matrix,
    no_ties,
    ties_graph,
)
from sim.parameters import NetworkParams


def small_world(n=60, seed=0, params=None):
    params = params or NetworkParams()
    rng = np.random.default_rng(seed)
    party = np.repeat([0, 1], n // 2)
    region = np.tile([0, 1, 2, -1], n // 4)
    committee = np.zeros((n, 2), bool)
    committee[:10, 0] = True
    caucus = np.zeros((n, 1), bool)
    caucus[[1, 5, 9]] = True
    leader = np.zeros(n, bool)
    leader[[0, n // 2]] = True
    return draw_ties(
        rng, party, region, committee, caucus, leader, np.array([1.0, 0.5]), params
    ), party


def test_same_seed_same_ties():
    a, _ = small_world(seed=4)
    b, _ = small_world(seed=4)
    for field in ("source", "target", "weight", "kind"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))


def test_tie_kinds_respect_their_rules():
    ties, party = small_world()
    kind = np.array(KINDS)[ties.kind]
    party_ties = kind == "party"
    assert np.all(party[ties.source[party_ties]] == party[ties.target[party_ties]])
    leader_ties = kind == "leader"
    assert set(ties.target[leader_ties].tolist()) == {0, 30}
    assert np.sum(leader_ties) == 58  # everyone but the two leaders listens to their leader


def test_cohesion_sets_within_party_density():
    params = NetworkParams(within_party_density=0.5, region_tie_prob=0, committee_tie_prob=0)
    counts = np.zeros(2)
    for seed in range(20):
        ties, party = small_world(n=80, seed=seed, params=params)
        peer = np.array(KINDS)[ties.kind] == "party"
        counts += np.bincount(party[ties.source[peer]], minlength=2)
    pairs = 40 * 39 / 2 * 20
    assert abs(counts[0] / pairs - 0.5) < 0.03  # cohesion 1.0
    assert abs(counts[1] / pairs - 0.25) < 0.03  # cohesion 0.5


def test_influence_matrix_matches_the_networkx_graph():
    ties, party = small_world()
    w = influence_matrix(ties, 60, self_weight=0.0).toarray()
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    g = ties_graph(ties, [str(k) for k in range(60)], party.tolist())
    # Without leader ties the influence weights are the graph's symmetric weights, normalised.
    peer = ties.kind != KINDS.index("leader")
    assert g.number_of_edges() >= len(
        set(zip(ties.source[peer].tolist(), ties.target[peer].tolist(), strict=True))
    )
    leaderless = [k for k in range(60) if k not in (0, 30)]
    sub = nx.to_numpy_array(g, nodelist=range(60), weight="weight")
    for i in leaderless[:5]:
        peers = sub[i].copy()
        peers[[0, 30]] = 0  # leader ties are one-way in W, both ways in the drawing graph
        if peers.sum() == 0:
            continue
        row = w[i].copy()
        row[[0, 30]] = 0
        np.testing.assert_allclose(row / row.sum(), peers / peers.sum())


def dense_influence(ties, n: int, self_weight: float) -> np.ndarray:
    """The dense construction the model used before W was sparse: the oracle."""
    peer = ties.kind != KINDS.index("leader")
    cells = np.concatenate([ties.source * n + ties.target, (ties.target * n + ties.source)[peer]])
    weight = np.concatenate([ties.weight, ties.weight[peer]])
    weights = np.bincount(cells, weights=weight, minlength=n * n).reshape(n, n).astype(float)
    weights[np.diag_indices(n)] += self_weight
    return row_stochastic(weights)


@pytest.mark.parametrize("self_weight", [0.0, 1.0])
def test_the_sparse_influence_matrix_is_the_dense_one_to_the_bit(self_weight):
    ties, _ = small_world()
    w = influence_matrix(ties, 60, self_weight)
    assert w.format == "csr" and w.has_sorted_indices
    assert np.array_equal(w.toarray(), dense_influence(ties, 60, self_weight))
    # a member with no tie and no self-weight listens to herself alone
    lonely = influence_matrix(no_ties(), 3, 0.0)
    assert np.array_equal(lonely.toarray(), np.eye(3))


def test_ties_drawn_in_chunks_are_the_ties_drawn_at_once():
    groups = np.random.default_rng(1).integers(-1, 4, size=200)
    chance = np.array([0.3, 0.05, 1.0, 0.5])
    drawn = [
        _draw_within(np.random.default_rng(9), groups, chance, chunk=chunk)
        for chunk in (1, 7, 1000, PAIRS_PER_CHUNK)
    ]
    # the oracle: every pair of a group listed at once, one uniform number each, in order
    rng, sources, targets = np.random.default_rng(9), [], []
    for g, p in enumerate(chance):
        members = np.flatnonzero(groups == g)
        i, j = np.triu_indices(len(members), 1)
        hit = rng.random(len(i)) < p
        sources.append(members[i[hit]])
        targets.append(members[j[hit]])
    for source, target in drawn:
        assert np.array_equal(source, np.concatenate(sources))
        assert np.array_equal(target, np.concatenate(targets))


def test_leader_ties_without_the_member_by_member_table():
    party = np.random.default_rng(2).integers(0, 3, size=40)
    leads = np.zeros(40, dtype=bool)
    leads[[3, 17, 25, 31]] = True
    member, lead = _led_by(party, leads)
    # the oracle: the (member, leader) table the model built before, N x N
    expected = np.nonzero((party[:, None] == party[None, :]) & leads[None, :])
    assert np.array_equal(member, expected[0]) and np.array_equal(lead, expected[1])
