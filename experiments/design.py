"""Designs and seeds: from an Experiment to the list of runs, each with its own seed.

A point is one combination of factor values; each point is run ``replicates`` times. Points
are numbered in the order of the design (for Sobol and Morris, the order of SALib's sample,
which their analysers expect), and the seed of a run depends only on the master seed, the
point and the replicate, so it is the same in whichever process, chunk or session it runs.
"""

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from experiments.spec import Experiment, Factor


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep.

    Attributes:
        run_id: Deterministic id, ``p{point:05d}r{replicate:04d}``.
        point: Index of the design point.
        replicate: Index of the replicate at that point.
        seed: The run's seed (see run_seed).
        values: The factor values, in the experiment's factor order.
    """

    run_id: str
    point: int
    replicate: int
    seed: int
    values: tuple


def run_seed(master_seed: int, point: int, replicate: int) -> int:
    """The seed of one run: independent streams for every (point, replicate) pair.

    ``SeedSequence`` hashes the spawn key with the master seed, so neighbouring points or
    replicates do not get correlated generators (as ``master + i`` could).
    """
    sequence = np.random.SeedSequence(master_seed, spawn_key=(point, replicate))
    return int(sequence.generate_state(1)[0])


def run_id(point: int, replicate: int) -> str:
    """The run's id, sortable as text in design order (below 100,000 points)."""
    return f"p{point:05d}r{replicate:04d}"


def design_points(experiment: Experiment) -> list[tuple]:
    """The factor values of every point, in design order."""
    design, factors = experiment.design, experiment.factors
    if design.kind in ("full_factorial", "points"):
        if design.kind == "points":
            rows = design.points
        else:
            rows = itertools.product(*(f.levels for f in factors))
        return [tuple(map(_as_column_type, row, factors)) for row in rows]
    return [tuple(map(_from_sample, row, factors)) for row in unit_sample(experiment)]


def salib_problem(experiment: Experiment) -> dict:
    """The SALib problem of a sampled design (integer factors span [lo, hi + 1))."""
    bounds = []
    for f in experiment.factors:
        lo, hi = f.bounds
        bounds.append([float(lo), float(hi + 1 if f.column_type == "int64" else hi)])
    return {"num_vars": len(bounds), "names": list(experiment.paths), "bounds": bounds}


def unit_sample(experiment: Experiment) -> np.ndarray:
    """The sampled design's matrix, one row per point, within ``salib_problem`` bounds."""
    design, problem = experiment.design, salib_problem(experiment)
    seed = experiment.master_seed
    if design.kind == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=problem["num_vars"], rng=seed).random(design.n)
        lo, hi = np.array(problem["bounds"]).T
        return qmc.scale(unit, lo, hi)
    if design.kind == "sobol":
        from SALib.sample import sobol

        return sobol.sample(
            problem, design.n, calc_second_order=design.second_order, scramble=True, seed=seed
        )
    if design.kind == "morris":
        from SALib.sample import morris

        return morris.sample(problem, design.n, num_levels=design.num_levels, seed=seed)
    raise ValueError(f"design {design.kind!r} is not sampled")


def _from_sample(x: float, factor: Factor) -> float | int:
    """A plain Python value for the scenario: floats as they are, integers floored."""
    if factor.column_type == "int64":
        return min(int(factor.bounds[1]), math.floor(x))  # hi + 1 itself maps to hi
    return float(x)


def _as_column_type(value: object, factor: Factor) -> object:
    """Integers in a float column become floats, so every row of a column has one type."""
    return float(value) if factor.column_type == "float64" else value


def run_specs(experiment: Experiment, points: list[tuple]) -> Iterator[RunSpec]:
    """Every run of the experiment, point by point (replicates of a point stay together)."""
    for point, values in enumerate(points):
        for replicate in range(experiment.replicates):
            seed = run_seed(experiment.master_seed, point, replicate)
            yield RunSpec(run_id(point, replicate), point, replicate, seed, values)
