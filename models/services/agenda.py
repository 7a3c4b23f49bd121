"""The agenda steps: placing a motion on a meeting's agenda (or moving it to another) and
withdrawing it, which leaves its agenda item marked."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import select

from models.domain.errors import InvalidInput
from models.domain.states import Event, State, transition
from models.domain.steps import FieldError
from models.domain.timeutil import format_local, to_local
from models.services.step_call import Change, StepCall, open_agenda_item, performs
from models.store.repo import meeting_on
from models.store.tables import AgendaItem, Meeting, Organization


@performs("place_on_agenda")
def _place_on_agenda(
    call: StepCall,
    *,
    item_number: str,
    meeting_day: date | None = None,
    meeting: Meeting | None = None,
) -> Change:
    """Put the current consultation on a meeting's agenda as item `item_number` (TOP).

    Already on an agenda, the item moves to the meeting given (reschedule): the old agenda
    item is marked 'abgesetzt' and the deadlines follow the new meeting. `meeting` is the
    meeting the council information system names (OParl sync)."""
    session, paper = call.session, call.paper
    consultation = call.require_current()
    org = session.get(Organization, consultation.organization_id)
    assert org is not None
    event = Event.place_on_agenda if paper.state == State.submitted.value else Event.reschedule
    # Validate the transition before changing anything, so an illegal step leaves no trace.
    transition(State(paper.state), event)
    if meeting is None and meeting_day is not None:
        meeting = meeting_on(session, org, meeting_day, at=call.meeting_time)
    elif meeting is None and consultation.meeting_id is not None and event is Event.place_on_agenda:
        meeting = session.get(Meeting, consultation.meeting_id)
    elif meeting is None:
        raise FieldError(
            "meeting_day",
            f"{paper.reference}: für die Beratung im {org.name} ist keine neue Sitzung "
            "bekannt; {field} angeben",
        )
    assert meeting is not None and meeting.id is not None
    held = format_local(meeting.start, with_time=False)
    if meeting.cancelled:
        raise InvalidInput(f"die Sitzung {org.name} am {held} ist abgesagt")
    number = item_number.strip().removeprefix("TOP").strip()
    if not number:
        raise FieldError("item_number", "{field}: Nummer des Tagesordnungspunkts fehlt")
    same_number = session.exec(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.number == number)
    ).all()
    # An item synced from the council information system before its paper was known waits
    # for its consultation; any other item with the number is taken. A synced meeting may hold
    # a number twice (public and non-public part numbered apart): the waiting one is adopted.
    waiting = [
        item
        for item in same_number
        if item.consultation_id is None
        and item.consultation_oparl_id in (None, consultation.oparl_id)
    ]
    waiting.sort(key=lambda item: item.consultation_oparl_id != consultation.oparl_id)
    taken = waiting[0] if waiting else (same_number[0] if same_number else None)
    adopt = bool(waiting)
    if taken is not None and not adopt:
        raise InvalidInput(f"TOP {number} der Sitzung {org.name} am {held} ist schon belegt")
    details: dict[str, Any] = {
        "organization": org.name,
        "meeting": to_local(meeting.start).isoformat(),
        "agenda_item": number,
    }
    if event is Event.reschedule:
        old = open_agenda_item(session, consultation)
        if old is not None:
            if old.meeting_id == meeting.id:
                raise InvalidInput(f"{paper.reference} steht schon auf dieser Tagesordnung")
            old.result = "abgesetzt"
            session.add(old)
            details["previous_agenda_item"] = old.number
    consultation.meeting_id = meeting.id
    assert consultation.id is not None
    session.add(consultation)
    if adopt:
        assert taken is not None
        taken.consultation_id = consultation.id
        session.add(taken)
    else:
        session.add(
            AgendaItem(
                meeting_id=meeting.id,
                consultation_id=consultation.id,
                number=number,
                name=paper.name,
                public=consultation.public,
            )
        )
    return Change(event, details, meeting_id=meeting.id)


@performs("withdraw")
def _withdraw(call: StepCall, *, note: str | None = None) -> Change:
    """Zurückgezogen by the submitters; an agenda item already set keeps it as its result."""
    transition(State(call.paper.state), Event.withdraw)
    consultation = call.current()
    if consultation is not None:
        item = open_agenda_item(call.session, consultation)
        if item is not None and item.result is None:
            item.result = "zurückgezogen"
            call.session.add(item)
    return Change(Event.withdraw, {"note": note} if note else {})
