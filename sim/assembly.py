"""The legislature's handling of bills: committee, fast track and floor, week by week.

This wires the pure vote rules of ``sim.legislature`` to the bills: the HQ Acts a decision
creates, and the bills a scenario tables on a date. It knows nothing of Mesa: the model passes
in its arrays and its RNG.
"""

from dataclasses import dataclass, field

import numpy as np

from sim import legislature
from sim.parameters import LegislatureParams

FLOOR = -1  # committee index of a bill that goes straight to the floor


@dataclass
class Vote:
    """One recorded vote: who voted, who voted yes and who abstained (the rest voted no).

    Attributes:
        stage: ``committee``, ``fast_track`` or ``floor``.
        week: When.
        voters: Member indices of those who voted (in the legislature of that week).
        yes: (len(voters),) bool, their yes votes.
        abstain: (len(voters),) bool, their abstentions.
        party: (len(voters),) their party indices.
        faction: (len(voters),) their faction indices, -1 for none.
    """

    stage: str
    week: int
    voters: np.ndarray
    yes: np.ndarray
    abstain: np.ndarray
    party: np.ndarray
    faction: np.ndarray

    @property
    def no(self) -> np.ndarray:
        """(len(voters),) bool, their no votes."""
        return ~self.yes & ~self.abstain


@dataclass
class Bill:
    """A bill before the legislature: an HQ Act amendment, or a bill the scenario tables.

    Attributes:
        institution: Institution index of an HQ Act (-1 for a tabled bill).
        destination: Region index (-1 for none).
        introduced: Week introduced.
        code: The tabled bill's code (``""`` for an HQ Act).
        committee: Index of the committee that takes it up, or FLOOR.
        threshold: Share of the members voting that passes it on the floor (0.5: a majority).
        abstentions: How its chamber counts an abstention (``sim.scenario_types.ABSTENTIONS``):
            against it (a majority of the members present), not at all (of the votes cast),
            or not allowed.
        stage: ``committee``, ``fast_track``, ``passed``, ``failed`` or ``lapsed``.
        floor_week: Week a fast-tracked bill reaches the floor.
        committee_defeats: Committee votes lost so far.
        fast_track_tried: Whether its sponsors already tried the fast track.
        closed: Week the bill passed, failed or lapsed (-1 while pending).
        votes: Every vote on it, in order.
    """

    institution: int
    destination: int
    introduced: int
    code: str = ""
    committee: int = 0
    threshold: float = 0.5
    abstentions: str = "not_counted"
    stage: str = "committee"
    floor_week: int = -1
    committee_defeats: int = 0
    fast_track_tried: bool = False
    closed: int = -1
    votes: list[Vote] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        """Still in committee or on the fast track."""
        return self.stage in ("committee", "fast_track")


def regional_gain(member_region, destination, bids_row, source_region):
    """Value of a bill to each member's constituency.

    +1 for the destination, -1 for the region(s) the institutions leave, -0.5 for a region
    that bid for them and lost, 0 otherwise.

    Args:
        member_region: (N,) region index of each member (-1 for none).
        destination: Region index the bill sends the institutions to.
        bids_row: (R,) bool, the regions that bid for them.
        source_region: The region index they leave, or an array of such indices.
    """
    gain = np.zeros(len(member_region))
    gain[member_region == destination] = 1.0
    gain[np.isin(member_region, source_region)] = -1.0
    losers = np.nonzero(bids_row)[0]
    gain[np.isin(member_region, losers[losers != destination])] = -0.5
    return gain


def framework_gain(member_region, bids_any, source_region):
    """Value of a framework act to each member's constituency: that of the moves it enables.

    It names no institution and no destination, so -1 for the region(s) the institutions would
    leave, +0.5 for a region that bids for any of them (assumption: a chance of winning, half a
    sure win, as a losing bidder's -0.5 in ``regional_gain``), 0 otherwise.

    Args:
        member_region: (N,) region index of each member (-1 for none).
        bids_any: (R,) bool, the regions that bid for some institution.
        source_region: The region index (or indices) the institutions leave.
    """
    gain = np.where(np.isin(member_region, np.nonzero(bids_any)[0]), 0.5, 0.0)
    gain[np.isin(member_region, source_region)] = -1.0
    return gain


def week_of_bill(bill, week, members, rng, params: LegislatureParams, vote=None) -> list[str]:
    """Advance one bill by one week; return what happened, for the why log.

    Args:
        bill: The bill, updated in place.
        week: Current week.
        members: Dict of member arrays: ``gain`` (value of this bill), ``line`` (party whip),
            ``faction_line`` (faction leader's stance on it; optional, default none),
            ``discipline``, ``seated``, ``committees`` ((N, C) bool, seated members on each
            committee), ``recognition`` (weights), ``party`` and ``faction`` (indices, kept
            with each vote), ``bloc`` (each member's caucus; optional, default the party).
        rng: The model's generator.
        params: Legislature parameters.
        vote: ``vote(members, voters, stage, may_abstain) -> (yes, abstain)``, the (n,) bool
            votes of the members in the ``voters`` mask at a stage (the model passes
            ``LawmakerAgent.vote``); default ``member_votes``.
    """
    if vote is None:

        def vote(members, voters, stage, may_abstain):
            return member_votes(members, voters, rng, params, may_abstain)[:2]

    if bill.stage == "fast_track":
        if week >= bill.floor_week:
            return [floor_vote(bill, week, members, vote)]
        return []
    if bill.committee == FLOOR:
        return [floor_vote(bill, week, members, vote)]
    events = []
    on = members["committees"][:, bill.committee]
    proposer = np.flatnonzero(on)[legislature.recognise(rng, members["recognition"][on])]
    if members["gain"][proposer] > 0 or members["line"][proposer] > 0:
        yes, n = _vote(bill, "committee", week, on, members, vote)
        if legislature.majority(yes, n):
            events.append(f"passed committee {yes}/{n}")
            events.append(floor_vote(bill, week, members, vote))
            return events
        bill.committee_defeats += 1
        events.append(f"failed in committee {yes}/{n}")
    if not bill.fast_track_tried and week - bill.introduced >= params.committee_patience_weeks:
        bill.fast_track_tried = True
        yes, n = _vote(bill, "fast_track", week, members["seated"], members, vote, of_all=True)
        if legislature.supermajority(yes, n, params.fast_track_share):
            bill.stage, bill.floor_week = "fast_track", week + params.fast_track_weeks
            events.append(f"fast-tracked {yes}/{n}")
        else:
            events.append(f"fast track refused {yes}/{n}")
    return events


def floor_vote(bill, week, members, vote) -> str:
    """Plenary vote: the bill's threshold of the members voting passes it, else it fails.

    A threshold of one half is a simple majority (strictly more than half); a higher one, such
    as 3/5, is a supermajority (at least that share). Every seated member attends; whether
    those who abstain count among the members voting is the chamber's rule (``_vote``).
    """
    yes, n = _vote(bill, "floor", week, members["seated"], members, vote)
    if bill.threshold == 0.5:
        passed = legislature.majority(yes, n)
    else:
        passed = legislature.supermajority(yes, n, bill.threshold)
    bill.stage = "passed" if passed else "failed"
    bill.closed = week
    return f"floor {bill.stage} {yes}/{n}"


def member_votes(members, voters, rng, params: LegislatureParams, may_abstain: bool = True):
    """The votes of the members in the ``voters`` mask, by their weightiest cue.

    Each caucus (a faction, or else a party: ``members["bloc"]``) draws one normal shock of
    scale ``caucus_noise``: its mood of the day, shared by its members. Each member then votes
    yes, abstains or votes no by ``legislature.ordered_votes`` of her weightiest cue plus that
    shock, with the band ``abstention_band`` (0 where the chamber bars abstention).

    Returns:
        (n,) bool yes votes and (n,) bool abstentions of the voters, and (n,) the index in
        ``legislature.CUES`` of the cue that weighed most for each.
    """
    n = len(members["gain"])
    bloc = members.get("bloc", members["party"])
    faction_line = members.get("faction_line", np.zeros(n))
    who = np.flatnonzero(voters)
    # The draws in the order the rule makes them: the caucuses' moods, then each voter's.
    shock = params.caucus_noise * rng.standard_normal(int(bloc.max()) + 1)
    uniform = rng.random(len(who))
    return legislature.votes_by_weightiest_cue(
        members["gain"], members["line"], members["discipline"], faction_line, who, bloc,
        shock, uniform, params.regional_strength, params.discipline_strength, params.reciprocity,
        params.vote_noise, params.abstention_band if may_abstain else 0.0,
    )  # fmt: skip


def _vote(bill, stage, week, voters, members, vote, of_all=False) -> tuple[int, int]:
    """Members in the ``voters`` mask vote on ``bill``; the vote is recorded on the bill.

    Returns:
        The yes votes, and the number a majority is taken of: every voter where abstentions
        count against (a majority of the members present) or are barred, and those who voted
        yes or no where they are not counted (a majority of the votes cast). ``of_all``: every
        voter whatever the rule, as the fast track's share of all members.
    """
    yes, abstain = vote(members, voters, stage, bill.abstentions != "barred")
    who = np.nonzero(voters)[0]
    bill.votes.append(
        Vote(stage, week, who, yes, abstain, members["party"][who], members["faction"][who])
    )
    counted = len(who)
    if bill.abstentions == "not_counted" and not of_all:
        counted -= int(abstain.sum())
    return int(yes.sum()), counted
