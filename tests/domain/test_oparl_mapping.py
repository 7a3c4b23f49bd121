"""Reading OParl, pure: results in the lifecycle's vocabulary, unusable objects named by object
and field, optional fields and unknown types kept as they are."""

from __future__ import annotations

from typing import Any

import pytest

from models.domain.oparl import OParlError, parse_object, parse_page
from models.domain.oparl_results import result_of
from models.domain.states import Result
from tests.oparl_server import T


def test_results_are_read_in_the_lifecycles_vocabulary() -> None:
    assert result_of("Ungeändert beschlossen", authoritative=True) is Result.ungeaendert_beschlossen
    assert result_of("einstimmig beschlossen", authoritative=True) is Result.beschlossen
    # A preliminary committee that "beschließt" recommends; a council that "empfiehlt" decides.
    assert result_of("Beschlossen", authoritative=False) is Result.empfohlen
    assert result_of("Abgelehnt", authoritative=False) is Result.nicht_empfohlen
    assert result_of("mit Änderungen empfohlen", authoritative=True) is Result.geaendert_beschlossen
    assert result_of("Vertagt", authoritative=True) is Result.vertagt
    assert result_of("Kenntnis genommen", authoritative=False) is Result.zur_kenntnis_genommen
    assert result_of("abgesetzt", authoritative=True) == "abgesetzt"
    assert result_of("ohne Votum weitergeleitet", authoritative=True) is None
    assert result_of(None, authoritative=True) is None


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"type": T + "Paper"}, r"x: Feld 'id' fehlt"),
        ({"id": "u", "type": "Paper"}, r"x \(u\): Feld 'type' ist kein OParl-Typ"),
        ({"id": "u", "type": T + "Meeting"}, r"x \(u\): Feld 'start' fehlt"),
        (
            {"id": "u", "type": T + "Meeting", "start": "31.12.2026"},
            r"x \(u\): Feld 'start': kein Zeitpunkt",
        ),
        ({"id": "u", "type": T + "Paper", "date": "2026-02-30"}, r"Feld 'date': kein Datum"),
        ({"id": "u", "type": T + "Paper", "consultation": {}}, r"Feld 'consultation': Liste"),
        ({"id": "u", "type": T + "Paper", "name": {"de": "x"}}, r"Feld 'name': Text erwartet"),
    ],
)
def test_unusable_objects_name_object_and_field(obj: dict[str, Any], message: str) -> None:
    with pytest.raises(OParlError, match=message):
        parse_object(obj, "x")


def test_missing_optional_fields_and_unknown_types_are_kept_as_they_are() -> None:
    page = parse_page(
        {
            "data": [
                {
                    "id": "p",
                    "type": "https://schema.oparl.org/1.0/Paper",
                    "paperType": "Bürgerantrag",
                },
                {"id": "f", "type": T + "Person", "name": "Erika Muster"},
            ],
            "links": {"next": "n"},
        },
        "page",
    )
    (only,) = page.objects
    assert only.paper_type == "Bürgerantrag" and only.reference is None  # type: ignore[union-attr]
    assert page.skipped == ["f"] and page.next_url == "n"
    with pytest.raises(OParlError, match="page: keine OParl-Antwort"):
        parse_page({"error": "x"}, "page")
