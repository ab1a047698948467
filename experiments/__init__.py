"""Batch experiments over ``sim.run``: seeded sweeps into a resumable Parquet store.

Typical use, from Python or a notebook::

    import experiments
    summary = experiments.sweep("election_timing", "results/timing", workers=2)
    table = experiments.load_results("results/timing")

or from the shell: ``relocsim sweep experiments/election_timing.toml --out results/timing``.
The experiment file format and the store's layout are described in docs/experiments.md.
"""

from experiments.design import RunSpec, design_points, run_id, run_seed, run_specs
from experiments.spec import Design, Experiment, Factor, from_dict, load_experiment
from experiments.store import load_results, load_series, read_ledger, read_manifest
from experiments.sweep import SweepSummary, sweep

__all__ = [
    "Design",
    "Experiment",
    "Factor",
    "RunSpec",
    "SweepSummary",
    "design_points",
    "from_dict",
    "load_experiment",
    "load_results",
    "load_series",
    "read_ledger",
    "read_manifest",
    "run_id",
    "run_seed",
    "run_specs",
    "sweep",
]
