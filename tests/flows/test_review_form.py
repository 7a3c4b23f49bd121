"""The review form as staff see it: one German field per doubt, filled in as read, with the
reason; what they change becomes a correction, the rest is confirmed, as `ratsfrist review`
would do it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from flows.review_form import build_form, corrections_from, intro
from models.domain.document import Uncertainty
from models.domain.errors import RatsfristError
from models.domain.intake import parse_document
from models.services import intake, steps, views
from models.store.db import session_scope
from models.store.repo import find_paper
from tests.conftest import DATA, EXAMPLE

T0 = datetime(2021, 6, 7, 8, 15, tzinfo=UTC)


def _view(engine: Engine) -> dict[str, Any]:
    """A motion in review for two reasons: its questions, and a committee nobody knows."""
    seed = parse_document(EXAMPLE.read_bytes(), "v.txt")
    anfrage = parse_document((DATA / "anfrage-nummeriert.txt").read_bytes(), "a.txt")
    doubted = replace(anfrage, uncertain=(Uncertainty("questions[2]", "sehr lange Frage"),))
    with session_scope(engine) as session:
        intake.import_paper(session, seed, body_name="Stadt", now=T0, actor="t")
        intake.import_paper(session, doubted, body_name="Stadt", now=T0, actor="t")
        return views.paper_view(session, find_paper(session, anfrage.reference), T0)


class _Entered:
    def __init__(self, prefill: dict[str, Any], **changes: Any) -> None:
        self.actor = "frau.meier"
        self.geprueft = True
        for name, value in {**prefill, **changes}.items():
            setattr(self, name, value)


def test_every_doubt_is_a_german_field_filled_in_as_read(engine: Engine) -> None:
    view = _view(engine)
    form, prefill = build_form(view)
    schema = form.model_json_schema()
    props = schema["properties"]
    assert schema["title"] == "Vorlage prüfen"
    assert {name: p["title"] for name, p in props.items()} == {
        "fragen": "Fragen (eine je Zeile)",
        "gremium_1": "Gremium (Zeile 1)",
        "sitzung_1": "Sitzung am (Zeile 1)",
        "geprueft": "geprüft",
        "actor": "geprüft von",
    }
    assert props["fragen"]["description"] == "unsicher: sehr lange Frage"
    assert props["gremium_1"]["description"].startswith("unsicher: Gremium unbekannt")
    assert prefill["fragen"] == "\n".join(view["questions"])
    assert (prefill["gremium_1"], prefill["sitzung_1"]) == ("Bezirksvertretung 1", "26.01.2023")
    assert props["geprueft"]["default"] is False
    assert "zu prüfen" in intro(view) and "**fragen**" in intro(view)


def test_changed_fields_are_corrections_and_the_rest_is_confirmed(engine: Engine) -> None:
    view = _view(engine)
    _, prefill = build_form(view)
    assert corrections_from(_Entered(prefill), view) == {}
    assert corrections_from(_Entered(prefill, gremium_1="Sozialausschuss"), view) == {
        "gremium.1": "Sozialausschuss"
    }
    with pytest.raises(RatsfristError, match="„geprüft“ ist nicht angekreuzt"):
        corrections_from(_Entered(prefill, geprueft=False), view)
    # What the form sends is what the CLI's review takes.
    corrections = corrections_from(_Entered(prefill, gremium_1="Sozialausschuss"), view)
    with session_scope(engine) as session:
        outcome = steps.perform(
            "review",
            session,
            view["reference"],
            now=T0,
            actor="frau.meier",
            corrections=corrections,
            confirm=True,
        )
        assert outcome.paper.state == "submitted"
        after = views.paper_view(session, outcome.paper, T0)
    assert [c["organization"] for c in after["consultations"]] == ["Sozialausschuss"]
