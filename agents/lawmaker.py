"""A member of the legislature (or a party official without a seat).

Hundreds of lawmakers make per-agent Python too slow, so their weekly turn is one method of
the kind, over the model's arrays (as in mesa-frames): ``LawmakerAgent.deliberate``.
"""

import numpy as np
from mesa import Agent

from sim.assembly import member_votes
from sim.influence import deliberation, strongest_pull
from sim.legislature import CUES

LOG_THRESHOLD = 5e-4  # smallest stance move the why log reports
SPLIT_LOGGED = 0.1  # a party's floor vote is reported as split when this share defies the whip
WHY_DEFIED = {
    "whip": "their caucus's mood or chance",  # the whip weighed most, yet they defied it
    "reciprocity": "the norm of reciprocity weighing most",
}
"""Why members defied their whip, by the cue that weighed most; otherwise "their <cue>
weighing most"."""


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
        before, w = model.stance[:, 0], model.world
        ties = model.ties_csr
        model.stance, model.zeal, mover, move = deliberation(
            *ties, model.stance, model.susceptibility, model.anchor, model.anchor_base,
            model.union_pressed, model.union_pressure, w.member_region, len(w.region_codes),
        )  # fmt: skip
        if abs(move) < LOG_THRESHOLD:
            return  # stances have settled: nobody moved anybody worth telling
        name = model.member_label
        source, pull = strongest_pull(mover, before, *ties)
        if source == mover or abs(pull) < LOG_THRESHOLD:
            model.log("influence", name(mover), "", f"moved {move:+.3f} towards its "
                      "constituency's interest")  # fmt: skip
        else:
            model.log("influence", name(source), name(mover),
                      f"pulled support for announcing by {pull:+.3f}")  # fmt: skip

    @classmethod
    def vote(
        cls, model, name: str, members: dict, voters: np.ndarray, stage: str, may_abstain: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """The members in ``voters`` vote on a bill: each by her weightiest cue.

        Her constituency's gain, her party's whip, her faction leader's stance or the norm of
        reciprocity, whichever weighs most (``sim.assembly.member_votes``); with an abstention
        band set, one whose pull is weak abstains, where the chamber allows it. On the floor,
        the why-line names each party that splits: how many of its voters defied its whip (by
        voting against it or abstaining), how far its leadership backed that whip
        (``RelocationModel.committed_whips``), and why most of them did.

        Args:
            model: The model (its RNG and legislature parameters).
            name: The bill's name, for the why log.
            members: The bill's member arrays (``sim.assembly.week_of_bill``).
            voters: (N,) bool, who votes.
            stage: ``committee``, ``fast_track`` or ``floor``.
            may_abstain: False where the chamber bars abstention.

        Returns:
            (n,) bool, the voters' yes votes, and (n,) bool, their abstentions.
        """
        yes, abstain, which = member_votes(
            members, voters, model.rng, model.params.legislature, may_abstain
        )
        if stage == "committee":
            return yes, abstain  # a committee votes weekly; its splits would drown the log
        line, party = members["line"][voters], members["party"][voters]
        defied = (line != 0) & np.where(line > 0, ~yes, yes | abstain)
        for p in np.unique(party[defied]):
            mine, split = party == p, defied & (party == p)
            if split.sum() < SPLIT_LOGGED * mine.sum():
                continue
            cue = CUES[int(np.bincount(which[split]).argmax())]
            why = WHY_DEFIED.get(cue, f"their {cue} weighing most")
            abstained = int((split & abstain).sum())
            how = f" ({abstained} abstaining)" if abstained else ""
            backed = float(np.abs(line[split]).max())  # its leadership's commitment to the whip
            whip = f"the whip its leadership backs at {backed:.0%}" if backed < 1 else "the whip"
            model.log("vote", model.party_label(model.world.party_codes[p]), name,
                      f"{split.sum()} of its {mine.sum()} voters defied {whip}{how} on the "
                      f"{stage.replace('_', ' ')}: {why}")  # fmt: skip
        return yes, abstain

    @property
    def stance(self) -> float:
        """Support for announcing the relocation now, in [0, 1]."""
        return float(self.model.stance[self.index, 0])

    @property
    def claim(self) -> float:
        """Support for the home region's claims on institutions, in [0, 1]."""
        return float(self.model.stance[self.index, 1])
