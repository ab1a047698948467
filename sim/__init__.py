"""relocsim's model: scenarios, mechanisms and the ``run`` function.

Typical use::

    import sim
    result = sim.run("season2_2020", seed=7)
    result.outcome["blueprint_date"]
"""

from sim.run import OUTCOME_SCHEMA, RunResult, build_model, run
from sim.scenario import Scenario, ScenarioError, load_scenario

__all__ = [
    "OUTCOME_SCHEMA",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "build_model",
    "load_scenario",
    "run",
]
