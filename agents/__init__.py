"""The four kinds of actor: regions, lawmakers, unions and ministries.

Agents are thin: they hold identity and read or write their numeric state through the model's
arrays, so the weekly submodels can update everyone at once.
"""

from agents.lawmaker import LawmakerAgent
from agents.ministry import MinistryAgent
from agents.region import RegionAgent
from agents.union import UnionAgent

__all__ = ["LawmakerAgent", "MinistryAgent", "RegionAgent", "UnionAgent"]
