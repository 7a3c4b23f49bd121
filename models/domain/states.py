"""The lifecycle of a motion as an explicit state machine.

Pure: no database, no Prefect, no clock. The services layer feeds it the facts it needs
(the current state, the consultation being decided and what follows it) and stores what it
answers, so every rule about which step may follow which lives here and only here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from models.domain.errors import RatsfristError
from models.domain.text import fold


class State(StrEnum):
    """Where a motion stands. The German label is what staff read."""

    submitted = "submitted"
    """Eingereicht; wartet auf einen Platz auf einer Tagesordnung (auch nach Vertagung,
    Verweisung oder Vorberatung: dann für die nächste Beratung)."""
    scheduled = "scheduled"
    """Auf der Tagesordnung einer Sitzung."""
    report_requested = "report_requested"
    """Die Verwaltung ist um einen Bericht / eine Stellungnahme gebeten."""
    report_delivered = "report_delivered"
    """Der Bericht der Verwaltung liegt vor."""
    decided = "decided"
    """Das entscheidende Gremium hat beschlossen (auch: abgelehnt, zur Kenntnis genommen)."""
    in_implementation = "in_implementation"
    """Der Beschluss wird umgesetzt."""
    closed = "closed"
    """Erledigt."""
    withdrawn = "withdrawn"
    """Von den Antragstellenden zurückgezogen."""
    in_review = "in_review"
    """Zu prüfen: die Einlesung war sich bei einem Feld nicht sicher (oder ein Gremium ist
    unbekannt). Keine Fristen, keine Erinnerungen, bis jemand die Felder bestätigt oder
    berichtigt hat (Event.review)."""
    awaiting_assignment = "awaiting_assignment"
    """Beratung zuzuweisen: ein Antrag ohne Beratungsfolge (ein Brief einer Fraktion), der auf
    den Sitzungsdienst wartet (Event.assign). Keine Fristen, keine Erinnerungen."""
    historical = "historical"
    """Aus dem Archiv des Ratsinformationssystems übernommen: zuletzt beraten vor Beginn der
    Fristenverfolgung, ohne erkanntes Ergebnis. Keine Fristen, keine Erinnerungen."""

    @property
    def label(self) -> str:
        return STATE_LABELS[self]

    @property
    def terminal(self) -> bool:
        return self in (State.closed, State.withdrawn, State.historical)


STATE_LABELS: dict[State, str] = {
    State.submitted: "eingereicht",
    State.scheduled: "auf der Tagesordnung",
    State.report_requested: "Bericht angefordert",
    State.report_delivered: "Bericht liegt vor",
    State.decided: "entschieden",
    State.in_implementation: "in Umsetzung",
    State.closed: "erledigt",
    State.withdrawn: "zurückgezogen",
    State.historical: "historisch, Ergebnis unbekannt",
    State.in_review: "zu prüfen",
    State.awaiting_assignment: "Beratung zuzuweisen",
}

#: States in which a motion owes nothing yet: what it is, or where it is to be consulted, is
#: still open. No deadline is planned and no reminder sent until a person has settled it.
WAITING: frozenset[State] = frozenset({State.in_review, State.awaiting_assignment})


class Event(StrEnum):
    """What can happen to a motion."""

    submit = "submit"
    place_on_agenda = "place_on_agenda"
    reschedule = "reschedule"
    """Move an item already on an agenda to another meeting (Sitzung verlegt oder abgesagt,
    Punkt abgesetzt); the state stays as it is."""
    request_report = "request_report"
    deliver_report = "deliver_report"
    decide = "decide"
    start_implementation = "start_implementation"
    close = "close"
    withdraw = "withdraw"
    review = "review"
    """Staff confirmed or corrected the fields the intake was unsure of (State.in_review)."""
    assign = "assign"
    """The Sitzungsdienst assigned committee and meeting to a motion that had none
    (State.awaiting_assignment)."""
    renumber = "renumber"
    """A motion registered under an Eingangsnummer got its external number (its document came
    again with one); the state stays as it is."""
    mark_urgent = "mark_urgent"
    """Dringlichkeit festgestellt, with its reason: rules with an urgent variant use it from
    now on; the state stays as it is."""
    extend_deadline = "extend_deadline"
    """Fristverlängerung granted with the mover's consent; the state stays as it is."""
    archive = "archive"
    """Taken over from an OParl archive as history (State.historical): the last consultation
    was held before the start of tracking and its result is not known."""

    @property
    def label(self) -> str:
        return EVENT_LABELS[self]


EVENT_LABELS: dict[Event, str] = {
    Event.submit: "Eingang",
    Event.review: "geprüft",
    Event.renumber: "Nummer übernommen",
    Event.place_on_agenda: "auf Tagesordnung",
    Event.assign: "Beratung zugewiesen",
    Event.request_report: "Bericht angefordert",
    Event.deliver_report: "Bericht erstattet",
    Event.decide: "Beratung",
    Event.start_implementation: "Umsetzung begonnen",
    Event.close: "abgeschlossen",
    Event.withdraw: "zurückgezogen",
    Event.reschedule: "verlegt",
    Event.archive: "archiviert",
    Event.mark_urgent: "Dringlichkeit festgestellt",
    Event.extend_deadline: "Frist verlängert",
}
"""Event → German name: the 'Schritt' column of a timeline, the step a refusal names (the
steps registry, models.domain.steps, takes its labels from here)."""


class Result(StrEnum):
    """The result vocabulary of council information systems (OParl AgendaItem.result)."""

    beschlossen = "beschlossen"
    ungeaendert_beschlossen = "ungeändert beschlossen"
    geaendert_beschlossen = "geändert beschlossen"
    abgelehnt = "abgelehnt"
    zur_kenntnis_genommen = "zur Kenntnis genommen"
    zurueckgestellt = "zurückgestellt"
    vertagt = "vertagt"
    verwiesen = "verwiesen"
    empfohlen = "empfohlen"
    mit_aenderungen_empfohlen = "mit Änderungen empfohlen"
    nicht_empfohlen = "nicht empfohlen"

    @property
    def kind(self) -> ResultKind:
        return RESULT_KINDS[self]


class ResultKind(StrEnum):
    """Why results differ in what they do to the lifecycle."""

    resolution = "resolution"
    """Ein Beschluss in der Sache; nur das entscheidende (authoritative) Gremium fasst ihn."""
    notice = "notice"
    """Kenntnisnahme: schließt jede Beratung ab, auch eine nicht entscheidende."""
    recommendation = "recommendation"
    """Empfehlung einer Vorberatung an das nächste Gremium; nie im entscheidenden Gremium."""
    postponement = "postponement"
    """Vertagt / zurückgestellt: dieselbe Beratung kommt wieder auf eine Tagesordnung."""
    referral = "referral"
    """Verwiesen: eine neue Beratung in einem anderen Gremium wird eingeschoben."""


RESULT_KINDS: dict[Result, ResultKind] = {
    Result.beschlossen: ResultKind.resolution,
    Result.ungeaendert_beschlossen: ResultKind.resolution,
    Result.geaendert_beschlossen: ResultKind.resolution,
    Result.abgelehnt: ResultKind.resolution,
    Result.zur_kenntnis_genommen: ResultKind.notice,
    Result.zurueckgestellt: ResultKind.postponement,
    Result.vertagt: ResultKind.postponement,
    Result.verwiesen: ResultKind.referral,
    Result.empfohlen: ResultKind.recommendation,
    Result.mit_aenderungen_empfohlen: ResultKind.recommendation,
    Result.nicht_empfohlen: ResultKind.recommendation,
}

#: Results after which there is something to carry out.
IMPLEMENTABLE: frozenset[Result] = frozenset(
    {Result.beschlossen, Result.ungeaendert_beschlossen, Result.geaendert_beschlossen}
)

#: English names accepted on the command line beside the German ones.
RESULT_ALIASES: dict[str, Result] = {
    "approved": Result.beschlossen,
    "approved_unchanged": Result.ungeaendert_beschlossen,
    "amended": Result.geaendert_beschlossen,
    "approved_amended": Result.geaendert_beschlossen,
    "rejected": Result.abgelehnt,
    "noted": Result.zur_kenntnis_genommen,
    "deferred": Result.zurueckgestellt,
    "postponed": Result.vertagt,
    "referred": Result.verwiesen,
    "recommended": Result.empfohlen,
    "recommended_amended": Result.mit_aenderungen_empfohlen,
    "not_recommended": Result.nicht_empfohlen,
}


_RESULT_LOOKUP: dict[str, Result] = {
    **{fold(r.value): r for r in Result},
    **{fold(r.name): r for r in Result},
    **{fold(alias): r for alias, r in RESULT_ALIASES.items()},
    fold("unverändert beschlossen"): Result.ungeaendert_beschlossen,
    fold("Kenntnis genommen"): Result.zur_kenntnis_genommen,
    fold("zur Kenntnis"): Result.zur_kenntnis_genommen,
}


class UnknownResult(RatsfristError):
    def __init__(self, text: str) -> None:
        choices = ", ".join(r.value for r in Result)
        super().__init__(f"unbekanntes Beratungsergebnis {text!r} (erlaubt: {choices})")


def parse_result(text: str) -> Result:
    """Accept the German wording in any spelling, or an English alias such as 'approved'."""
    try:
        return _RESULT_LOOKUP[fold(text)]
    except KeyError:
        raise UnknownResult(text) from None


class IllegalTransition(RatsfristError):
    """A step that the lifecycle does not allow; names state and event so staff know why."""

    def __init__(self, state: State | None, event: Event, reason: str | None = None) -> None:
        self.state = state
        self.event = event
        where = f"im Zustand '{state.label}'" if state else "ohne Zustand"
        text = f"Schritt '{event.label}' ist {where} nicht möglich"
        super().__init__(f"{text}: {reason}" if reason else text)


#: The transition table for every event whose target does not depend on a result.
TRANSITIONS: dict[tuple[State | None, Event], State] = {
    (State.submitted, Event.place_on_agenda): State.scheduled,
    (State.scheduled, Event.request_report): State.report_requested,
    **{
        (s, Event.reschedule): s
        for s in (State.scheduled, State.report_requested, State.report_delivered)
    },
    (State.report_requested, Event.deliver_report): State.report_delivered,
    # A supplementary report (Ergänzungsbericht) answers questions the first one left open.
    (State.report_delivered, Event.deliver_report): State.report_delivered,
    (State.decided, Event.start_implementation): State.in_implementation,
    (State.decided, Event.close): State.closed,
    (State.in_implementation, Event.close): State.closed,
    **{
        (s, Event.withdraw): State.withdrawn
        for s in (State.submitted, State.scheduled, State.report_requested, State.report_delivered)
    },
    **{
        (s, Event.archive): State.historical
        for s in (State.submitted, State.scheduled, State.report_requested, State.report_delivered)
    },
    # Submit and review go where their Entry says (in review, waiting for an assignment);
    # the table holds where a complete document read without doubt goes.
    (None, Event.submit): State.submitted,
    (State.in_review, Event.review): State.submitted,
    (State.awaiting_assignment, Event.assign): State.submitted,
    **{(s, Event.withdraw): State.withdrawn for s in WAITING},
    **{(s, Event.renumber): s for s in State if not s.terminal},
    # Deadlines run from the review or assignment on: nothing to shorten or extend before.
    **{(s, Event.mark_urgent): s for s in State if not s.terminal and s not in WAITING},
    **{(s, Event.extend_deadline): s for s in State if not s.terminal and s not in WAITING},
}

#: States from which a committee can take the motion up (decide needs the result to say where
#: it goes, so it is not in TRANSITIONS).
DECIDABLE: frozenset[State] = frozenset(
    {State.scheduled, State.report_requested, State.report_delivered}
)


@dataclass(frozen=True, slots=True)
class Decision:
    """What decide() needs to know besides the state."""

    result: Result
    authoritative: bool
    """Does the consultation being decided have the final say (OParl Consultation.authoritative)?"""
    has_next_consultation: bool
    """Is there a further consultation in the Beratungsfolge after this one?"""


@dataclass(frozen=True, slots=True)
class Entry:
    """What decides where a new motion starts (Event.submit) and where it goes once its
    fields are reviewed (Event.review)."""

    uncertain: bool = False
    """Is there a field the intake was unsure of (or a committee nobody knows)?"""
    assigned: bool = True
    """Does the motion have a Beratungsfolge (at least one consultation)?"""

    @property
    def state(self) -> State:
        if self.uncertain:
            return State.in_review
        return State.submitted if self.assigned else State.awaiting_assignment


def transition(
    state: State | None,
    event: Event,
    *,
    decision: Decision | None = None,
    last_result: Result | None = None,
    entry: Entry | None = None,
) -> State:
    """The state after `event`, or IllegalTransition.

    `entry` says what intake found for Event.submit and Event.review (default: a complete
    document read without doubt); `decision` is required for Event.decide; `last_result`
    (the result that made the motion `decided`) guards start_implementation, because a
    rejected motion has nothing to carry out.
    """
    if event in (Event.submit, Event.review):
        if (state, event) not in TRANSITIONS:
            raise IllegalTransition(state, event)
        entry = entry or Entry()
        if event is Event.review and entry.uncertain:
            raise IllegalTransition(state, event, "es sind noch Felder ungeprüft")
        return entry.state
    if event is Event.decide:
        if state not in DECIDABLE:
            raise IllegalTransition(state, event)
        if decision is None:
            raise IllegalTransition(state, event, "Ergebnis fehlt")
        return _after_decision(state, decision)
    target = TRANSITIONS.get((state, event))
    if target is None:
        raise IllegalTransition(state, event)
    if event is Event.start_implementation and last_result not in IMPLEMENTABLE:
        shown = last_result.value if last_result else "keines"
        raise IllegalTransition(
            state,
            event,
            f"das Ergebnis '{shown}' hat nichts umzusetzen; der Antrag wird abgeschlossen (close)",
        )
    return target


def _after_decision(state: State, decision: Decision) -> State:
    kind = decision.result.kind
    if kind is ResultKind.resolution and not decision.authoritative:
        raise IllegalTransition(
            state,
            Event.decide,
            f"'{decision.result.value}' beschließt nur das entscheidende Gremium; eine "
            "Vorberatung empfiehlt (empfohlen, mit Änderungen empfohlen, nicht empfohlen)",
        )
    if kind is ResultKind.recommendation and decision.authoritative:
        raise IllegalTransition(
            state,
            Event.decide,
            f"'{decision.result.value}' ist eine Empfehlung; das entscheidende Gremium beschließt",
        )
    if kind in (ResultKind.postponement, ResultKind.referral):
        return State.submitted
    if kind is ResultKind.resolution:
        return State.decided
    # A recommendation or a notice ends this consultation; the motion goes on to the next one
    # in the Beratungsfolge, or is done with if none follows.
    return State.submitted if decision.has_next_consultation else State.decided


def allowed_events(state: State | None) -> list[Event]:
    """Events that can possibly follow `state` (for help texts and the UI)."""
    events = [e for (s, e) in TRANSITIONS if s == state]
    if state in DECIDABLE:
        events.append(Event.decide)
    return sorted(set(events), key=list(Event).index)
