"""The record-step form as a German manager sees it: its JSON schema (what the Prefect UI
draws), the checks it shares with the CLI, and the German line a run logs."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from flows.human import StepForm, done_line, explain, form_to_step, intro
from models.domain.errors import RatsfristError
from models.domain.states import Result
from models.domain.steps import FieldError


def _schema() -> dict[str, Any]:
    return StepForm.model_json_schema()


def test_every_field_has_a_german_title_and_description() -> None:
    props = _schema()["properties"]
    assert _schema()["title"] == "Schritt eintragen"
    assert {name: p["title"] for name, p in props.items()} == {
        "step": "Schritt",
        "result": "Ergebnis",
        "referred_to": "verwiesen an",
        "answered": "beantwortete Fragen",
        "note": "Vermerk",
        "organization": "Gremium",
        "meeting_day": "Sitzung am",
        "number": "Drucksachennummer",
        "kind": "Frist",
        "new_due": "verlängert bis",
        "reason": "Begründung",
        "consent": "Zustimmung",
        "consent_by": "zugestimmt von",
        "actor": "eingetragen von",
    }
    for name, p in props.items():
        assert p.get("description"), name
        # no English leftovers: registry names and snake_case belong to the code, not the form
        for word in ("decide", "deliver_report", "Optional", "None", "_"):
            assert word not in p["description"], (name, word)


def test_step_and_result_are_dropdowns_without_none_toggles() -> None:
    props = _schema()["properties"]
    assert props["step"]["enum"] == [
        "Beratung zuweisen",
        "Bericht liegt vor",
        "Ergebnis der Beratung",
        "Dringlichkeit feststellen",
        "Fristverlängerung",
    ]
    # the deadline kind and the consent are dropdowns too (German labels, as staff read them)
    assert props["kind"]["enum"] == [
        "",
        "Ladung/Tagesordnung",
        "Stellungnahme der Verwaltung",
        "Niederschrift",
        "Wiedervorlage Umsetzung",
        "Beantwortung der Anfrage",
    ]
    assert props["consent"]["enum"] == ["", "ja", "nein"]
    assert props["result"]["enum"] == ["", *(r.value for r in Result)]
    for name, p in props.items():
        assert "anyOf" not in p, name  # anyOf [string, null] is the str/None toggle
        assert p["type"] == "string", name
    assert _schema()["required"] == ["step"]
    assert {n: props[n]["default"] for n in ("result", "referred_to", "answered", "note")} == {
        "result": "",
        "referred_to": "",
        "answered": "",
        "note": "",
    }


class _Form:
    def __init__(self, **values: str) -> None:
        self.step = values.pop("step")
        self.result = self.referred_to = self.answered = self.note = ""
        self.organization = self.meeting_day = self.number = ""
        self.kind = self.new_due = self.reason = self.consent = self.consent_by = ""
        self.actor = "frau.meier"
        for name, value in values.items():
            setattr(self, name, value)


def test_the_form_maps_to_the_step_with_the_cli_s_checks() -> None:
    assert form_to_step(
        _Form(step="Ergebnis der Beratung", result="verwiesen", referred_to=" Bauausschuss ")
    ) == (
        "decide",
        {"result": "verwiesen", "referred_to": "Bauausschuss"},
    )
    assert form_to_step(_Form(step="Bericht liegt vor", answered="1, 2,5", note="")) == (
        "deliver_report",
        {"answered": [1, 2, 5], "note": None},
    )
    assert form_to_step(
        _Form(step="Beratung zuweisen", organization="Sozialausschuss", meeting_day="15.06.2021")
    ) == (
        "assign",
        {"organization": "Sozialausschuss", "meeting_day": date(2021, 6, 15), "number": None},
    )
    with pytest.raises(RatsfristError, match=r"^Gremium fehlt"):
        form_to_step(_Form(step="Beratung zuweisen"))
    with pytest.raises(RatsfristError, match=r"^Ergebnis fehlt"):
        form_to_step(_Form(step="Ergebnis der Beratung"))
    with pytest.raises(RatsfristError, match="beantwortete Fragen 'eins'"):
        form_to_step(_Form(step="Bericht liegt vor", answered="eins"))


def test_the_form_records_urgency_and_an_extension_with_the_cli_s_checks() -> None:
    assert form_to_step(_Form(step="Dringlichkeit feststellen", reason=" Förderfrist ")) == (
        "mark_urgent",
        {"reason": "Förderfrist"},
    )
    assert form_to_step(
        _Form(
            step="Fristverlängerung",
            kind="Stellungnahme der Verwaltung",
            new_due="30.06.2021",
            reason="Zahlen fehlen",
            consent="ja",
        )
    ) == (
        "extend_deadline",
        {
            "kind": "report",
            "new_due": date(2021, 6, 30),
            "reason": "Zahlen fehlen",
            "consent": True,
            "consent_by": None,
        },
    )
    with pytest.raises(RatsfristError, match=r"^verlängert bis fehlt"):
        form_to_step(_Form(step="Fristverlängerung", kind="Niederschrift", reason="x"))
    with pytest.raises(RatsfristError, match=r"^Begründung fehlt"):
        form_to_step(_Form(step="Dringlichkeit feststellen"))


def test_errors_and_logs_speak_german() -> None:
    error = FieldError("referred_to", "{field}: an welches Gremium verwiesen?")
    assert explain(error) == "„verwiesen an“: an welches Gremium verwiesen?"
    line = done_line(
        "A 21/0500-01",
        "decide",
        {"result": "beschlossen", "referred_to": None},
        "frau.meier",
        "decided",
    )
    assert line == (
        "A 21/0500-01: Beratung eingetragen von frau.meier – Ergebnis: beschlossen; "
        "Zustand jetzt: entschieden"
    )
    head = intro("A 21/0500-01", "Kommunales Integrationsmanagement", "report_requested")
    assert "Aktueller Zustand: **Bericht angefordert**" in head
    assert "report_requested" not in head and "Absenden" in head


def test_step_runs_are_named_and_log_in_german() -> None:
    from datetime import date

    from flows.lifecycle import recorded_line
    from models.domain.steps import BY_NAME

    assert BY_NAME["decide"].flow_run_name == "Beratung {reference}"
    assert BY_NAME["place_on_agenda"].flow_run_name == "Auf Tagesordnung {reference}"
    ref = "A 21/0500-01"
    decided = {"result": "vertagt", "referred_to": None, "referral_role": "Vorberatung"}
    assert recorded_line(BY_NAME["decide"], ref, decided, "submitted") == (
        "Beratung erfasst: A 21/0500-01 – Ergebnis: vertagt; Zustand jetzt: eingereicht"
    )
    placed = {"item_number": "5", "meeting_day": date(2021, 6, 15)}
    assert recorded_line(BY_NAME["place_on_agenda"], ref, placed, "scheduled") == (
        "Auf Tagesordnung erfasst: A 21/0500-01 – Nummer des Tagesordnungspunkts (TOP): 5; "
        "Sitzungsdatum: 15.06.2021; "
        "Zustand jetzt: auf der Tagesordnung"
    )


def test_the_actor_is_the_user_the_server_names_else_the_typed_name_else_a_clear_default() -> None:
    from flows.human import ACTOR_DEFAULT, actor_from_events, actor_of

    run = {"prefect.resource.id": "prefect.flow-run.1", "prefect.resource.role": "flow-run"}
    cloud_user = {
        "prefect.resource.id": "prefect-cloud.user.5f1c",
        "prefect.resource.role": "actor",
        "prefect.resource.name": "m.mueller@stadt.example",
    }
    # an open-source server relates no user to a run's state events
    assert actor_from_events([{"event": "prefect.flow-run.Running", "related": [run]}]) is None
    assert actor_from_events(
        [
            {"event": "prefect.flow-run.Paused", "related": [run]},
            {"event": "prefect.flow-run.Running", "related": [run, cloud_user]},
        ]
    ) == ("m.mueller@stadt.example")
    assert actor_of("", "m.mueller") == "m.mueller"
    assert actor_of(" Frau Meier ", "m.mueller") == "m.mueller (Frau Meier)"
    assert actor_of("Frau Meier", None) == "Frau Meier"
    assert actor_of("  ", None) == ACTOR_DEFAULT == "Prefect-UI (Name nicht angegeben)"


def test_the_motion_and_what_resuming_does_open_the_first_field() -> None:
    from flows.human import _form

    head = intro("A 21/0500-01", "Kommunales Integrationsmanagement", "scheduled")
    step = _form(head).model_json_schema()["properties"]["step"]
    assert step["title"] == "Schritt"
    assert step["description"].startswith("**A 21/0500-01: Kommunales Integrationsmanagement**")
    assert "Aktueller Zustand: **auf der Tagesordnung**" in step["description"]
    assert "trägt den Schritt ein" in step["description"]


def test_the_verlauf_s_description_carries_the_full_title() -> None:
    from flows.lifecycle import verlauf_description
    from models.domain.steps import BY_NAME

    decide = BY_NAME["decide"]
    assert verlauf_description("A 1", {"name": "Lange Sanierung", "public": True}, decide) == (
        "A 1: Lange Sanierung – Verlauf nach „Beratung“"
    )
    assert verlauf_description("A 2", {"name": "Grundstück", "public": False}, decide) == (
        "A 2: nichtöffentlich – Verlauf nach „Beratung“"
    )
