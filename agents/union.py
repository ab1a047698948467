"""A labour union: each week it mobilises against the move of its members' institutions."""

from mesa import Agent

from sim.pressure import UNION_ACTIONS, mobilise_unions


class UnionAgent(Agent):
    """A union whose mobilisation is ``model.mobilisation[index]``.

    What it sees: the share of its members' staff that the current draft would move (the
    threat), and how near an announcement looks. What it does: mobilises or relaxes, and takes
    the action its mobilisation affords (``sim.pressure.union_action``).

    Attributes:
        index: Row in the model's union arrays.
        code: Union code.
        name: Display name.
        members: Membership.
        strength: Organisational strength, 0-1.
    """

    def __init__(self, model, index: int, code: str, name: str, members: int):
        super().__init__(model)
        self.index = index
        self.code = code
        self.name = name
        self.members = members
        self.strength = float(model.world.union_strength[index])

    @classmethod
    def mobilise(cls, model) -> None:
        """Every union moves its mobilisation towards what the threat calls for, then acts.

        One compiled call for the kind (``sim.pressure.mobilise_unions``: the rule of
        ``mobilisation_step`` and ``union_actions``); a union whose action changes says why.
        """
        up = model.params.unions
        model.mobilisation, model.union_action, changed = mobilise_unions(
            model.mobilisation, model.threat, model.readiness, model.world.union_strength,
            up.rise_rate, up.decay_rate, up.anticipation, model.decided_against,
            model.union_action,
        )  # fmt: skip
        for k in changed:
            model.union_list[k].explain()

    def explain(self) -> None:
        """The union's why-line: the action it took, and the threat behind it."""
        m, k = self.model, self.index
        m.log("union", self.code, self.action, f"mobilisation {m.mobilisation[k]:.2f} against "
              f"a threat to {m.threat[k]:.0%} of its members' staff")  # fmt: skip

    @property
    def action(self) -> str:
        """This week's action, one of ``sim.pressure.UNION_ACTIONS``."""
        return UNION_ACTIONS[self.model.union_action[self.index]]

    @property
    def mobilisation(self) -> float:
        """Share of its potential the union has mobilised, in [0, 1]."""
        return float(self.model.mobilisation[self.index])
