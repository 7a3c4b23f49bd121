"""Rendering reminders: German subject, plain text and HTML (Jinja2, autoescaped), and the
.ics attachment. Pure: plain items in, strings out; sending is send.py's business.

Confidentiality lives here and only here: an item of a non-public paper, rendered for a
recipient who is not cleared, carries the reference, the kind of deadline and its date, and
nothing else (`restricted`). An escalation stands for one committee, so naming the committee
anywhere in it (subject, a public item's line, a meeting) names the committee of its
non-public papers too: for an uncleared recipient an escalation with a non-public paper,
or with overdue deadlines not listed (they may be non-public), names no committee at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

from models.domain.ics import build, deadline_entry
from models.domain.reminders import split_error
from models.domain.rules import END_OF_DAY
from models.domain.timeutil import to_local

TEMPLATES = Path(__file__).parent / "templates"

TASKS: dict[str, str] = {
    "invitation": "Tagesordnung aufstellen und Einladung versenden",
    "report": "Stellungnahme/Bericht der Verwaltung vorlegen",
    "answer": "Anfrage schriftlich beantworten",
    "session": "Beratung in der Sitzung und Ergebnis eintragen",
    "minutes": "Niederschrift der Sitzung fertigstellen",
    "implementation": "Stand der Umsetzung des Beschlusses berichten",
    "proposal": "Antrag fristgerecht einreichen",
}


@dataclass(frozen=True)
class Question:
    number: int
    text: str


@dataclass(frozen=True)
class Item:
    """One reminder's content, as plain data."""

    reminder_id: int
    reference: str
    paper_type: str
    public: bool
    title: str
    kind: str
    label: str
    due: datetime
    step: str
    escalation: bool = False
    days_overdue: int = 0
    committee: str | None = None
    meeting_start: datetime | None = None
    rule: str | None = None
    office: str | None = None
    questions: tuple[Question, ...] = ()
    link: str | None = None
    body_name: str = ""
    deadline_key: str = ""
    explanation: str | None = None
    """"So berechnet: …", rendered once per deadline row (notifications.content), not per
    recipient."""
    restricted: bool = field(default=False)
    extended_from: datetime | None = None
    """The rules' date of a deadline moved by a Fristverlängerung: the mail says so."""

    @property
    def due_text(self) -> str:
        local = to_local(self.due)
        extended = (
            f" (verlängert, statt {to_local(self.extended_from):%d.%m.})"
            if self.extended_from
            else ""
        )
        if local.time().replace(tzinfo=None) == END_OF_DAY:
            return f"{local:%d.%m.%Y} (Ende des Tages){extended}"
        return f"{local:%d.%m.%Y, %H:%M} Uhr{extended}"

    @property
    def meeting_text(self) -> str | None:
        return f"{to_local(self.meeting_start):%d.%m.%Y, %H:%M} Uhr" if self.meeting_start else None

    @property
    def task(self) -> str:
        return TASKS.get(self.kind, self.label)

    def for_recipient(self, cleared: bool) -> Item:
        """The item as this recipient may see it."""
        if self.public or cleared:
            return self
        return replace(
            self,
            restricted=True,
            title="",
            committee=None,
            meeting_start=None,
            rule=None,
            explanation=None,
            office=None,
            questions=(),
        )


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str
    ics: bytes
    ics_name: str


@lru_cache(maxsize=1)
def _environment() -> Any:
    """The templates, loaded once: they ship with the program, so no file is looked at again
    (`auto_reload` would stat both templates for every mail)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "html.j2"]),
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
        auto_reload=False,
    )


def subject(items: list[Item], omitted: int = 0) -> str:
    count = len(items) + omitted
    if count > 1:
        overdue = sum(1 for i in items if i.escalation) + omitted
        if overdue == count:
            committees = {i.committee for i in items if i.committee and not i.restricted}
            where = f" – {committees.pop()}" if len(committees) == 1 else ""
            return f"ÜBERFÄLLIG: {count} Fristen{where}"
        extra = f", davon {overdue} überfällig" if overdue else ""
        return f"ratsfrist: {count} Fristen{extra}"
    item = items[0]
    head = "ÜBERFÄLLIG" if item.escalation else "Erinnerung"
    title = f" – {item.title}" if item.title and not item.restricted else ""
    return f"{head}: {item.label} {item.reference}, fällig {item.due_text}{title}"


def render(items: list[Item], *, cleared: bool, now: datetime, omitted: int = 0) -> Message:
    """One mail for one recipient: a single reminder, a digest of several, or a committee's
    escalation (`omitted`: overdue deadlines beyond those listed)."""
    shown = [item.for_recipient(cleared) for item in items]
    hidden = omitted or any(i.restricted for i in shown)
    if not cleared and hidden and any(i.escalation for i in shown):
        shown = [replace(i, committee=None, meeting_start=None) for i in shown]
    footer = "Erinnerung " + ", ".join(f"#{n}" for n in dict.fromkeys(i.reminder_id for i in shown))
    context = {
        "items": shown,
        "footer": footer,
        "subject": subject(shown, omitted),
        "omitted": omitted,
        "overview": next((i.link for i in shown if i.escalation and i.link), None),
    }
    env = _environment()
    return Message(
        subject=str(context["subject"]),
        text=env.get_template("reminder.txt.j2").render(context),
        html=env.get_template("reminder.html.j2").render(context),
        ics=calendar_for(shown, now),
        ics_name="frist.ics" if len(shown) == 1 else "fristen.ics",
    )


def calendar_for(items: list[Item], now: datetime) -> bytes:
    """The deadlines as iCalendar, with the same UIDs as `ratsfrist calendar`."""
    entries = [
        deadline_entry(
            body=item.body_name,
            reference=item.reference,
            key=item.deadline_key,
            summary=f"{item.label}: {item.reference}"
            + (f" – {item.title}" if item.title and not item.restricted else ""),
            due=item.due,
            description=f"{item.task}\nVorlage {item.reference}"
            + (f"\n{item.explanation}" if item.explanation else ""),
            kind=item.kind,
            updated_at=item.due,
        )
        for item in items
    ]
    return build(entries, name="ratsfrist", now=now)


@dataclass(frozen=True)
class FailureNotice:
    """What the operators are told of a reminder that failed for good (plain data)."""

    reminder_id: int
    reference: str
    label: str
    step: str
    tag: str
    attempts: int
    route: str
    """The recipient's masked URL, as the dispatcher stored it in `last_error`."""
    reply: str
    """The mail server's answer (`SMTP 554 5.7.1 …`) or Apprise's message."""

    @property
    def code(self) -> str | None:
        found = re.search(r"SMTP (\d{3})", self.reply)
        return found.group(1) if found else None


def failure_notice(
    reminder_id: int, reference: str, label: str, step: str, tag: str, attempts: int, error: str
) -> FailureNotice:
    """The notice of a failed row, its stored `last_error` split into route and reply."""
    route, reply = split_error(error)
    return FailureNotice(reminder_id, reference, label, step, tag, attempts, route, reply)


def render_notices(notices: list[FailureNotice]) -> Message:
    """The operations mail for reminders that failed for good: for each, what, to whom, what
    the server said; then what to do. One mail per run and operator, however many failed
    (after an outage, or on the first run with this feature, there may be hundreds). No
    title, no committee: the operators need the reference, not the content."""
    if len(notices) == 1:
        notice = notices[0]
        code = f" (SMTP {notice.code})" if notice.code else ""
        what = f"Vorlage {notice.reference}" if notice.reference else "Eskalation"
        subject_line = f"Zustellung fehlgeschlagen: Erinnerung #{notice.reminder_id}, {what}{code}"
        head = (
            f"Die Erinnerung #{notice.reminder_id} ist endgültig nicht zugestellt worden; "
            "ratsfrist sendet sie nicht mehr von selbst."
        )
    else:
        codes = sorted({f"SMTP {n.code}" for n in notices if n.code})
        subject_line = f"Zustellung fehlgeschlagen: {len(notices)} Erinnerungen" + (
            f" ({', '.join(codes)})" if codes else ""
        )
        head = (
            f"{len(notices)} Erinnerungen sind endgültig nicht zugestellt worden; "
            "ratsfrist sendet sie nicht mehr von selbst."
        )
    lines = [head]
    for notice in notices:
        lines += [
            "",
            f"Erinnerung #{notice.reminder_id}",
            f"Vorlage: {notice.reference or '– (Eskalation)'}",
            f"Frist: {notice.label} (Schritt {notice.step})",
            f"Empfänger-Tag: {notice.tag}",
            f"Empfänger: {notice.route or 'unbekannt'}",
            f"Antwort: {notice.reply}",
            f"Versuche: {notice.attempts}",
        ]
    lines += [
        "",
        "Ansehen: ratsfrist reminders --failed",
        "Nach der Korrektur erneut senden: ratsfrist dispatch --retry-failed",
    ]
    text = "\n".join(lines) + "\n"
    body = "".join(f"<p>{escape(line)}</p>\n" if line else "" for line in lines)
    return Message(subject=subject_line, text=text, html=body, ics=b"", ics_name="")
