"""Hürtgenwald's recorded pages (meetings Aug 2020 – Dec 2021, papers Nov 2020 – Sep 2021)
applied as a first sync on the day of the crawl: results read where the text says so, the rest
flagged, roles inferred, and history raising no alarm.

The deleted entries (served without `type`) are dropped here: parsing them is another change's
work; deletions of known papers and meetings are applied from hand-built objects below.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.domain.oparl import MeetingIn, OParlObject, PaperIn, parse_page
from models.domain.states import State
from models.domain.vocab import OWED
from models.services.oparl_store import OParlStore
from models.store.db import session_scope
from models.store.profiles import default_rules
from models.store.tables import AgendaItem, Consultation, Deadline, Meeting, Organization, Paper

PAGES = Path(__file__).parents[1] / "data" / "oparl-real" / "sternberg" / "huertgenwald-2021"
CRAWLED = datetime(2021, 9, 6, 10, tzinfo=UTC)


def _objects(name: str) -> list[OParlObject]:
    document: dict[str, Any] = json.loads((PAGES / name).read_text("utf-8"))
    document["data"] = [o for o in document["data"] if not o.get("deleted")]
    return parse_page(document, name).objects


def _all_objects() -> list[OParlObject]:
    names = ["organization.json", "meeting-page-14.json", "meeting-page-15.json"]
    names += [f"paper-page-{n}.json" for n in range(79, 86)]
    return [o for name in names for o in _objects(name)]


def _first_sync(engine: Engine) -> tuple[int, OParlStore]:
    with session_scope(engine) as session:
        body = OParlStore.body_for(session, None, "Gemeinde Hürtgenwald")
        store = OParlStore(session, body, now=CRAWLED, rules=default_rules())
        for obj in _all_objects():
            store.apply(obj)
        assert body.id is not None
        return body.id, store


def test_first_sync_of_the_archive_raises_no_alarm(engine: Engine) -> None:
    _, store = _first_sync(engine)
    with Session(engine) as session:
        papers = session.exec(select(Paper)).all()
        states = Counter(p.state for p in papers)
        cutoff = datetime(2021, 9, 5, 22, tzinfo=UTC)  # 6 September, 0:00 in Berlin
        old_meetings = {
            m.id for m in session.exec(select(Meeting).where(Meeting.start < cutoff)).all()
        }
        owed_old = session.exec(
            select(Deadline).where(
                col(Deadline.status).in_(OWED), col(Deadline.meeting_id).in_(old_meetings)
            )
        ).all()
        overdue = session.exec(
            select(Deadline).where(col(Deadline.status).in_(OWED), Deadline.due < CRAWLED)
        ).all()
        flagged = session.exec(
            select(AgendaItem).where(col(AgendaItem.result_review).is_not(None))
        ).all()
        print(  # the numbers for the report (pytest -s)
            f"papers {len(papers)}, states {dict(states)}, flagged {len(flagged)}, "
            f"owed deadlines of old meetings {len(owed_old)}, overdue {len(overdue)}, "
            f"old meetings {len(old_meetings)}"
        )
        assert len(papers) == 165 - 11
        assert owed_old == []
        assert overdue == []  # nothing the sweep would mark missed
        assert states[State.decided] >= 40
        assert states[State.historical] > 0
        for paper in papers:  # what is still on an agenda is on one after the cut-off
            if paper.state == State.scheduled:
                starts = session.exec(
                    select(Meeting.start)
                    .join(Consultation, col(Consultation.meeting_id) == Meeting.id)
                    .where(Consultation.paper_id == paper.id, col(Consultation.done).is_(False))
                ).all()
                assert starts and min(starts) >= cutoff, paper.reference
        assert all(
            f.result_review.startswith("Ergebnis prüfen") for f in flagged if f.result_review
        )
        # every flagged item is one whose paper did not take a result from it
        for item in flagged:
            consultation = session.get(Consultation, item.consultation_id)
            assert consultation is None or not consultation.done
    assert store.report.review
    assert all(w.startswith("Ergebnis prüfen") for w in store.report.review)


def test_roles_are_inferred_where_sdnet_gives_none(engine: Engine) -> None:
    _first_sync(engine)
    with Session(engine) as session:
        rows = session.exec(
            select(Consultation, Organization).join(
                Organization, col(Organization.id) == Consultation.organization_id
            )
        ).all()
        council = [c for c, o in rows if o.name == "Gemeinderat"]
        assert council and all(c.authoritative and c.role == "Entscheidung" for c in council)
        roles = Counter(c.role for c, _ in rows)
        assert roles["Vorberatung"] > 0 and roles["Entscheidung"] > roles["Vorberatung"] // 4
        for paper_id in {c.paper_id for c, _ in rows}:
            chain = sorted((c for c, _ in rows if c.paper_id == paper_id), key=lambda c: c.position)
            assert chain[-1].authoritative  # the last consultation decides


@pytest.mark.parametrize("later", [datetime(2021, 12, 20, 12, tzinfo=UTC)])
def test_the_cutoff_stays_and_deletions_are_applied(engine: Engine, later: datetime) -> None:
    body_id, _ = _first_sync(engine)
    with session_scope(engine) as session:
        paper = (
            session.exec(select(Paper).where(Paper.state == State.submitted.value)).first()
            or session.exec(select(Paper).where(Paper.state == State.historical.value)).one()
        )
        meeting = session.exec(select(Meeting).order_by(col(Meeting.start).desc())).first()
        assert paper.oparl_id and meeting and meeting.oparl_id
        from models.store.tables import Body

        body = session.get(Body, body_id)
        assert body is not None
        store = OParlStore(session, body, now=later, rules=default_rules())
        assert store.history_before < CRAWLED  # kept from the first sync
        store.apply(PaperIn(id=paper.oparl_id, reference=None, deleted=True))
        store.apply(MeetingIn(id=meeting.oparl_id, start=None, deleted=True))
        state, reference = paper.state, paper.reference
        assert meeting.cancelled
    if state != State.historical:
        assert state == State.withdrawn
    assert any(reference in d for d in store.report.deleted)


def test_oparl_review_lists_the_flagged_results(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    from flows.cli import run

    _first_sync(engine)
    with Session(engine) as session:
        from models.services.oparl_catch_up import results_to_review

        rows = results_to_review(session)
    assert rows and all(str(r["review"]).startswith("Ergebnis prüfen") for r in rows)
    capsys.readouterr()
    assert run(["oparl-review", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == json.loads(json.dumps(rows, default=str))
    assert run(["oparl-review"]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith(f"{len(rows)} Ergebnisse zu prüfen")


def test_public_and_non_public_parts_may_both_have_item_1(engine: Engine) -> None:
    """More!Rubin numbers the public part 1–7 and the non-public part 1–9 again: both items
    land, each paper on its own, and a hand-entered TOP 1 is still refused."""
    from models.domain.errors import InvalidInput
    from models.domain.intake import parse_document
    from models.domain.oparl import AgendaItemIn, ConsultationIn, OrganizationIn
    from models.services import steps as services
    from models.services.intake import import_paper
    from tests.conftest import EXAMPLE

    base = "https://rubin.example/oparl"
    start = datetime(2021, 11, 10, 17, tzinfo=UTC)
    with session_scope(engine) as session:
        body = OParlStore.body_for(session, None, "Castrop-Rauxel")
        store = OParlStore(session, body, now=datetime(2021, 11, 1, tzinfo=UTC))
        store.apply(OrganizationIn(id=f"{base}/org/1", name="Rat der Stadt"))
        items = tuple(
            AgendaItemIn(
                id=f"{base}/ai/{n}", number="1", public=n == 1, consultation=f"{base}/c/{n}"
            )
            for n in (1, 2)
        )
        store.apply(
            MeetingIn(
                id=f"{base}/m/1", start=start, organizations=(f"{base}/org/1",), agenda_items=items
            )
        )
        for n in (1, 2):
            store.apply(
                PaperIn(
                    id=f"{base}/p/{n}",
                    reference=f"V/{n}",
                    consultations=(
                        ConsultationIn(
                            id=f"{base}/c/{n}",
                            organizations=(f"{base}/org/1",),
                            meeting=f"{base}/m/1",
                            agenda_item=f"{base}/ai/{n}",
                        ),
                    ),
                )
            )
        placed = session.exec(select(AgendaItem).order_by(col(AgendaItem.id))).all()
        assert [(i.number, i.public, i.consultation_id is not None) for i in placed] == [
            ("1", True, True),
            ("1", False, True),
        ]
        assert {p.state for p in session.exec(select(Paper)).all()} == {State.scheduled}
        meeting = session.exec(select(Meeting)).one()
        paper = import_paper(
            session,
            parse_document(EXAMPLE.read_bytes(), "v.txt"),
            body_name="Castrop-Rauxel",
            now=datetime(2021, 11, 1, tzinfo=UTC),
            actor="t",
        ).paper
        # Its committees are new to this body: proposed for review, created once confirmed.
        services.perform(
            "review",
            session,
            paper.reference,
            now=datetime(2021, 11, 1, 12, tzinfo=UTC),
            actor="t",
            body="Castrop-Rauxel",
            confirm=True,
        )
        with pytest.raises(InvalidInput, match="schon belegt"):
            services.place_on_agenda(
                session,
                paper.reference,
                item_number="1",
                meeting=meeting,
                now=datetime(2021, 11, 2, tzinfo=UTC),
                actor="t",
                body="Castrop-Rauxel",
                rules=default_rules(),
            )
