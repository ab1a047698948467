"""The five kinds of actor: regions, lawmakers, unions, ministries and the executive.

Each kind's weekly decision lives in its own module. The agents act on the model's arrays
(stances, efforts, mobilisation, the draft), so that the formulas in ``sim/`` stay pure
functions over arrays; the lawmakers, hundreds of them, act as one kind-level method.
"""

from agents.executive import ExecutiveAgent
from agents.lawmaker import LawmakerAgent
from agents.ministry import MinistryAgent
from agents.region import RegionAgent
from agents.union import UnionAgent

__all__ = ["ExecutiveAgent", "LawmakerAgent", "MinistryAgent", "RegionAgent", "UnionAgent"]
