"""A member of the National Assembly (or a party official without a seat)."""

from mesa import Agent


class LawmakerAgent(Agent):
    """A lawmaker whose stances live in row ``index`` of ``model.stance``.

    Attributes:
        index: Row in the model's lawmaker arrays and node in the ties graph.
        name: Name, real for named actors.
        party: Party code.
        region: Region code of the constituency, or ``""`` for a proportional member.
        seated: False for a party official without a seat, who votes on nothing.
    """

    def __init__(self, model, index: int, name: str, party: str, region: str, seated: bool):
        super().__init__(model)
        self.index = index
        self.name = name
        self.party = party
        self.region = region
        self.seated = seated

    @property
    def stance(self) -> float:
        """Support for announcing the relocation now, in [0, 1]."""
        return float(self.model.stance[self.index, 0])

    @stance.setter
    def stance(self, value: float) -> None:
        self.model.stance[self.index, 0] = value

    @property
    def claim(self) -> float:
        """Support for the home region's claims on institutions, in [0, 1]."""
        return float(self.model.stance[self.index, 1])

    @claim.setter
    def claim(self, value: float) -> None:
        self.model.stance[self.index, 1] = value
