"""A member of the legislature (or a party official without a seat).

Hundreds of lawmakers make per-agent Python too slow, so their weekly turn is one method of
the kind, over the model's arrays (as in mesa-frames): ``LawmakerAgent.deliberate``.
"""

import numpy as np
from mesa import Agent

from sim.influence import friedkin_johnsen_step, strongest_influencer

LOG_THRESHOLD = 5e-4  # smallest stance move the why log reports


class LawmakerAgent(Agent):
    """A lawmaker whose stances are row ``index`` of ``model.stance``.

    What she sees: the stances of those she has ties with, and her constituency's interest
    (its stake in the draft, her party's pledge, the unions' pressure). What she does: moves
    her stances towards them each week, and votes on the bills before her
    (``sim.legislature``).

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

    @classmethod
    def deliberate(cls, model) -> None:
        """All lawmakers update their stances on their ties at once (Friedkin-Johnsen).

        The why-line names the lawmaker whose support for announcing moved most, and who
        pulled her: her strongest influencer, or her constituency's interest.
        """
        before = model.stance[:, 0]
        model.anchor[:, 0] = model.announce_anchor()
        model.stance = friedkin_johnsen_step(
            model.stance, model.influence, model.susceptibility, model.anchor
        )
        model.party_stance = model.party_mean @ model.stance[:, 0]
        model.zeal = model.region_mean @ model.stance[:, 1]  # what the regions lobby with
        moved = model.stance[:, 0] - before
        mover = int(np.argmax(np.abs(moved)))
        if abs(moved[mover]) < LOG_THRESHOLD:
            return  # stances have settled: nobody moved anybody worth telling
        names = model.world.names
        source, pull = strongest_influencer(mover, before, model.influence)
        if source == mover or abs(pull) < LOG_THRESHOLD:
            model.log("influence", names[mover], "", f"moved {moved[mover]:+.3f} towards its "
                      "constituency's interest")  # fmt: skip
        else:
            model.log("influence", names[source], names[mover],
                      f"pulled support for announcing by {pull:+.3f}")  # fmt: skip

    @property
    def stance(self) -> float:
        """Support for announcing the relocation now, in [0, 1]."""
        return float(self.model.stance[self.index, 0])

    @property
    def claim(self) -> float:
        """Support for the home region's claims on institutions, in [0, 1]."""
        return float(self.model.stance[self.index, 1])
