"""relocsim's model: scenarios, mechanisms and the ``run`` function.

Typical use::

    import sim
    result = sim.run("season2_2020", seed=7)
    result.outcome["blueprint_date"]

The run function and its result come from ``sim.runner`` on first use, so that importing
``sim`` (as the ``relocsim`` command does to read its arguments) does not load Mesa and pandas.
"""

import importlib
from typing import TYPE_CHECKING

from sim.scenario import Scenario, ScenarioError, load_scenario

if TYPE_CHECKING:  # for type checkers and editors; at run time __getattr__ imports on demand
    from sim.runner import OUTCOME_SCHEMA, RunResult, build_model, run

_FROM_RUNNER = ("OUTCOME_SCHEMA", "RunResult", "build_model", "run")

__all__ = [
    "OUTCOME_SCHEMA",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "build_model",
    "load_scenario",
    "run",
]


def __getattr__(name: str):
    """Import the names of ``sim.runner`` when first asked for (PEP 562)."""
    if name not in _FROM_RUNNER:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module("sim.runner"), name)
    globals()[name] = value  # later lookups find it without coming back here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
