"""Checks of a rules profile as a whole (not of one deadline): where two of its rules,
applied to the same meeting, contradict each other. Pure."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from models.domain.rules import Anchor, DeadlineKind, RuleSet, due_date
from models.domain.timeutil import local_datetime, to_local


def order_warnings(rules: RuleSet, around: datetime) -> list[str]:
    """Where an Antragsfrist ends after the invitation with its agenda must go out: a motion
    judged "in time" then reaches that agenda only as a Nachtrag (Bonn: 7th day before the
    session vs. invitation 14 days before; the default: one day). Staff should know the gap,
    so it is shown, in days, as the most any meeting in the 28 days from `around` has
    (working-day rules differ by weekday and holiday)."""
    deadlines = rules.profile.deadlines
    at_meeting = [(n, r) for n, r in deadlines.items() if r.anchor is Anchor.meeting]
    proposals = [(n, r) for n, r in at_meeting if r.kind is DeadlineKind.proposal]
    invitations = [(n, r) for n, r in at_meeting if r.kind is DeadlineKind.invitation]
    first = to_local(around).date()
    meetings = [local_datetime(first + timedelta(days=d), time(17, 0)) for d in range(28)]
    warnings = []
    for p_name, proposal in proposals:
        for i_name, invitation in invitations:
            gap = max(
                (
                    to_local(due_date(proposal, m, rules.calendar)).date()
                    - to_local(due_date(invitation, m, rules.calendar)).date()
                ).days
                for m in meetings
            )
            if gap > 0:
                days = "1 Tag" if gap == 1 else f"{gap} Tage"
                warnings.append(
                    f"{p_name} ({proposal.title}) endet bis zu {days} nach {i_name} "
                    f"({invitation.title}): was rechtzeitig eingeht, erreicht die Tagesordnung "
                    "dann nur als Nachtrag"
                )
    return warnings
