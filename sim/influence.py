"""Friedkin-Johnsen influence on the party-ties network.

Each lawmaker holds stances in [0, 1] (support for announcing now; support for the region's
claims). Every week a member moves towards the weighted stances of the members they listen to,
held back by their anchor, their constituency's interest:

    x(t+1) = Lambda W x(t) + (I - Lambda) u

with W row-stochastic influence weights from the ties graph, u the anchors, and
Lambda = diag(susceptibility), where susceptibility is the party's discipline.

Sources: Friedkin & Johnsen (1990), "Social influence and opinions", J. Math. Sociology 15;
Friedkin & Johnsen (1999), "Social influence networks and opinion change", Advances in Group
Processes 16. DeGroot (1974) is the special case Lambda = I.
"""

import numpy as np
from scipy import sparse


def row_stochastic(weights: np.ndarray) -> np.ndarray:
    """Normalise non-negative tie weights so that each row sums to 1.

    A member with no ties at all listens only to themselves (a 1 on the diagonal), so that
    W stays row-stochastic.

    Args:
        weights: (n, n) non-negative matrix; ``weights[i, j]`` is how much i listens to j.

    Returns:
        (n, n) row-stochastic matrix.
    """
    if np.any(weights < 0):
        raise ValueError("tie weights must be non-negative")
    w = np.array(weights, dtype=float)
    totals = w.sum(axis=1)
    isolated = totals == 0
    w[isolated, isolated] = 1.0
    totals[isolated] = 1.0
    return w / totals[:, None]


def friedkin_johnsen_step(
    stance: np.ndarray, influence: np.ndarray, susceptibility: np.ndarray, anchor: np.ndarray
) -> np.ndarray:
    """One Friedkin-Johnsen update, x' = Lambda W x + (I - Lambda) u.

    Args:
        stance: (n,) or (n, k) current stances x.
        influence: (n, n) row-stochastic W, dense or sparse (CSR: the model's, whose cost grows
            with the ties).
        susceptibility: (n,) diagonal of Lambda, each in [0, 1].
        anchor: same shape as ``stance``; the anchors u.

    Returns:
        The updated stances, same shape as ``stance``. Stances inside [0, 1] stay inside,
        because each new stance is a convex combination of old stances and the anchor.
    """
    lam = susceptibility if stance.ndim == 1 else susceptibility[:, None]
    return lam * (influence @ stance) + (1.0 - lam) * anchor


def friedkin_johnsen_equilibrium(
    influence: np.ndarray, susceptibility: np.ndarray, anchor: np.ndarray
) -> np.ndarray:
    """The closed-form fixed point x* = (I - Lambda W)^-1 (I - Lambda) u.

    It exists and is unique when I - Lambda W is invertible, which holds when every member
    is at least indirectly anchored (Friedkin & Johnsen 1999, Sec. 3).

    Args:
        influence: (n, n) row-stochastic W.
        susceptibility: (n,) diagonal of Lambda.
        anchor: (n,) or (n, k) anchors u.

    Returns:
        The equilibrium stances x*, same shape as ``anchor``.
    """
    lam = np.asarray(susceptibility, dtype=float)
    n = lam.shape[0]
    dense = influence.toarray() if sparse.issparse(influence) else influence
    system = np.eye(n) - lam[:, None] * dense
    rhs = (1.0 - lam) * anchor if anchor.ndim == 1 else (1.0 - lam)[:, None] * anchor
    return np.linalg.solve(system, rhs)


def strongest_influencer(
    member: int, stance: np.ndarray, influence: np.ndarray
) -> tuple[int, float]:
    """Who pulled ``member`` hardest this week, and by how much.

    The pull of j on i is W[i, j] * (x_j - x_i): the term j contributes to i's move. Used to
    write the "who moved whom" log.

    Args:
        member: Index i.
        stance: (n,) stances before the update.
        influence: (n, n) row-stochastic W, dense or sparse (CSR).

    Returns:
        (j, pull) with the largest absolute pull; j may be i itself only if i has no ties.
    """
    if sparse.issparse(influence):  # only the member's ties: a CSR row, columns in order
        start, end = influence.indptr[member], influence.indptr[member + 1]
        columns, weights = influence.indices[start:end], influence.data[start:end]
    else:
        columns, weights = np.arange(len(stance)), influence[member]
    pull = weights * (stance[columns] - stance[member])
    k = int(np.abs(pull).argmax())  # the first of equals, as over the dense row
    return int(columns[k]), float(pull[k])
