"""A ministry or presidential body: drafts, deliberates, or guards its institutions."""

from mesa import Agent


class MinistryAgent(Agent):
    """A central-government body taking part in the bargaining over timing and scope.

    Attributes:
        code: Ministry code (``"MOLIT"``).
        name: Display name.
        role: ``coordinator``, ``drafter``, ``competent``, ``budget`` or ``deliberation``.
        capability: Bargaining capability.
        salience: Salience of the decision to it, 0-1.
        position: Preferred timing and scope, 0 (defer) to 100 (announce everything now).
    """

    def __init__(self, model, code, name, role, capability, salience, position):
        super().__init__(model)
        self.code = code
        self.name = name
        self.role = role
        self.capability = capability
        self.salience = salience
        self.position = position
