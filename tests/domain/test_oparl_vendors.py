"""Vendor quirks, each read from the answer a real council information system gave
(tests/data/oparl-real/, see its README): the adapter turns it into standard OParl, and the
one mapping reads it."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from models.domain.oparl import BodyIn, MeetingIn, OParlError, PaperIn, SystemIn, parse_page
from models.domain.oparl_vendors import (
    CCeGovAllris,
    SomacosSessionNet,
    SternbergSDNet,
    Vendor,
    detect,
    vendor_named,
)

REAL = Path(__file__).resolve().parents[1] / "data" / "oparl-real"
HW = REAL / "sternberg" / "huertgenwald-2021"


def real(name: str) -> Any:
    return json.loads((REAL / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("system", "key"),
    [
        ("sternberg/huertgenwald-2021/system.json", "sdnet"),
        ("sternberg/krefeld-system.json", "sdnet"),
        ("somacos/wuppertal-system.json", "sessionnet"),
        ("allris/erkelenz-system.json", "allris"),
        ("allris/leipzig-system.json", "allris"),  # name and website "N/A": vendor decides
    ],
)
def test_the_adapter_is_chosen_from_the_recorded_system(system: str, key: str) -> None:
    document = real(system)
    assert detect(document, document["id"]).key == key


def test_without_a_system_the_url_decides_and_the_setting_overrides_everything() -> None:
    body = real("allris/bonn-body.json")  # a Body says nothing about its maker
    assert detect(body, body["id"]).key == "allris"  # …sitzung-online.de
    assert detect(None, "https://ris.example.de/webservice/oparl/v1.0/system").key == "sdnet"
    assert detect(None, "https://ris.example.de/oparl/system").key == "standard"
    assert detect(real("allris/erkelenz-system.json"), "", "SessionNet").key == "sessionnet"
    with pytest.raises(OParlError, match=r"'riskant': unbekannter Hersteller \(bekannt: "):
        vendor_named("riskant")


@pytest.mark.parametrize(
    ("page", "deleted"),
    [("meeting-page-14.json", 6), ("paper-page-79.json", 1), ("paper-page-84.json", 10)],
)
def test_sdnet_deletions_without_type_take_the_type_of_their_list(page: str, deleted: int) -> None:
    document = json.loads((HW / page).read_text(encoding="utf-8"))
    kind = "Meeting" if page.startswith("meeting") else "Paper"
    bare = [o for o in document["data"] if "type" not in o]
    assert len(bare) == deleted
    assert all(set(o) == {"id", "created", "modified", "deleted"} for o in bare)
    # Read as the standard says, each bare deletion is an unreadable object…
    assert len(parse_page(document, page).failed) == len(bare)
    # …read through SD.NET's adapter, every object of the page is there.
    read = parse_page(SternbergSDNet().page(document, kind), page)
    assert not read.failed
    assert len(read.objects) == len(document["data"])
    gone = [o for o in read.objects if isinstance(o, MeetingIn | PaperIn) and o.deleted]
    assert {o.id for o in gone} >= {o["id"] for o in bare}


def test_the_eleven_deleted_papers_of_the_last_seven_pages() -> None:
    """The README's count: 165 papers on pages 79–85, 11 of them deletions without type."""
    pages = [json.loads((HW / f"paper-page-{n}.json").read_text()) for n in range(79, 86)]
    read = [parse_page(SternbergSDNet().page(p, "Paper"), "p").objects for p in pages]
    papers = [o for objects in read for o in objects if isinstance(o, PaperIn)]
    assert len(papers) == 165
    assert sum(p.deleted for p in papers) == 11


def test_sdnet_writes_no_text_as_a_placeholder_which_is_read_as_missing() -> None:
    """SD.NET's "(kein Text vorhanden)" is no result: without the repair 21 Hürtgenwald agenda
    items were flagged "Ergebnis prüfen" for a text that says nothing."""
    item = {"id": "x/1", "type": "https://schema.oparl.org/1.0/AgendaItem", "number": "1"}
    fixed = SternbergSDNet().object({**item, "result": "(kein Text vorhanden)"}, None)
    assert "result" not in fixed
    kept = SternbergSDNet().object({**item, "result": "einstimmig beschlossen"}, None)
    assert kept["result"] == "einstimmig beschlossen"
    assert Vendor().object({**item, "result": "(kein Text vorhanden)"}, None)["result"]


def test_a_deleted_file_without_type_is_a_file_and_is_passed_over() -> None:
    raw = real("sternberg/krefeld-deleted-file-without-type.json")
    fixed = Vendor().object(raw, "File")
    assert fixed["type"] == "https://schema.oparl.org/1.1/File"
    page = parse_page({"data": [fixed]}, "file")
    assert page.skipped == [raw["id"]] and not page.failed and not page.objects


def test_allris_double_colon_offsets_are_repaired() -> None:
    raw = real("allris/bonn-body.json")
    assert raw["created"].endswith("+01::00")
    with pytest.raises(ValueError):
        datetime.fromisoformat(raw["created"])
    fixed = CCeGovAllris().object(raw, None)
    text = json.dumps(fixed)
    assert "::00" not in text and text.count("+01:00") == 8  # created/modified of 4 objects
    assert datetime.fromisoformat(fixed["modified"]).utcoffset().total_seconds() == 3600  # type: ignore[union-attr]
    # LegislativeTerm dates written as date-times are read as the dates they are
    assert [t["startDate"] for t in fixed["legislativeTerm"]] == ["1971-05-04", "1975-05-05"]
    body = parse_page(fixed, "bonn").objects[0]
    assert isinstance(body, BodyIn) and body.name == "Bundesstadt Bonn"


def test_allris_auxiliary_file_object_becomes_a_list_and_empty_strings_are_missing() -> None:
    raw = real("allris/bonn-meeting-664.json")
    assert isinstance(raw["auxiliaryFile"], dict) and raw["invitation"]["downloadUrl"] == ""
    fixed = CCeGovAllris().object(raw, "Meeting")
    assert isinstance(fixed["auxiliaryFile"], list) and len(fixed["auxiliaryFile"]) == 1
    assert fixed["auxiliaryFile"][0]["name"] == "Alle Anlagen öffentlich"
    assert "downloadUrl" not in fixed["invitation"]
    assert fixed["invitation"]["date"] == "2021-04-27"  # File.date is a date
    meeting = parse_page(fixed, "bonn").objects[0]
    assert isinstance(meeting, MeetingIn)
    assert meeting.start == datetime.fromisoformat("2021-05-11T17:00:00+02:00")
    assert [i.number for i in meeting.agenda_items] == ["1"]


def test_allris_na_values_and_broken_relative_urls_are_missing() -> None:
    system = CCeGovAllris().object(real("allris/leipzig-system.json"), None)
    assert "name" not in system and "website" not in system
    assert isinstance(parse_page(system, "leipzig").objects[0], SystemIn)
    body = CCeGovAllris().object(real("allris/leipzig-body.json"), None)
    assert "shortName" not in body and "created" not in body  # "" is no value
    page = real("allris/leipzig-papers-page-2.json")
    assert page["data"][0]["web"].startswith("N/A")
    read = parse_page(CCeGovAllris().page(page, "Paper"), "leipzig")
    paper = read.objects[0]
    assert isinstance(paper, PaperIn)
    assert paper.web is None and paper.reference == "DS-00029/14"
    assert paper.name and "\r" not in paper.name and paper.date == date(2014, 9, 9)
    assert read.next_url and read.next_url.endswith("&p=3")


def test_control_characters_in_a_repaired_answer_are_dropped() -> None:
    raw = (REAL / "allris" / "braunschweig-paper-1664.broken_json").read_text(encoding="utf-8")
    with pytest.raises(json.JSONDecodeError, match="Invalid control character"):
        json.loads(raw)
    fixed = CCeGovAllris().page(json.loads(raw, strict=False), "Paper")
    assert not any(ord(c) < 32 and c not in "\r\n\t" for c in fixed["name"])
    paper = parse_page(fixed, "braunschweig").objects[0]
    assert isinstance(paper, PaperIn) and paper.reference == "1664/99"
    assert paper.name and paper.name.startswith("Volkshochschule Braunschweig e. V.")


def test_sessionnet_meeting_with_unknown_organizations_is_read_as_sent() -> None:
    meeting = parse_page(
        SomacosSessionNet().page(real("somacos/wuppertal-meeting-19160.json"), "Meeting"), "w"
    ).objects[0]
    assert isinstance(meeting, MeetingIn)
    assert [o.rsplit("/", 2)[-2:] for o in meeting.organizations] == [["gr", "230"], ["gr", "231"]]


def test_sdnet_empty_filtered_list_is_recognised_only_by_its_code() -> None:
    assert SternbergSDNet().empty_list(404, {"code": 802, "message": "Keine Daten gefunden"})
    assert not SternbergSDNet().empty_list(404, {"error": "not found"})
    assert not Vendor().empty_list(404, {"code": 802})
