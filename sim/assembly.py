"""The National Assembly's handling of HQ Acts: committee, fast track and floor, week by week.

This wires the pure vote rules of ``sim.legislature`` to the bills a decision creates. It knows
nothing of Mesa: the model passes in its arrays and its RNG.
"""

from dataclasses import dataclass

import numpy as np

from sim import legislature
from sim.parameters import LegislatureParams

COMMITTEE = 0  # index of the National Policy Committee in scenario.COMMITTEES


@dataclass
class Bill:
    """An amendment moving one institution's HQ out of Seoul.

    Attributes:
        institution: Institution index.
        destination: Region index.
        introduced: Week introduced.
        stage: ``committee``, ``fast_track``, ``passed``, ``failed`` or ``lapsed``.
        floor_week: Week a fast-tracked bill reaches the floor.
        committee_defeats: Committee votes lost so far.
        fast_track_tried: Whether its sponsors already tried the fast track.
        closed: Week the bill passed, failed or lapsed (-1 while pending).
    """

    institution: int
    destination: int
    introduced: int
    stage: str = "committee"
    floor_week: int = -1
    committee_defeats: int = 0
    fast_track_tried: bool = False
    closed: int = -1

    @property
    def pending(self) -> bool:
        """Still in committee or on the fast track."""
        return self.stage in ("committee", "fast_track")


def regional_gain(member_region, destination, bids_row, source_region):
    """Value of a bill to each member's constituency.

    +1 for the destination, -1 for the capital region, -0.5 for a region that bid for the
    institution and lost, 0 otherwise.
    """
    gain = np.zeros(len(member_region))
    gain[member_region == destination] = 1.0
    gain[member_region == source_region] = -1.0
    losers = np.nonzero(bids_row)[0]
    gain[np.isin(member_region, losers[losers != destination])] = -0.5
    return gain


def week_of_bill(bill, week, members, rng, params: LegislatureParams) -> list[str]:
    """Advance one bill by one week; return what happened, for the why log.

    Args:
        bill: The bill, updated in place.
        week: Current week.
        members: Dict of member arrays: ``gain`` (value of this bill), ``line`` (party whip),
            ``discipline``, ``seated``, ``committee`` (bool, on the committee), ``recognition``
            (weights).
        rng: The model's generator.
        params: Legislature parameters.
    """
    if bill.stage == "fast_track":
        if week >= bill.floor_week:
            return [floor_vote(bill, week, members, rng, params)]
        return []
    events = []
    on = members["committee"]
    proposer = rng.choice(
        np.nonzero(on)[0], p=legislature.recognition_probabilities(members["recognition"][on])
    )
    if members["gain"][proposer] > 0 or members["line"][proposer] > 0:
        yes, n = _vote(on, members, rng, params)
        if legislature.majority(yes, n):
            events.append(f"passed committee {yes}/{n}")
            events.append(floor_vote(bill, week, members, rng, params))
            return events
        bill.committee_defeats += 1
        events.append(f"failed in committee {yes}/{n}")
    if not bill.fast_track_tried and week - bill.introduced >= params.committee_patience_weeks:
        bill.fast_track_tried = True
        yes, n = _vote(members["seated"], members, rng, params)
        if legislature.supermajority(yes, n, params.fast_track_share):
            bill.stage, bill.floor_week = "fast_track", week + params.fast_track_weeks
            events.append(f"fast-tracked {yes}/{n}")
        else:
            events.append(f"fast track refused {yes}/{n}")
    return events


def floor_vote(bill, week, members, rng, params) -> str:
    """Plenary vote: a simple majority of seated members passes the bill, else it fails."""
    yes, n = _vote(members["seated"], members, rng, params)
    bill.stage = "passed" if legislature.majority(yes, n) else "failed"
    bill.closed = week
    return f"floor {bill.stage} {yes}/{n}"


def _vote(voters, members, rng, params) -> tuple[int, int]:
    p = legislature.yes_probability(
        members["gain"][voters],
        members["line"][voters],
        members["discipline"][voters],
        params.regional_strength,
        params.discipline_strength,
        params.vote_noise,
    )
    yes = legislature.cast_votes(p, rng.random(len(p)))
    return int(yes.sum()), len(p)
