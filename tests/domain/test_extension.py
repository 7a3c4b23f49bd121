"""Fristverlängerung, pure (models.domain.extension, .deadline_steps): what is refused, what
an extension records, and how re-planning keeps it. Dates worked out by hand."""

from __future__ import annotations

from datetime import datetime

import pytest

from models.domain.deadline_steps import parse_consent, parse_kind
from models.domain.errors import InvalidInput
from models.domain.extension import extend, kept_extension
from models.domain.timeutil import BERLIN, to_utc


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


DUE = at("2021-06-10T12:00")
NOW = at("2021-06-08T11:00")


def test_an_extension_records_both_dates_reason_and_consent() -> None:
    granted = extend(
        DUE, at("2021-06-30T12:00"), reason=" Zahlen fehlen ", consent=True,
        consent_by="CDU-Fraktion", now=NOW,
    )  # fmt: skip
    assert (granted.previous_due, granted.new_due) == (to_utc(DUE), to_utc(at("2021-06-30T12:00")))
    assert (granted.reason, granted.consent_by) == ("Zahlen fehlen", "CDU-Fraktion")
    assert granted.step() == (
        "verlängert am 08.06.2021 auf Mi 30.06.2021 12:00 (statt Do 10.06.2021) mit Zustimmung "
        "von CDU-Fraktion, Grund: Zahlen fehlen"
    )


@pytest.mark.parametrize(
    ("new_due", "reason", "consent", "by", "words"),
    [
        ("2021-06-30T12:00", "Zahlen fehlen", False, "CDU-Fraktion", "Zustimmung"),
        ("2021-06-30T12:00", "Zahlen fehlen", True, " ", "Zustimmung"),
        ("2021-06-30T12:00", "  ", True, "CDU-Fraktion", "Begründung fehlt"),
        ("2021-06-10T12:00", "Zahlen fehlen", True, "CDU-Fraktion", "liegt nicht nach"),
        ("2021-06-09T23:59", "Zahlen fehlen", True, "CDU-Fraktion", "liegt nicht nach"),
    ],
)
def test_no_extension_without_reason_consent_or_a_later_date(
    new_due: str, reason: str, consent: bool, by: str, words: str
) -> None:
    with pytest.raises(InvalidInput, match=words):
        extend(DUE, at(new_due), reason=reason, consent=consent, consent_by=by, now=NOW)


def test_replanning_keeps_an_extension_while_it_is_later_than_the_rules() -> None:
    extended, rules = at("2021-06-14T12:00"), at("2021-06-10T12:00")
    # the rules unchanged: the extension holds
    assert kept_extension(rules, extended, rules) == (extended, rules)
    # the meeting moved a day later: the rules say 11.06., the extension (14.06.) still holds
    assert kept_extension(at("2021-06-11T12:00"), extended, rules) == (
        extended,
        at("2021-06-11T12:00"),
    )
    # the meeting moved a week later: the rules give 17.06., more than the extension: spent
    assert kept_extension(at("2021-06-17T12:00"), extended, rules) == (
        at("2021-06-17T12:00"),
        None,
    )
    # never extended: the rules' date
    assert kept_extension(rules, rules, None) == (rules, None)


def test_the_deadline_kind_is_read_in_german_or_by_name_and_consent_as_ja_nein() -> None:
    assert parse_kind("Stellungnahme der Verwaltung", "Frist") == "report"
    assert parse_kind(" answer ", "--frist") == "answer"
    with pytest.raises(InvalidInput, match="--frist 'proposal': erlaubt sind"):
        parse_kind("proposal", "--frist")  # the Antragsfrist is a verdict, not extended
    assert (parse_consent("Ja", "Zustimmung"), parse_consent("nein", "Zustimmung")) == (True, False)
    with pytest.raises(InvalidInput, match="„ja“ oder „nein“"):
        parse_consent("vielleicht", "Zustimmung")


def test_a_reminder_mail_says_the_deadline_was_extended() -> None:
    from notifications.messages import Item

    item = Item(
        reminder_id=1, reference="A 21/0500-01", paper_type="Vorschlag", public=True,
        title="KIM", kind="report", label="Stellungnahme der Verwaltung",
        due=at("2021-06-14T12:00"), step="am-tag@2021-06-14", extended_from=DUE,
    )  # fmt: skip
    assert item.due_text == "14.06.2021, 12:00 Uhr (verlängert, statt 10.06.)"
