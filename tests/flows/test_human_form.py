"""The record-step form as a German manager sees it: its JSON schema (what the Prefect UI
draws), the checks it shares with the CLI, and the German line a run logs."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from flows.human import (
    StepChoice,
    choice_form,
    chosen_step,
    done_line,
    explain,
    form_to_step,
    intro,
    offered_steps,
    step_form,
)
from models.domain.errors import RatsfristError
from models.domain.states import Result
from models.domain.steps import FieldError


def _schema() -> dict[str, Any]:
    return StepChoice.model_json_schema()


def _fields(label: str) -> dict[str, Any]:
    return step_form(offered_steps()[label]).model_json_schema()


FIELDS_BEFORE = 14
"""The one form of before: the step and every field of every step, 13 of them optional."""

FIELDS = {
    "Beratung zuweisen": {
        "organization": "Gremium",
        "meeting_day": "Sitzung am (Optional)",
        "number": "Drucksachennummer (Optional)",
        "actor": "eingetragen von (Optional)",
    },
    "Bericht liegt vor": {
        "answered": "beantwortete Fragen (Optional)",
        "note": "Vermerk (Optional)",
        "actor": "eingetragen von (Optional)",
    },
    "Ergebnis der Beratung": {
        "result": "Ergebnis",
        "referred_to": "verwiesen an (Optional)",
        "actor": "eingetragen von (Optional)",
    },
    "Dringlichkeit feststellen": {
        "reason": "Begründung",
        "actor": "eingetragen von (Optional)",
    },
    "Fristverlängerung": {
        "kind": "Frist",
        "new_due": "verlängert bis",
        "reason": "Begründung",
        "consent": "Zustimmung (Optional)",
        "consent_by": "zugestimmt von (Optional)",
        "actor": "eingetragen von (Optional)",
    },
}
"""What the second form shows for each step, as the Prefect UI labels it: a field with a
default is "(Optional)", a field the step requires has none."""


def test_the_first_form_asks_only_for_the_step_as_a_german_dropdown() -> None:
    schema = _schema()
    assert schema["title"] == "Schritt wählen"
    assert list(schema["properties"]) == ["step"]
    step = schema["properties"]["step"]
    assert step["title"] == "Schritt"
    assert step["enum"] == [
        "Beratung zuweisen",
        "Bericht liegt vor",
        "Ergebnis der Beratung",
        "Dringlichkeit feststellen",
        "Fristverlängerung",
    ]
    assert schema["required"] == ["step"]
    assert "„Ergebnis der Beratung“ (Beratung)" in step["description"]
    # after a refusal the step chosen before is preselected
    again = choice_form("", "Fristverlängerung").model_json_schema()["properties"]["step"]
    assert again["default"] == "Fristverlängerung" and again["title"] == "Schritt"


def test_the_second_form_shows_only_what_the_chosen_step_takes() -> None:
    assert set(FIELDS) == set(offered_steps())
    for label, expected in FIELDS.items():
        schema = _fields(label)
        props = schema["properties"]
        assert schema["title"] == f"{label} eintragen"
        shown = {
            name: p["title"] + ("" if name in schema.get("required", []) else " (Optional)")
            for name, p in props.items()
        }
        assert shown == expected, label
        assert len(props) < FIELDS_BEFORE
        for name, p in props.items():
            assert p.get("description"), (label, name)
            assert "anyOf" not in p, (label, name)  # anyOf [string, null]: a None toggle
            assert p["type"] == "string", (label, name)
            # no English leftovers and no "nur bei …" of the one form for all steps
            for word in ("decide", "deliver_report", "Optional", "None", "_", "nur bei „"):
                assert word not in p["description"], (label, name, word)
    # the fields come from the step table: one that the step gains is in its form
    decide = _fields("Ergebnis der Beratung")["properties"]
    assert decide["result"]["enum"] == [r.value for r in Result]  # required: no empty choice
    extension = _fields("Fristverlängerung")["properties"]
    assert extension["kind"]["enum"] == [
        "Ladung/Tagesordnung",
        "Stellungnahme der Verwaltung",
        "Niederschrift",
        "Wiedervorlage Umsetzung",
        "Beantwortung der Anfrage",
    ]
    assert extension["consent"]["enum"] == ["", "ja", "nein"]
    assert extension["consent"]["default"] == ""


def test_the_deployment_asks_the_motion_and_may_name_the_step() -> None:
    from prefect.utilities.callables import parameter_schema

    from flows.human import record_step

    schema = parameter_schema(record_step.fn).model_dump()
    props = schema["properties"]
    assert {name: p["title"] for name, p in props.items()} == {
        "reference": "Vorlage",
        "step": "Schritt",
        "attempts": "Versuche",
        "timeout_hours": "Wartezeit (Stunden)",
    }
    assert props["step"]["enum"] == ["", *offered_steps()]
    assert props["step"]["default"] == ""
    assert schema["required"] == ["reference"]
    with pytest.raises(RatsfristError, match=r"^Schritt „Beschluss“ gibt es im Formular nicht"):
        chosen_step("Beschluss")


class _Form:
    def __init__(self, **values: str) -> None:
        self.result = self.referred_to = self.answered = self.note = ""
        self.organization = self.meeting_day = self.number = ""
        self.kind = self.new_due = self.reason = self.consent = self.consent_by = ""
        self.actor = "frau.meier"
        for name, value in values.items():
            setattr(self, name, value)


def _step(label: str, **values: str) -> tuple[str, dict[str, Any]]:
    spec = chosen_step(label)
    return spec.name, form_to_step(spec, _Form(**values))


def test_the_form_maps_to_the_step_with_the_cli_s_checks() -> None:
    assert _step("Ergebnis der Beratung", result="verwiesen", referred_to=" Bauausschuss ") == (
        "decide",
        {"result": "verwiesen", "referred_to": "Bauausschuss"},
    )
    assert _step("Bericht liegt vor", answered="1, 2,5", note="") == (
        "deliver_report",
        {"answered": [1, 2, 5], "note": None},
    )
    assert _step("Beratung zuweisen", organization="Sozialausschuss", meeting_day="15.06.2021") == (
        "assign",
        {"organization": "Sozialausschuss", "meeting_day": date(2021, 6, 15), "number": None},
    )
    # a required field of blanks is missing, as on the command line
    with pytest.raises(RatsfristError, match=r"^Gremium fehlt"):
        _step("Beratung zuweisen", organization="  ")
    with pytest.raises(RatsfristError, match=r"^Ergebnis fehlt"):
        _step("Ergebnis der Beratung")
    with pytest.raises(RatsfristError, match="beantwortete Fragen 'eins'"):
        _step("Bericht liegt vor", answered="eins")


def test_the_form_records_urgency_and_an_extension_with_the_cli_s_checks() -> None:
    assert _step("Dringlichkeit feststellen", reason=" Förderfrist ") == (
        "mark_urgent",
        {"reason": "Förderfrist"},
    )
    assert _step(
        "Fristverlängerung",
        kind="Stellungnahme der Verwaltung",
        new_due="30.06.2021",
        reason="Zahlen fehlen",
        consent="ja",
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
        _step("Fristverlängerung", kind="Niederschrift", reason="x")
    with pytest.raises(RatsfristError, match=r"^Begründung fehlt"):
        _step("Dringlichkeit feststellen")


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
    assert head == (
        "A 21/0500-01: Kommunales Integrationsmanagement. Aktueller Zustand: Bericht angefordert."
    )
    assert "report_requested" not in head
    from flows.human import refused

    assert refused("„verwiesen an“: an welches Gremium verwiesen?", head) == (
        "Nicht übernommen: „verwiesen an“: an welches Gremium verwiesen? Bitte korrigieren."
        f"\n\n{head}"
    )
    assert refused("Ergebnis fehlt", head).startswith("Nicht übernommen: Ergebnis fehlt. Bitte")


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
    from flows.human import CHOOSE, RECORD

    head = intro("A 21/0500-01", "Kommunales Integrationsmanagement", "scheduled")
    step = choice_form(f"{head}\n\n{CHOOSE}").model_json_schema()["properties"]["step"]
    assert step["title"] == "Schritt"
    assert step["description"].startswith("A 21/0500-01: Kommunales Integrationsmanagement. ")
    assert "Aktueller Zustand: auf der Tagesordnung." in step["description"]
    assert "*" not in step["description"]  # the current UI shows no markdown there
    assert "zweites Formular" in step["description"]
    decide = step_form(chosen_step("Ergebnis der Beratung"), f"{head}\n\n{RECORD}")
    first = next(iter(decide.model_json_schema()["properties"].values()))
    assert first["title"] == "Ergebnis"
    assert first["description"].startswith("A 21/0500-01: Kommunales Integrationsmanagement. ")
    assert "trägt den Schritt ein" in first["description"]
    assert first["description"].endswith(
        "wie es in der Niederschrift steht (bei „verwiesen“ auch das Gremium angeben)"
    )


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
