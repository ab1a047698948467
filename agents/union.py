"""A labour union: each week it mobilises against the move of its members' institutions."""

from mesa import Agent

from sim.pressure import mobilisation_step, union_action


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
        action: This week's action, one of ``sim.pressure.UNION_ACTIONS``.
    """

    def __init__(self, model, index: int, code: str, name: str, members: int):
        super().__init__(model)
        self.index = index
        self.code = code
        self.name = name
        self.members = members
        self.strength = float(model.world.union_strength[index])
        self.action = "none"

    def mobilise(self) -> None:
        """Move its mobilisation towards what the threat calls for, then choose its action."""
        m, k, up = self.model, self.index, self.model.params.unions
        threat = float(m.threat[k])
        level = mobilisation_step(
            float(m.mobilisation[k]), threat, m.readiness, self.strength,
            up.rise_rate, up.decay_rate, up.anticipation,
        )  # fmt: skip
        m.mobilisation[k] = level
        action = union_action(level, bool(m.decided_against[k]))
        if action != self.action:
            m.log("union", self.code, action, f"mobilisation {level:.2f} against a threat to "
                  f"{threat:.0%} of its members' staff")  # fmt: skip
        self.action = action

    @property
    def mobilisation(self) -> float:
        """Share of its potential the union has mobilised, in [0, 1]."""
        return float(self.model.mobilisation[self.index])
