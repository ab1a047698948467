"""A labour union resisting the move of its institution(s)."""

from mesa import Agent


class UnionAgent(Agent):
    """A union whose mobilisation lives in ``model.mobilisation[index]``.

    Attributes:
        index: Row in the model's union arrays.
        code: Union code.
        name: Display name.
        members: Membership.
    """

    def __init__(self, model, index: int, code: str, name: str, members: int):
        super().__init__(model)
        self.index = index
        self.code = code
        self.name = name
        self.members = members

    @property
    def mobilisation(self) -> float:
        """Share of its potential the union has mobilised, in [0, 1]."""
        return float(self.model.mobilisation[self.index])

    @mobilisation.setter
    def mobilisation(self, value: float) -> None:
        self.model.mobilisation[self.index] = value
