"""Batch experiments over ``sim.run``: seeded sweeps into a resumable Parquet store.

Typical use, from Python or a notebook::

    import experiments
    summary = experiments.sweep("election_timing", "results/timing", workers=2)
    table = experiments.load_results("results/timing")

or from the shell: ``relocsim sweep experiments/election_timing.toml --out results/timing``.
The experiment file format and the store's layout are described in docs/experiments.md.

The names below are imported on first use, so that the ``relocsim`` command, which loads
this package's CLI plugin at every start, does not pay for pyarrow, SALib and the rest.
"""

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for type checkers and editors; at run time __getattr__ imports on demand
    from experiments.design import RunSpec, design_points, run_id, run_seed, run_specs
    from experiments.export import export_csv
    from experiments.reporting import Report, report, wilson
    from experiments.spec import Design, Experiment, Factor, from_dict, load_experiment
    from experiments.store import load_results, load_series, read_ledger, read_manifest
    from experiments.sweeper import SweepSummary, sweep
    from experiments.validation import Validation, validate
    from experiments.validation_spec import load_validation

_HOMES = {
    "Design": "experiments.spec",
    "Experiment": "experiments.spec",
    "Factor": "experiments.spec",
    "from_dict": "experiments.spec",
    "load_experiment": "experiments.spec",
    "RunSpec": "experiments.design",
    "design_points": "experiments.design",
    "run_id": "experiments.design",
    "run_seed": "experiments.design",
    "run_specs": "experiments.design",
    "load_results": "experiments.store",
    "load_series": "experiments.store",
    "read_ledger": "experiments.store",
    "read_manifest": "experiments.store",
    "SweepSummary": "experiments.sweeper",
    "Report": "experiments.reporting",
    "report": "experiments.reporting",
    "wilson": "experiments.reporting",
    "export_csv": "experiments.export",
    "sweep": "experiments.sweeper",
    "Validation": "experiments.validation",
    "load_validation": "experiments.validation_spec",
    "validate": "experiments.validation",
}

__all__ = [
    "Design",
    "Experiment",
    "Factor",
    "Report",
    "RunSpec",
    "SweepSummary",
    "Validation",
    "design_points",
    "export_csv",
    "from_dict",
    "load_experiment",
    "load_results",
    "load_series",
    "load_validation",
    "read_ledger",
    "read_manifest",
    "report",
    "run_id",
    "run_seed",
    "run_specs",
    "sweep",
    "validate",
    "wilson",
]


def __getattr__(name: str):
    """Import a public name from the module that defines it, on first use (PEP 562)."""
    if name not in _HOMES:
        raise AttributeError(f"module 'experiments' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
