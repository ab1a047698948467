"""Proper scores of a model's predictions against a case's truth (docs/cases.md).

Pure functions over numpy arrays, smaller is better for every one of them:

- binary events: the Brier score (Brier 1950, "Verification of forecasts expressed in terms of
  probability", Monthly Weather Review 78) and the log score (Good 1952);
- a decision's date: the continuous ranked probability score of the predicted date, censored
  at the horizon (Gneiting & Raftery 2007, "Strictly proper scoring rules, prediction, and
  estimation", JASA 102; the censored form is the threshold-weighted CRPS of Gneiting &
  Ranjan 2011, JBES 29, with weight 1 on [0, horizon]), or the log score of the right bin of
  weeks;
- a floor vote: the mean squared error of each party's yes share;
- a destination: the log score or the Brier score of the categorical forecast.

Probabilities estimated from N runs are kept away from 0 and 1 by half a run (p in
[1/(2N), 1 - 1/(2N)]) before a logarithm is taken, so that one unseen event costs a finite
amount that grows with N instead of an infinite one.
"""

import math
from collections.abc import Mapping

import numpy as np

NEVER = math.inf
"""The week of a decision that did not come by the horizon."""


def brier(p: float, outcome: bool) -> float:
    """(p - outcome)^2 for a probability p of an event that happened (1) or did not (0)."""
    return (float(p) - float(outcome)) ** 2


def clip(p: float, runs: int) -> float:
    """P kept half a run away from 0 and 1 (module docstring)."""
    half = 0.5 / max(runs, 1)
    return min(max(float(p), half), 1.0 - half)


def log_score(p: float, outcome: bool, runs: int) -> float:
    """-log of the probability given to what happened (p clipped by ``clip``)."""
    q = clip(p, runs)
    return -math.log(q if outcome else 1.0 - q)


def crps_censored(weeks: np.ndarray, observed: float, horizon: float) -> float:
    """CRPS of the predicted decision week, censored at the horizon, as a share of it.

    CRPS_H(F, y) = (1/H) * integral over [0, H] of (F(x) - 1{y <= x})^2 dx, with F the
    empirical distribution of the runs' decision weeks (``NEVER`` for runs without a decision
    by the horizon, which then count only as F staying below 1). The truth y is the week of the
    decision, or ``NEVER`` when none came by the horizon: a censored outcome whose score is the
    integral of F^2, the weight a forecast put on a decision that did not come. Dividing by H
    puts cases of different lengths on one scale, [0, 1]; a point forecast at s scores
    |s - y| / H.

    Args:
        weeks: (N,) decision week of each run, ``NEVER`` for none by the horizon.
        observed: The true week, or ``NEVER``.
        horizon: H, the weeks the runs cover (> 0).

    Returns:
        The score, in [0, 1].
    """
    h = float(horizon)
    x = np.sort(np.minimum(np.asarray(weeks, dtype=float), h))
    n = len(x)
    y = min(float(observed), h)  # a censored truth: the indicator is 0 on all of [0, H)
    # F is a step function: F = k / n on [x_k, x_{k+1}); integrate piece by piece.
    edges = np.concatenate([[0.0], x, [h]])
    levels = np.arange(n + 1) / n
    total = 0.0
    for k in range(n + 1):
        lo, hi = edges[k], edges[k + 1]
        if hi <= lo:
            continue
        below = max(0.0, min(hi, y) - lo)  # part of [lo, hi) before the truth: indicator 0
        total += levels[k] ** 2 * below + (1.0 - levels[k]) ** 2 * (hi - lo - below)
    return total / h


def log_week_bin(weeks: np.ndarray, observed: float, horizon: float, width: int, runs: int):
    """-log of the predicted probability of the truth's bin of ``width`` weeks.

    Bins start at week 0; every decision at or after the horizon falls in one last bin, "none
    by the horizon". The probability is the share of runs in the truth's bin, clipped as in
    ``clip``.
    """
    bins = math.ceil(horizon / width)
    which = np.minimum(np.floor(np.asarray(weeks, dtype=float) / width), bins)
    truth = min(math.floor(observed / width), bins) if observed < horizon else bins
    return -math.log(clip(float(np.mean(which == truth)), runs))


def yes_share_error(predicted: Mapping[str, float], observed: Mapping[str, float]) -> float:
    """Mean over the observed parties of (predicted - observed yes share)^2."""
    keys = [k for k in observed if k in predicted]
    if not keys:
        return math.nan
    return float(np.mean([(predicted[k] - observed[k]) ** 2 for k in keys]))


def categorical_log(shares: Mapping[str, float], observed: str, runs: int) -> float:
    """-log of the share of runs that put the institution where it went (clipped)."""
    return -math.log(clip(shares.get(observed, 0.0), runs))


def categorical_brier(shares: Mapping[str, float], observed: str) -> float:
    """Sum over categories of (share - 1{category is the truth})^2 (Brier 1950)."""
    categories = set(shares) | {observed}
    return float(sum((shares.get(c, 0.0) - (c == observed)) ** 2 for c in categories))
