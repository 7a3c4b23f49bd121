"""Every legal and every illegal transition of the lifecycle, table-driven."""

from __future__ import annotations

import itertools

import pytest

from models.domain.states import (
    DECIDABLE,
    IMPLEMENTABLE,
    TRANSITIONS,
    Decision,
    Entry,
    Event,
    IllegalTransition,
    Result,
    ResultKind,
    State,
    UnknownResult,
    allowed_events,
    parse_result,
    transition,
)

S = State
E = Event

# The lifecycle as the Geschäftsordnung practice has it, written out by hand (not derived
# from TRANSITIONS), so that a change to the table must be a change to this list too.
WAIT = (State.in_review, State.awaiting_assignment)
LEGAL: dict[tuple[State | None, Event], State] = {
    (None, E.submit): S.submitted,
    (S.submitted, E.place_on_agenda): S.scheduled,
    (S.scheduled, E.request_report): S.report_requested,
    (S.scheduled, E.reschedule): S.scheduled,
    (S.report_requested, E.reschedule): S.report_requested,
    (S.report_delivered, E.reschedule): S.report_delivered,
    (S.report_requested, E.deliver_report): S.report_delivered,
    (S.report_delivered, E.deliver_report): S.report_delivered,
    (S.decided, E.start_implementation): S.in_implementation,
    (S.decided, E.close): S.closed,
    (S.in_implementation, E.close): S.closed,
    (S.submitted, E.withdraw): S.withdrawn,
    (S.scheduled, E.withdraw): S.withdrawn,
    (S.report_requested, E.withdraw): S.withdrawn,
    (S.report_delivered, E.withdraw): S.withdrawn,
    (S.submitted, E.archive): S.historical,
    (S.scheduled, E.archive): S.historical,
    (S.report_requested, E.archive): S.historical,
    (S.report_delivered, E.archive): S.historical,
    (S.in_review, E.review): S.submitted,
    (S.awaiting_assignment, E.assign): S.submitted,
    (S.in_review, E.withdraw): S.withdrawn,
    (S.awaiting_assignment, E.withdraw): S.withdrawn,
    **{(s, E.renumber): s for s in S if s not in (S.closed, S.withdrawn, S.historical)},
    # Dringlichkeit and Fristverlängerung change deadlines, not the state.
    **{(s, E.mark_urgent): s for s in S if s not in (S.closed, S.withdrawn, S.historical, *WAIT)},
    **{
        (s, E.extend_deadline): s
        for s in S
        if s not in (S.closed, S.withdrawn, S.historical, *WAIT)
    },
}
ALL_STATES: list[State | None] = [None, *State]
NON_DECIDE = [e for e in Event if e is not E.decide]


def test_transition_table_is_exactly_the_documented_lifecycle() -> None:
    assert TRANSITIONS == LEGAL


@pytest.mark.parametrize(("state", "event"), sorted(LEGAL, key=str))
def test_every_legal_transition_reaches_its_state(state: State | None, event: Event) -> None:
    last = Result.beschlossen if event is E.start_implementation else None
    assert transition(state, event, last_result=last) is LEGAL[(state, event)]


ILLEGAL = [(s, e) for s, e in itertools.product(ALL_STATES, NON_DECIDE) if (s, e) not in LEGAL]


@pytest.mark.parametrize(("state", "event"), ILLEGAL, ids=str)
def test_every_illegal_transition_is_refused_naming_state_and_event(
    state: State | None, event: Event
) -> None:
    with pytest.raises(IllegalTransition) as info:
        transition(state, event, last_result=Result.beschlossen)
    message = str(info.value)
    assert message.startswith(f"Schritt '{event.label}' ist ")  # German, not 'decide'
    if state is not None:
        assert f"im Zustand '{state.label}' nicht möglich" in message
    assert info.value.state == state and info.value.event == event


def test_the_refused_pairs_are_exactly_the_complement_of_the_lifecycle() -> None:
    """Asked of the code, not of the lists above: every (state, event) pair but `decide` is
    accepted exactly when the hand-written lifecycle has it, and allowed_events agrees."""
    accepted, refused = set(), set()
    for state, event in itertools.product(ALL_STATES, NON_DECIDE):
        try:
            transition(state, event, last_result=Result.beschlossen)
        except IllegalTransition:
            refused.add((state, event))
        else:
            accepted.add((state, event))
    assert accepted == set(LEGAL)
    assert refused == set(ILLEGAL)
    for state in ALL_STATES:
        offered = [e for e in allowed_events(state) if e is not E.decide]
        assert offered == [e for e in Event if (state, e) in LEGAL], state


@pytest.mark.parametrize("state", [s for s in ALL_STATES if s not in DECIDABLE], ids=str)
def test_decide_is_refused_outside_a_consultation(state: State | None) -> None:
    decision = Decision(Result.beschlossen, authoritative=True, has_next_consultation=False)
    refused = r"^Schritt 'Beratung' ist (im Zustand '[^']+'|ohne Zustand) nicht möglich$"
    with pytest.raises(IllegalTransition, match=refused):
        transition(state, E.decide, decision=decision)


def test_decide_without_result_is_refused() -> None:
    with pytest.raises(IllegalTransition, match="Ergebnis fehlt"):
        transition(S.scheduled, E.decide)


# (result, authoritative, has_next) → the state after decide, or None if refused.
DECISIONS: list[tuple[Result, bool, bool, State | None]] = [
    (Result.beschlossen, True, False, S.decided),
    (Result.ungeaendert_beschlossen, True, False, S.decided),
    (Result.geaendert_beschlossen, True, True, S.decided),
    (Result.abgelehnt, True, False, S.decided),
    (Result.beschlossen, False, True, None),
    (Result.abgelehnt, False, False, None),
    (Result.empfohlen, False, True, S.submitted),
    (Result.mit_aenderungen_empfohlen, False, True, S.submitted),
    (Result.nicht_empfohlen, False, True, S.submitted),
    (Result.empfohlen, False, False, S.decided),
    (Result.empfohlen, True, False, None),
    (Result.nicht_empfohlen, True, True, None),
    (Result.zur_kenntnis_genommen, True, False, S.decided),
    (Result.zur_kenntnis_genommen, False, True, S.submitted),
    (Result.zur_kenntnis_genommen, False, False, S.decided),
    (Result.vertagt, True, False, S.submitted),
    (Result.zurueckgestellt, False, True, S.submitted),
    (Result.verwiesen, True, True, S.submitted),
    (Result.verwiesen, False, True, S.submitted),
]


@pytest.mark.parametrize(("result", "authoritative", "has_next", "expected"), DECISIONS, ids=str)
@pytest.mark.parametrize("state", sorted(DECIDABLE), ids=str)
def test_decision_outcomes(
    state: State, result: Result, authoritative: bool, has_next: bool, expected: State | None
) -> None:
    decision = Decision(result, authoritative=authoritative, has_next_consultation=has_next)
    if expected is None:
        with pytest.raises(IllegalTransition, match=result.value):
            transition(state, E.decide, decision=decision)
    else:
        assert transition(state, E.decide, decision=decision) is expected


def test_every_result_kind_is_covered_by_the_decision_table() -> None:
    assert {r.kind for r, *_ in DECISIONS} == set(ResultKind)
    assert {r for r, *_ in DECISIONS} == set(Result)


@pytest.mark.parametrize("result", sorted(set(Result) - IMPLEMENTABLE), ids=str)
def test_nothing_to_implement_after_a_non_approving_result(result: Result) -> None:
    with pytest.raises(IllegalTransition, match=result.value):
        transition(S.decided, E.start_implementation, last_result=result)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("beschlossen", Result.beschlossen),
        ("Ungeändert beschlossen", Result.ungeaendert_beschlossen),
        ("Unverändert beschlossen", Result.ungeaendert_beschlossen),
        ("geaendert beschlossen", Result.geaendert_beschlossen),
        ("  ABGELEHNT ", Result.abgelehnt),
        ("zurückgestellt", Result.zurueckgestellt),
        ("vertagt", Result.vertagt),
        ("Zur Kenntnis genommen", Result.zur_kenntnis_genommen),
        ("mit Änderungen empfohlen", Result.mit_aenderungen_empfohlen),
        ("nicht_empfohlen", Result.nicht_empfohlen),
        ("approved", Result.beschlossen),
        ("rejected", Result.abgelehnt),
        ("postponed", Result.vertagt),
        ("referred", Result.verwiesen),
    ],
)
def test_parse_result_accepts_every_spelling(text: str, expected: Result) -> None:
    assert parse_result(text) is expected


def test_parse_result_refuses_unknown_words_listing_the_choices() -> None:
    with pytest.raises(UnknownResult, match=r"'genehmigt'.*beschlossen"):
        parse_result("genehmigt")


def test_allowed_events_follow_the_table() -> None:
    assert allowed_events(None) == [E.submit]
    assert allowed_events(S.scheduled) == [
        E.reschedule,
        E.request_report,
        E.decide,
        E.withdraw,
        E.renumber,
        E.mark_urgent,
        E.extend_deadline,
        E.archive,
    ]
    assert allowed_events(S.closed) == []
    assert all(allowed_events(s) == [] for s in State if s.terminal)


def test_timeline_describes_events_in_berlin_time() -> None:
    from models.domain.timeline import describe, rows

    submit = {
        "event": "submit",
        "at": "2021-06-07T08:15:00+00:00",
        "actor": "a",
        "to_state": "submitted",
        "details": {"received_at": "2021-06-06T22:00:00+00:00"},
    }
    report = {
        "event": "deliver_report",
        "at": "2021-10-31T00:30:00+00:00",
        "actor": "b",
        "to_state": "report_delivered",
        "details": {"answered": [1, 2, 3, 5, 7, 8], "open": [4, 6, 9]},
    }
    assert describe(submit) == "eingegangen am 07.06.2021"
    assert describe(report) == "beantwortet: Fragen 1–3, 5, 7–8; offen: 4, 6, 9"
    assert rows([submit, report]) == [
        ("07.06.2021 10:15", "Eingang", "eingereicht", "a", "eingegangen am 07.06.2021"),
        (
            "31.10.2021 02:30",  # still CEST: the clocks go back at 01:00 UTC
            "Bericht erstattet",
            "Bericht liegt vor",
            "b",
            "beantwortet: Fragen 1–3, 5, 7–8; offen: 4, 6, 9",
        ),
    ]


@pytest.mark.parametrize(
    ("uncertain", "assigned", "state"),
    [
        (False, True, S.submitted),
        (False, False, S.awaiting_assignment),
        (True, True, S.in_review),
        (True, False, S.in_review),
    ],
)
def test_a_new_motion_starts_where_its_intake_says(
    uncertain: bool, assigned: bool, state: State
) -> None:
    """A doubt sends it to review first, a missing Beratungsfolge to the Sitzungsdienst."""
    entry = Entry(uncertain=uncertain, assigned=assigned)
    assert transition(None, E.submit, entry=entry) is state


def test_a_review_ends_in_the_state_a_sure_intake_gives_and_never_with_doubts_left() -> None:
    assert transition(S.in_review, E.review, entry=Entry(assigned=False)) is S.awaiting_assignment
    assert transition(S.in_review, E.review, entry=Entry()) is S.submitted
    with pytest.raises(IllegalTransition, match="ungeprüft"):
        transition(S.in_review, E.review, entry=Entry(uncertain=True))


def test_a_motion_waiting_for_review_or_assignment_can_take_no_lifecycle_step() -> None:
    for state in (S.in_review, S.awaiting_assignment):
        assert set(allowed_events(state)) <= {E.review, E.assign, E.withdraw, E.renumber}
