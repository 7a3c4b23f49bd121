"""The query behind `ratsfrist meetings check`: every owed deadline of one meeting (its
papers' Ladung and Stellungnahmen), each with its agenda item and its rule in words, for the
pure pre-flight in models.domain.preflight. Reads only: nothing is created or changed."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from models.domain.bodies import Rules, rules_of
from models.domain.errors import NotFound
from models.domain.preflight import CHECKED, NoticeRow, agenda_rows, broken_notices
from models.domain.rules import describe_rule
from models.domain.vocab import DeadlineStatus
from models.store.repo import find_organization, meeting_on
from models.store.tables import AgendaItem, Body, Deadline, Meeting, Paper


def meeting_notices(
    session: Session, *, body_name: str, committee: str, day: date, rules: Rules
) -> tuple[Meeting, list[NoticeRow]]:
    """The meeting of `committee` on `day` and its invitation and report deadlines (all but
    the cancelled: which of them the invitation breaks is models.domain.preflight's)."""
    body = session.exec(select(Body).where(Body.name == body_name)).first()
    if body is None or body.id is None:
        raise NotFound(f"Körperschaft {body_name!r} gibt es nicht")
    org = find_organization(session, body.id, committee)
    meeting = meeting_on(session, org, day, create=False)
    if meeting is None:
        raise NotFound(f"keine Sitzung {org.name} am {day:%d.%m.%Y}")
    ruleset = rules_of(rules, body.id)
    item = aliased(AgendaItem)
    query = (
        select(Deadline, Paper.reference, Paper.name, item.number)
        .join(Paper, col(Paper.id) == Deadline.paper_id)
        .outerjoin(
            item,
            sa.and_(
                col(item.meeting_id) == meeting.id,
                col(item.consultation_id) == col(Deadline.consultation_id),
            ),
        )
        .where(
            Deadline.meeting_id == meeting.id,
            col(Deadline.kind).in_(CHECKED),
            Deadline.status != DeadlineStatus.cancelled.value,
        )
        .order_by(col(Deadline.due), col(Deadline.id))
    )
    rows = []
    for deadline, reference, title, number in session.exec(query).all():
        rule = ruleset.at(meeting.start).profile.deadlines.get(deadline.rule)
        rows.append(
            NoticeRow(
                reference=reference,
                item=number,
                title=title,
                kind=deadline.kind,
                label=deadline.label,
                rule_words=describe_rule(rule) if rule is not None else deadline.rule,
                due=deadline.due,
                status=deadline.status,
            )
        )
    linked = select(Deadline.consultation_id).where(
        Deadline.meeting_id == meeting.id, col(Deadline.consultation_id).is_not(None)
    )
    bare = session.exec(
        select(AgendaItem.number, AgendaItem.name).where(
            AgendaItem.meeting_id == meeting.id,
            col(AgendaItem.result).is_(None),
            col(AgendaItem.consultation_id).is_(None)
            | col(AgendaItem.consultation_id).not_in(linked),
        )
    ).all()
    rows += agenda_rows(ruleset, meeting.start, [(n, name) for n, name in bare])
    return meeting, rows


def check_meeting(
    session: Session, *, body_name: str, committee: str, day: date, rules: Rules, now: datetime
) -> tuple[Meeting, list[NoticeRow], list[NoticeRow]]:
    """The meeting, all its checked deadlines and those an invitation sent at `now` breaks."""
    meeting, rows = meeting_notices(
        session, body_name=body_name, committee=committee, day=day, rules=rules
    )
    return meeting, rows, broken_notices(rows, now)
