"""The model as the other tools of ``bench_sweep.py`` take it: mesa.batch_run and EMA Workbench.

A module of its own, imported only by the cases that use these tools, so that the case that
runs our sweep does not import the model into its main process (our sweep does not), and at
module level, so that the tools' worker processes can unpickle what they are sent.
"""

import math

import sim
from sim.model import RelocationModel
from sim.runner import weeks_in

# The numeric outcomes that the EMA case collects (EMA keeps outcomes in numeric arrays).
EMA_OUTCOMES = ("weeks", "blueprint_week", "relocated", "relocated_staff", "peak_mobilisation")


class BatchRunModel(RelocationModel):
    """The relocation model as ``mesa.batch_run`` expects it: keyword parameters and a stop.

    Args:
        rng: The run's seed, from batch_run.
        scenario: The scenario's name or file.
        **params: Scenario overrides by dotted path (fixed ones and the factor's value).
    """

    def __init__(self, rng=None, scenario: str = "season2_2020", **params):
        setting = sim.load_scenario(scenario, params)
        super().__init__(setting, rng=rng)
        self.horizon_weeks = weeks_in(setting)

    def step(self) -> None:
        """One week; at the scenario's horizon the model stops, as ``sim.run`` does."""
        super().step()
        if self.steps >= self.horizon_weeks:
            self.running = False


def ema_run(value: float, seed: int, scenario: str, path: str, overrides: dict) -> dict:
    """One run for EMA Workbench: what our sweep's worker runs (``sim.run``, no series).

    Args:
        value: The factor's value.
        seed: The run's seed (the one our sweep gives the same run).
        scenario: The scenario's name or file (an EMA constant).
        path: The factor's override path (an EMA constant).
        overrides: The experiment's fixed overrides (an EMA constant).

    Returns:
        The outcomes of EMA_OUTCOMES, None as NaN.
    """
    result = sim.run(scenario, seed=int(seed), series_every=0, **overrides, **{path: value})
    return {k: math.nan if result.outcome[k] is None else result.outcome[k] for k in EMA_OUTCOMES}
