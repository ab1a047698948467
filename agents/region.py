"""A province or metropolitan city bidding for institutions (or losing them)."""

from mesa import Agent


class RegionAgent(Agent):
    """A region whose lobbying effort lives in row ``index`` of ``model.effort``.

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

    @property
    def effort(self) -> float:
        """Total lobbying effort this week."""
        return float(self.model.effort[self.index].sum())

    @property
    def draft_institutions(self) -> list[str]:
        """Codes of the institutions the current draft sends here."""
        world = self.model.world
        return [world.inst_codes[i] for i in (self.model.draft == self.index).nonzero()[0]]
