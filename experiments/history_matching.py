"""History matching: which parameter settings the observed history does not rule out.

Pure functions over numpy arrays (Craig, Goldstein, Seheult & Smith 1997; Vernon, Goldstein &
Bower 2010, "Galaxy formation: a Bayesian uncertainty analysis", Bayesian Analysis 5;
Andrianakis et al. 2015, "Bayesian history matching of complex infectious disease models
using emulation", PLoS Comput Biol 11). For one observation z and a stochastic model run n
times at a setting x, the implausibility is

    I(x) = |z - E[f(x)]| / sqrt(V_s(x) + V_md)

with V_s the model's own variance across seeds (the observation is one draw of it) and V_md
the model discrepancy: how far even the best setting may miss. A setting is ruled out when
the second-largest implausibility over all observations exceeds the cut, 3 by Pukelsheim's
three-sigma rule (Vernon et al. 2010 take the second largest so that one badly modelled
observation does not rule out everything).
"""

import math

import numpy as np
from scipy import stats

CUT = 3.0
"""Pukelsheim's (1994) three-sigma rule, as in Vernon et al. 2010 and Andrianakis et al. 2015."""


def binary_implausibility(hits: np.ndarray, runs: np.ndarray, truth: bool, discrepancy: float):
    """I of an event that happened (truth) or not, from ``hits`` of ``runs`` per setting.

    E[f] is the share of runs in which it happened; V_s = p(1 - p), the Bernoulli variance of
    one draw, with p smoothed by half a run each way (Jeffreys) so that a setting where the
    event never happened in a few runs is not given zero variance. ``discrepancy`` is V_md's
    standard deviation, on the probability scale.
    """
    hits, runs = np.asarray(hits, float), np.asarray(runs, float)
    share = hits / runs
    smoothed = (hits + 0.5) / (runs + 1.0)
    variance = smoothed * (1.0 - smoothed) + discrepancy**2
    return np.abs(float(truth) - share) / np.sqrt(variance)


def gaussian_implausibility(observed: float, mean, variance, discrepancy: float):
    """I of a continuous observation against the runs' mean and variance at each setting."""
    mean, variance = np.asarray(mean, float), np.asarray(variance, float)
    return np.abs(observed - mean) / np.sqrt(variance + discrepancy**2)


def second_largest(implausibility: np.ndarray) -> np.ndarray:
    """Per setting (column), the second-largest implausibility over observations (rows).

    NaN rows (an observation a setting cannot speak to) are ignored; a setting with fewer than
    two observations gets its largest.
    """
    values = np.where(np.isnan(implausibility), -np.inf, implausibility)
    ordered = np.sort(values, axis=0)
    counts = np.sum(~np.isnan(implausibility), axis=0)
    second = ordered[-2] if len(ordered) >= 2 else ordered[-1]
    out = np.where(counts >= 2, second, ordered[-1])
    return np.where(counts == 0, 0.0, out)


def not_ruled_out(implausibility: np.ndarray, cut: float = CUT, at_least: int = 1):
    """The settings (columns) that the observations (rows) do not rule out.

    An observation that no setting comes within the cut of is a structural miss: no value
    of the parameters fixes it, so it cannot tell settings apart. It is set aside (its
    discrepancy taken as unbounded, as Vernon et al. 2010 widen it for outputs the model
    cannot match), and reported. A setting survives when its second-largest implausibility
    over the other observations is below ``cut``. When fewer than ``at_least`` settings
    survive, the ``at_least`` least implausible are kept instead, with the cut they imply:
    ranked by that second-largest implausibility, and, where it ties, by the mean over the
    observations. Ties are common: a binary event that a setting's runs all miss has the same
    implausibility at every such setting (``binary_implausibility`` of a share of 0 or 1), so
    without the second key the design's order, not the data, would choose.

    Returns:
        (indices of the settings kept, cut used, indices of the observations set aside).
    """
    best = np.nanmin(np.where(np.isnan(implausibility), np.inf, implausibility), axis=1)
    missed = np.flatnonzero(best >= cut)
    informative = np.delete(implausibility, missed, axis=0)
    measure = second_largest(informative)
    kept = np.flatnonzero(measure < cut)
    if len(kept) >= at_least:
        return kept, cut, missed
    mean = np.nanmean(informative, axis=0)
    order = np.lexsort((mean, measure))[:at_least]  # the last key sorts first
    return np.sort(order), float(measure[order].max()), missed


def identification(samples: np.ndarray, lo: float, hi: float) -> dict:
    """How far the settings not ruled out pin a parameter down within its prior [lo, hi].

    Returns the posterior median and 90% interval, the interval's width as a share of the
    prior's (1: nothing learnt), and the p-value of a Kolmogorov-Smirnov test of the samples
    against the uniform prior. A parameter counts as identified when the test rejects the
    prior at 5% and its interval is at most 3/4 of the prior's width.
    """
    samples = np.asarray(samples, float)
    if len(samples) < 2:
        unknown = dict.fromkeys(("median", "q05", "q95", "width", "ks_p"), math.nan)
        return unknown | {"identified": False}
    q05, median, q95 = np.quantile(samples, [0.05, 0.5, 0.95])
    width = (q95 - q05) / (0.9 * (hi - lo))  # a uniform prior's 90% interval is 0.9 of it
    p = stats.kstest(samples, stats.uniform(lo, hi - lo).cdf).pvalue
    return {
        "median": float(median),
        "q05": float(q05),
        "q95": float(q95),
        "width": float(width),
        "ks_p": float(p),
        "identified": bool(p < 0.05 and width <= 0.75),
    }
