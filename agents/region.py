"""A province or metropolitan city: each week it lobbies for the institutions it wants."""

import numpy as np
from mesa import Agent

from sim.pressure import region_effort

EFFORT_CHANGE_LOGGED = 0.1  # a region's why-line comes again once its effort moves by 10%


class RegionAgent(Agent):
    """A region whose lobbying effort is row ``index`` of ``model.effort``.

    What it sees: how much each institution is worth to it (``model.intent_share``: its bids,
    its matching clusters, the financial hub), and how keen its lawmakers are on its claims.
    What it does: spends its lobbying capacity over those institutions.

    Attributes:
        index: Row in the model's region arrays.
        code: Region code.
        name: Display name.
        receives: Whether the region can receive institutions.
    """

    def __init__(self, model, index: int, code: str, name: str, receives: bool):
        super().__init__(model)
        self.index = index
        self.code = code
        self.name = name
        self.receives = receives
        self.capacity = float(model.world.capacity[index])
        share = model.intent_share[index]  # fixed for the run
        self.wants = float(share.any())
        self.first_choice = model.world.inst_codes[int(np.argmax(share))]
        self.first_share = float(share.max())
        self.logged_effort = 0.0  # the total effort of its last why-line

    def lobby(self) -> None:
        """Spend this week's capacity on the wanted institutions (``sim.pressure``).

        How hard: capacity times its lawmakers' zeal for the region's claims. On what: each
        institution in proportion to how much the region wants it.
        """
        m, i = self.model, self.index
        zeal = float(m.zeal[i])
        m.effort[i] = region_effort(self.capacity, zeal, m.intent_share[i])
        total = self.capacity * zeal * self.wants  # the row's sum: its shares sum to 1 or 0
        change = abs(total - self.logged_effort)
        if total > 0 and change >= EFFORT_CHANGE_LOGGED * self.logged_effort:
            self.logged_effort = total
            m.log("lobbying", self.code, self.first_choice,
                  f"lobbies with effort {total:.2f} (its lawmakers' zeal {zeal:.2f}), "
                  f"{self.first_share:.0%} of it on this institution")  # fmt: skip

    @property
    def effort(self) -> float:
        """Total lobbying effort this week."""
        return float(self.model.effort[self.index].sum())

    @property
    def draft_institutions(self) -> list[str]:
        """Codes of the institutions the current draft sends here."""
        world = self.model.world
        return [world.inst_codes[i] for i in (self.model.draft == self.index).nonzero()[0]]
