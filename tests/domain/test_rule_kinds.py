"""The rule kinds real rules of procedure use, checked against dates worked out by hand from
each rule's wording in the shipped example profiles (models/profiles/*.toml): counted from
receipt in weeks and months, Kalendertage with a cut-off hour, full days, Werktage, counted
in meetings, recess, urgency and extension; and the explanation each deadline carries."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from models.domain.errors import InvalidInput
from models.domain.explain import explain_due
from models.domain.extension import extend
from models.domain.rules import RuleError, RuleSet, due_date, due_or_none, ruleset_from
from models.domain.timeutil import BERLIN
from models.store.profiles import load_profile

D = date


def at(day: date, hour: int = 17, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def end(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=BERLIN)


# (why, profile, rule, anchor, urgent, expected due in Berlin)
CASES: list[tuple[str, str, str, datetime, bool, datetime]] = [
    # München GeschO § 68, "binnen drei Wochen" ab Eingang; § 193 BGB: next working day
    ("Anfrage Mo 01.03.21 + 3 Wochen = Mo 22.03.", "muenchen", "anfrage_antwort",
     at(D(2021, 3, 1), 10), False, end(D(2021, 3, 22))),
    ("Anfrage Mo 15.03.21 + 3 Wochen = Ostermontag 05.04. → Di 06.04.", "muenchen",
     "anfrage_antwort", at(D(2021, 3, 15), 10), False, end(D(2021, 4, 6))),
    ("Anfrage Mo 25.07.22 + 3 Wochen = Mo 15.08., Mariä Himmelfahrt (katholisch) → Di 16.08.",
     "muenchen", "anfrage_antwort", at(D(2022, 7, 25), 10), False, end(D(2022, 8, 16))),
    # München GeschO § 60 Abs. 2, drei Monate; Ferienzeit 30.07.–09.09.2021 (42 Tage) ruht
    ("Antrag Mi 10.02.21 + 3 Monate = Mo 10.05., keine Ferienzeit dazwischen", "muenchen",
     "antrag_behandlung", at(D(2021, 2, 10), 9), False, end(D(2021, 5, 10))),
    ("Antrag Mo 17.05.21 + 3 Monate = Di 17.08., + 42 Ferientage = Di 28.09.", "muenchen",
     "antrag_behandlung", at(D(2021, 5, 17), 9), False, end(D(2021, 9, 28))),
    ("Antrag Di 01.06.21 + 3 Monate = Mi 01.09., + 42 Ferientage = Mi 13.10.", "muenchen",
     "antrag_behandlung", at(D(2021, 6, 1), 9), False, end(D(2021, 10, 13))),
    ("Antrag Mo 02.08.21 (in der Ferienzeit) + 3 Monate = Di 02.11., + 38 Tage 03.08.–09.09. "
     "= Fr 10.12.", "muenchen", "antrag_behandlung", at(D(2021, 8, 2), 9), False,
     end(D(2021, 12, 10))),
    # Erfurt: "Die Beantwortungsfrist beträgt zwei Wochen."
    ("Anfrage Mo 06.09.21 + 2 Wochen = Mo 20.09. Weltkindertag (TH) → Di 21.09.", "erfurt",
     "anfrage_antwort", at(D(2021, 9, 6), 11), False, end(D(2021, 9, 21))),
    ("Anfrage So 17.10.21 + 2 Wochen = So 31.10. (Reformationstag) → Mo 01.11. (TH: kein "
     "Allerheiligen)", "erfurt", "anfrage_antwort", at(D(2021, 10, 17), 11), False,
     end(D(2021, 11, 1))),
    # Wuppertal BV, GO § 33: bis 12 Uhr am 7. Kalendertag vor dem Sitzungstag, no shifting
    ("BV Do 10.06.21: 7. Kalendertag davor ist Do 03.06. Fronleichnam, bleibt, 12 Uhr",
     "wuppertal_bv", "antragsfrist", at(D(2021, 6, 10)), False, at(D(2021, 6, 3), 12)),
    ("BV Di 15.06.21: Di 08.06., 12 Uhr", "wuppertal_bv", "antragsfrist",
     at(D(2021, 6, 15)), False, at(D(2021, 6, 8), 12)),
    # Wolfsburg: 5 Tage, Einreichungs- und Sitzungstag zählen nicht: 11.–15.06. sind die 5
    ("Antrag zur Sitzung Mi 16.06.21: Do 10.06.", "wolfsburg", "antragsfrist",
     at(D(2021, 6, 16)), False, end(D(2021, 6, 10))),
    # Wolfsburg Anfragen, 3 Arbeitstage, Sitzungstag nicht mitgerechnet (NI: no Allerheiligen)
    ("Anfrage zur Sitzung Mi 03.11.21: Di 02., Mo 01.11., Fr 29.10.", "wolfsburg",
     "anfragefrist", at(D(2021, 11, 3)), False, end(D(2021, 10, 29))),
    ("Anfrage zur Sitzung Do 02.11.23: Mi 01.11., Reformationstag Di 31.10. zählt nicht, "
     "Mo 30.10., Fr 27.10.", "wolfsburg", "anfragefrist", at(D(2023, 11, 2)), False,
     end(D(2023, 10, 27))),
    # Wolfsburg Ladung drei (volle) Tage: Sitzung Mi 16.06.21 → Sa 12.06. → Fr 11.06.;
    # in Eilfällen abgekürzt: ohne Frist, bis zum Sitzungsbeginn
    ("Ladung zur Sitzung Mi 16.06.21: Sa 12.06. → Fr 11.06.", "wolfsburg", "ladung",
     at(D(2021, 6, 16), 18), False, end(D(2021, 6, 11))),
    ("Ladung dringlich zur Sitzung Mi 16.06.21 18:00: bis Sitzungsbeginn", "wolfsburg",
     "ladung", at(D(2021, 6, 16), 18), True, at(D(2021, 6, 16), 18)),
    # BW GemO § 34 Abs. 1: in der Regel mindestens sieben (volle) Tage vor dem Sitzungstag
    ("BW Sitzung Do 15.07.21: 08.–14.07. sind die 7 Tage → Mi 07.07.", "bw_gemeinde", "ladung",
     at(D(2021, 7, 15)), False, end(D(2021, 7, 7))),
    ("BW Sitzung Do 14.01.21: Mi 06.01. Hl. Drei Könige → Di 05.01.", "bw_gemeinde", "ladung",
     at(D(2021, 1, 14)), False, end(D(2021, 1, 5))),
    ("BW Notfall (§ 34 Abs. 2) zur Sitzung Do 14.01.21 17:00: ohne Frist", "bw_gemeinde",
     "ladung", at(D(2021, 1, 14)), True, at(D(2021, 1, 14))),
    # Rhein-Kreis Neuss GO § 1 Abs. 1: sechs Kalendertage; dringend drei Werktage
    ("Neuss Sitzung Mi 16.06.21: Do 10.06.", "rhein_kreis_neuss", "ladung",
     at(D(2021, 6, 16)), False, end(D(2021, 6, 10))),
    ("Neuss Sitzung Fr 11.06.21: Sa 05.06., Kalendertag bleibt", "rhein_kreis_neuss", "ladung",
     at(D(2021, 6, 11)), False, end(D(2021, 6, 5))),
    ("Neuss dringlich Sitzung Di 15.06.21: Mo 14., Sa 12., Fr 11.06.", "rhein_kreis_neuss",
     "ladung", at(D(2021, 6, 15)), True, end(D(2021, 6, 11))),
    ("Neuss dringlich Sitzung Mo 07.06.21: Sa 05., Fr 04., Fronleichnam, Mi 02.06.",
     "rhein_kreis_neuss", "ladung", at(D(2021, 6, 7)), True, end(D(2021, 6, 2))),
    ("Neuss dringlich Sitzung Mi 17.02.21: Di 16., Rosenmontag 15. (Werktag), Sa 13.02.",
     "rhein_kreis_neuss", "ladung", at(D(2021, 2, 17)), True, end(D(2021, 2, 13))),
    # Bavarian Stadtrat: in der Regel mindestens drei (volle) Tage
    ("BY Sitzung Do 14.10.21: So 10.10. → Fr 08.10.", "bayern_stadtrat", "ladung",
     at(D(2021, 10, 14)), False, end(D(2021, 10, 8))),
    ("BY Sitzung Fr 19.08.22: Mo 15.08. Mariä Himmelfahrt (katholisch) → Fr 12.08.",
     "bayern_stadtrat", "ladung", at(D(2022, 8, 19)), False, end(D(2022, 8, 12))),
    # A rule without an urgent variant stays as it is
    ("Wuppertal dringlich ohne Variante: wie regulär", "wuppertal_bv", "antragsfrist",
     at(D(2021, 6, 15)), True, at(D(2021, 6, 8), 12)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("why", "profile", "rule", "anchor", "urgent", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_new_rule_kinds(
    why: str, profile: str, rule: str, anchor: datetime, urgent: bool, expected: datetime
) -> None:
    rules = load_profile(profile)
    explained = explain_due(rules, rule, anchor, urgent=urgent)
    assert explained is not None
    assert explained.due == expected, why
    # the plain function (what planning calls) computes the same
    assert due_date(rules.profile.deadlines[rule], anchor, rules.calendar, urgent=urgent) == (
        expected
    )


# --- counted in meetings: SächsGemO § 36 Abs. 5 ----------------------------------------------


def test_uebernaechste_sitzung_zittau() -> None:
    """SächsOVG 4 B 24/20: a motion of Tue 17.12.2019, before that day's session: that session
    cannot be invited to any more (Ladung 10.12.), so the next is Thu 30.01.2020 and the one
    after next Thu 27.02.2020, as the court held."""
    meetings = [at(D(2019, 12, 17)), at(D(2020, 1, 30)), at(D(2020, 2, 27)), at(D(2020, 3, 26))]
    explained = explain_due(
        load_profile("sachsen"), "tagesordnung_fraktion", at(D(2019, 12, 17), 15),
        meetings=meetings,
    )  # fmt: skip
    assert explained is not None
    assert explained.due == at(D(2020, 2, 27))
    assert explained.explanation.steps[:2] == (
        "Eingang Di 17.12.2019; gezählte Sitzungen: Do 30.01.2020, Do 27.02.2020; "
        "übernächste Sitzung",
        "Sitzung Di 17.12.2019 nicht mehr erreichbar (Frist verpasst)",
    )


def test_uebernaechste_sitzung_when_the_next_is_reachable() -> None:
    # Mon 06.01.2020 meets the Ladung of Thu 16.01. (Thu 09.01.): 16.01. next, 30.01. after
    meetings = [at(D(2020, 1, 16)), at(D(2020, 1, 30)), at(D(2020, 2, 27))]
    rules = load_profile("sachsen")
    rule = rules.profile.deadlines["tagesordnung_fraktion"]
    lead = rules.profile.deadlines["ladung"]
    due = due_date(rule, at(D(2020, 1, 6), 9), rules.calendar, meetings=meetings, lead=lead)
    assert due == at(D(2020, 1, 30))


def test_a_remembered_meeting_count_follows_the_meetings_and_the_lead() -> None:
    """Planning asks the same count at every step of every paper, so it is remembered; the
    meetings counted and the lead rule are part of what it is remembered by."""
    rules = load_profile("sachsen")
    rule = rules.profile.deadlines["tagesordnung_fraktion"]
    lead = rules.profile.deadlines["ladung"]
    anchor = at(D(2020, 1, 6), 9)
    three = (at(D(2020, 1, 16)), at(D(2020, 1, 30)), at(D(2020, 2, 27)))
    for _ in range(2):
        assert due_or_none(rule, anchor, rules.calendar, meetings=three, lead=lead) == three[1]
        assert (
            due_or_none(rule, anchor, rules.calendar, meetings=three[1:], lead=lead) == (three[2])
        )
        assert due_or_none(rule, anchor, rules.calendar, meetings=three[:1], lead=lead) is None
    # Fri 10.01. misses the Ladung of 16.01. (Thu 09.01.): 30.01. next, 27.02. after next;
    # without the lead rule every meeting after the anchor counts: 16.01., 30.01.
    late = at(D(2020, 1, 10), 9)
    assert due_or_none(rule, late, rules.calendar, meetings=three, lead=lead) == three[2]
    assert due_or_none(rule, late, rules.calendar, meetings=three) == three[1]


def _sachsen_with_recess() -> RuleSet:
    import tomllib

    from models.store.profiles import resolve_profile_path

    data = tomllib.loads(resolve_profile_path("sachsen").read_text(encoding="utf-8"))
    data["profile"]["recess"] = [
        {"start": D(2020, 7, 1), "end": D(2020, 8, 31), "name": "Sommerpause"}
    ]
    return ruleset_from(data, "sachsen.toml", "test")


def test_meetings_in_recess_do_not_count() -> None:
    # Mon 22.06.2020: Thu 25.06. misses its Ladung (18.06.), Thu 16.07. lies in the summer
    # recess (a Ferienausschuss), so Thu 10.09. is the next and Thu 24.09. the one after.
    meetings = [at(D(2020, m, d)) for m, d in ((6, 25), (7, 16), (9, 10), (9, 24))]
    explained = explain_due(
        _sachsen_with_recess(), "tagesordnung_fraktion", at(D(2020, 6, 22), 9), meetings=meetings
    )
    assert explained is not None and explained.due == at(D(2020, 9, 24))
    assert "Sitzung Do 16.07.2020 in der Sommerpause" in explained.explanation.steps


def test_too_few_meetings_is_no_deadline_yet() -> None:
    rules = load_profile("sachsen")
    assert explain_due(rules, "tagesordnung_fraktion", at(D(2020, 1, 6)), meetings=[]) is None
    with pytest.raises(RuleError, match="noch nicht genug Sitzungen"):
        due_date(rules.profile.deadlines["tagesordnung_fraktion"], at(D(2020, 1, 6)),
                 rules.calendar, meetings=[at(D(2020, 1, 16))])  # fmt: skip


def test_working_days_skip_recess_where_the_rule_says_so() -> None:
    # 3 Arbeitstage nach Fr 30.07.2021 with a recess Mo 02.08.–Fr 13.08.: Mo 16., Di 17.,
    # Mi 18.08.; without skip_recess: Mo 02., Di 03., Mi 04.08.
    from models.domain.calendar import Recess, make_calendar
    from models.domain.rules import Rule

    calendar = make_calendar("BY", recess=[Recess(D(2021, 8, 2), D(2021, 8, 13))])
    base = {"kind": "report", "anchor": "receipt", "offset": 3, "unit": "working_days",
            "responsible": "x"}  # fmt: skip
    skipping = Rule.model_validate({**base, "skip_recess": True})
    counting = Rule.model_validate(base)
    assert due_date(skipping, at(D(2021, 7, 30)), calendar) == end(D(2021, 8, 18))
    assert due_date(counting, at(D(2021, 7, 30)), calendar) == end(D(2021, 8, 4))


# --- extension ---------------------------------------------------------------------------------


def test_extension_with_consent_moves_the_deadline_and_says_why() -> None:
    # München Anfrage of Mon 01.03.2021: due Mon 22.03. 23:59:59 CET; extended to Wed 31.03.
    # 23:59:59 CEST (summer time since 28.03.) = 21:59:59 UTC
    explained = explain_due(load_profile("muenchen"), "anfrage_antwort", at(D(2021, 3, 1), 10))
    assert explained is not None
    extension = extend(
        explained.due, end(D(2021, 3, 31)), reason="Zuarbeit des Referats fehlt",
        consent=True, consent_by="Fraktion A", now=at(D(2021, 3, 18), 9),
    )  # fmt: skip
    longer = explained.extended(extension)
    assert longer.due == datetime(2021, 3, 31, 21, 59, 59, tzinfo=UTC)
    assert longer.explanation.steps[-1] == (
        "verlängert am 18.03.2021 auf Mi 31.03.2021 23:59 (statt Mo 22.03.2021) mit Zustimmung "
        "von Fraktion A, Grund: Zuarbeit des Referats fehlt"
    )


@pytest.mark.parametrize(
    ("new_due", "reason", "consent", "message"),
    [
        (end(D(2021, 3, 31)), "Zuarbeit fehlt", False, "nur mit Zustimmung"),
        (end(D(2021, 3, 31)), "  ", True, "Begründung fehlt"),
        (end(D(2021, 3, 19)), "Zuarbeit fehlt", True, "liegt nicht nach der bisherigen Frist"),
    ],
)
def test_no_extension_without_consent_reason_or_a_later_date(
    new_due: datetime, reason: str, consent: bool, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        extend(end(D(2021, 3, 22)), new_due, reason=reason, consent=consent,
               consent_by="Fraktion A", now=at(D(2021, 3, 18)))  # fmt: skip


# --- explanations ------------------------------------------------------------------------------


def test_explanation_of_the_issue_example() -> None:
    # Leverkusen: "spätestens am 6. Tag vor der Sitzung"
    explained = explain_due(load_profile("leverkusen"), "antragsfrist", at(D(2021, 6, 15)))
    assert explained is not None
    assert "; ".join(explained.explanation.steps) == (
        "Sitzung Di 15.06.2021 − 6 Tage = Mi 09.06.2021; Arbeitstag; 23:59"
    )


def test_explanation_carries_profile_version_paragraph_and_wording() -> None:
    explained = explain_due(load_profile("rhein_kreis_neuss"), "ladung", at(D(2021, 2, 17)),
                            urgent=True)  # fmt: skip
    assert explained is not None
    data = explained.explanation.as_dict()
    assert data["profile"] == "Rhein-Kreis Neuss, Kreistag (Beispiel)"
    assert data["version"] == "Fassung vom 27.09.2023"
    assert data["source"] == "GO Kreistag Rhein-Kreis Neuss § 1 Abs. 1 Satz 4"
    assert data["wording"].startswith("In dringenden Fällen")
    assert data["urgent"] is True
    assert data["steps"] == [
        "Sitzung Mi 17.02.2021 − 3 Werktage (ohne Sonn- und Feiertage) = Sa 13.02.2021",
        "Werktag",
        "23:59",
    ]
    assert explained.explanation.text().splitlines()[0] == (
        "Ladung mit Tagesordnung nach Rhein-Kreis Neuss, Kreistag (Beispiel) (Fassung vom "
        "27.09.2023), GO Kreistag Rhein-Kreis Neuss § 1 Abs. 1 Satz 4, verkürzt wegen "
        "Dringlichkeit."
    )


def test_explanation_of_a_closed_day_and_of_recess() -> None:
    bw = explain_due(load_profile("bw_gemeinde"), "ladung", at(D(2021, 1, 14)))
    assert bw is not None
    assert bw.explanation.steps == (
        "Sitzung Do 14.01.2021 − 7 volle Tage (beide Endtage zählen nicht) = Mi 06.01.2021",
        "Heilige Drei Könige → Arbeitstag davor: Di 05.01.2021",
        "23:59",
    )
    munich = explain_due(load_profile("muenchen"), "antrag_behandlung", at(D(2021, 5, 17), 9))
    assert munich is not None
    assert munich.explanation.steps == (
        "Eingang Mo 17.05.2021 + 3 Monate = Di 17.08.2021",
        "+ 42 Tage Ferienzeit des Stadtrats 2021 (Frist ruht) = Di 28.09.2021",
        "Arbeitstag",
        "23:59",
    )


def test_urgent_without_a_variant_says_so() -> None:
    explained = explain_due(load_profile("wuppertal_bv"), "antragsfrist", at(D(2021, 6, 10)),
                            urgent=True)  # fmt: skip
    assert explained is not None and explained.explanation.urgent is False
    assert explained.explanation.steps == (
        "dringlich, aber das Profil kennt keine verkürzte Frist: reguläre Frist",
        "Sitzung Do 10.06.2021 − 7 Tage = Do 03.06.2021",
        "Fronleichnam, bleibt (Kalendertag)",
        "12:00",
    )


# --- planning carries what the explanation needs -----------------------------------------------


@pytest.mark.parametrize(
    ("urgent", "expected", "first_step"),
    [
        # BW, Sitzung Do 14.01.2021: Mi 06.01. Hl. Drei Könige → Di 05.01.; Notfall: 17:00
        (False, end(D(2021, 1, 5)),
         "Sitzung Do 14.01.2021 − 7 volle Tage (beide Endtage zählen nicht) = Mi 06.01.2021"),
        (True, at(D(2021, 1, 14)), "Sitzung Do 14.01.2021"),
    ],
)  # fmt: skip
def test_planned_deadlines_explain_themselves(
    urgent: bool, expected: datetime, first_step: str
) -> None:
    from models.domain.explain import explain_planned
    from models.domain.planning import ConsultationFacts, PaperFacts, plan

    rules = load_profile("bw_gemeinde")
    meeting = ConsultationFacts(
        id=1, position=1, organization="Gemeinderat", meeting_id=7,
        meeting_start=at(D(2021, 1, 14)), meeting_cancelled=False, done=False,
    )  # fmt: skip
    facts = PaperFacts(
        paper_type="Antrag", state="scheduled", received_at=at(D(2020, 12, 28), 9),
        has_questions=False, consultations=(meeting,), urgent=urgent,
    )  # fmt: skip
    (ladung,) = [p for p in plan(facts, rules) if p.rule == "ladung"]
    assert ladung.due == expected and ladung.urgent is urgent
    explained = explain_planned(rules, ladung)
    assert explained is not None and explained.due == ladung.due
    assert explained.explanation.steps[0] == first_step
    assert explained.explanation.source == ("§ 34 Abs. 2 GemO BW" if urgent else
                                            "§ 34 Abs. 1 Satz 1 GemO BW")  # fmt: skip
