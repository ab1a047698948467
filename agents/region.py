"""A province or metropolitan city: each week it lobbies for the institutions it wants."""

import numpy as np
from mesa import Agent

from sim.pressure import lobbying_week

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
        share = model.intent_share[index]  # fixed for the run
        self.first_choice = model.world.inst_codes[int(np.argmax(share))]
        self.first_share = float(share.max())

    @classmethod
    def lobby(cls, model) -> None:
        """Every region spends this week's capacity on the institutions it wants.

        How hard: capacity times its lawmakers' zeal for the region's claims. On what: each
        institution in proportion to how much the region wants it
        (``sim.pressure.effort_from_shares``). The effort reaches the ministries as political
        pressure, access through the ruling party counting more
        (``sim.pressure.political_pressure``). One compiled call for the kind
        (``sim.pressure.lobbying_week``), as for the lawmakers: a call per region would cost
        more than its arithmetic. A region's why-line comes again once its effort has moved by
        ``EFFORT_CHANGE_LOGGED``.
        """
        zeal, logged = model.zeal, model.lobbying_logged
        model.effort, total, due, model.political = lobbying_week(
            model.world.capacity, zeal, model.intent_share, model.region_wants, logged,
            EFFORT_CHANGE_LOGGED, model.ruling_share[model.executive],
            model.params.lobbying.ruling_access,
        )  # fmt: skip
        for k in due:
            logged[k] = total[k]
            model.region_list[k].explain(float(total[k]), float(zeal[k]))

    def explain(self, total: float, zeal: float) -> None:
        """The region's why-line: how hard it lobbies, and for what first."""
        self.model.log("lobbying", self.code, self.first_choice,
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
