"""OParl 1.1: sync from a council information system over real HTTP, import from files,
export that validates against the official schemas, and the round trip."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.domain.oparl import OParlError
from models.domain.states import Result
from models.domain.timeutil import BERLIN, to_utc
from models.services.oparl_client import OParlClient
from models.services.oparl_export import EXPLANATION_FIELD, SCHEMAS, Exporter, validate
from models.services.oparl_files import import_files
from models.services.oparl_sync import sync_endpoint
from models.store.db import ensure_schema, make_engine
from models.store.profiles import default_rules
from models.store.tables import (
    Body,
    Consultation,
    Deadline,
    LifecycleEvent,
    Meeting,
    OParlCursor,
    Organization,
    Paper,
)
from tests.cli_run import cli
from tests.conftest import DATA, snapshot
from tests.oparl_server import OParlServer, T, meeting, populate

EXAMPLES = DATA / "oparl-examples"
FIRST = datetime(2026, 11, 25, 10, 0, tzinfo=BERLIN)
SECOND = datetime(2026, 12, 20, 10, 0, tzinfo=BERLIN)
CHANGED = "2026-12-19T09:00:00+01:00"


@pytest.fixture
def server() -> Iterator[OParlServer]:
    server = OParlServer(page_size=2)
    populate(server)
    server.fail_once.add(("papers", 2))
    yield server
    server.close()


def client() -> OParlClient:
    return OParlClient(timeout=5, retries=2, backoff=0, sleep=lambda _: None)


def sync(engine: Engine, server: OParlServer, now: datetime) -> Any:
    with client() as c:
        report = sync_endpoint(
            engine, server.url("system"), now=now, rules=default_rules(), client=c
        )
        report.retried = c.retried
    return report


def papers(session: Session) -> dict[str, Paper]:
    return {p.reference: p for p in session.exec(select(Paper)).all()}


def test_sync_over_http_then_only_what_changed(engine: Engine, server: OParlServer) -> None:
    report = sync(engine, server, FIRST)
    assert report.retried == 1  # the 503 page was asked for again and the sync went on
    assert report.created["Paper"] == 4 and report.created["Meeting"] == 4
    assert not report.warnings, report.warnings
    with Session(engine) as session:
        by_ref = papers(session)
        assert {r: p.state for r, p in by_ref.items()} == {
            "A 26/0100": "scheduled",  # on the Sozialausschuss agenda, TOP Ö 3
            "V 26/0050": "decided",  # "Ungeändert beschlossen" in November
            "A 26/0101": "scheduled",
            "A 26/0102": "submitted",  # its agenda item is not published yet
        }
        assert by_ref["V 26/0050"].paper_type == "Vorschlag"
        decided = session.exec(
            select(LifecycleEvent).where(
                LifecycleEvent.paper_id == by_ref["V 26/0050"].id, LifecycleEvent.event == "decide"
            )
        ).one()
        assert decided.details["result"] == Result.ungeaendert_beschlossen.value
        minutes = session.exec(
            select(Deadline).where(
                Deadline.paper_id == by_ref["V 26/0050"].id, Deadline.kind == "minutes"
            )
        ).all()
        assert minutes and all(d.status == "met" for d in minutes)  # resultsProtocol published
        ha = session.exec(
            select(Meeting).where(Meeting.oparl_id == server.url("meeting/ha-dez"))
        ).one()
        before = {
            d.key: d.due
            for d in session.exec(
                select(Deadline).where(
                    Deadline.paper_id == by_ref["A 26/0101"].id, Deadline.meeting_id == ha.id
                )
            ).all()
        }
        assert before
        events_p2 = len(
            session.exec(
                select(LifecycleEvent).where(LifecycleEvent.paper_id == by_ref["V 26/0050"].id)
            ).all()
        )

    # Upstream: the Hauptausschuss moves, both sessions of A 26/0100 are held, A 26/0102 is
    # deleted.
    s = server
    ha_moved = meeting(s, "ha-dez", "ha", "2026-12-15T17:00:00+01:00", [("i3", "Ö 2", "c3", None)])
    so_held = meeting(
        s, "so-dez", "so", "2026-12-08T17:00:00+01:00", [("i1", "Ö 3", "c1", "empfohlen")]
    )
    rat_held = meeting(
        s, "rat-dez", "rat", "2026-12-17T16:00:00+01:00", [("i2", "Ö 7", "c2", "Beschlossen")]
    )
    for obj in (ha_moved, so_held, rat_held):
        obj["modified"] = CHANGED
    s.lists["meetings"] = [rat_held, so_held, ha_moved, s.lists["meetings"][3]]
    deleted = {"id": s.url("paper/p4"), "type": T + "Paper", "deleted": True, "modified": CHANGED}
    s.lists["papers"] = [*s.lists["papers"][:3], deleted]
    s.requests.clear()

    report = sync(engine, server, SECOND)
    assert all("modified_since=" in r for r in s.requests if "/body/1/" in r)
    assert report.created == {}
    assert report.updated["Meeting"] == 3 and report.unchanged.get("Meeting", 0) == 0
    assert report.updated["Paper"] == 1  # only the deleted one came
    assert len(report.moved) == 1 and "Hauptausschuss" in report.moved[0]
    with Session(engine) as session:
        by_ref = papers(session)
        assert by_ref["A 26/0100"].state == "decided"  # empfohlen, then beschlossen
        assert by_ref["A 26/0102"].state == "withdrawn"
        assert by_ref["A 26/0102"].upstream_deleted_at is not None
        steps = [
            (e.event, e.to_state)
            for e in session.exec(
                select(LifecycleEvent)
                .where(LifecycleEvent.paper_id == by_ref["A 26/0100"].id)
                .order_by(col(LifecycleEvent.id))
            ).all()
        ]
        assert steps == [
            ("submit", "submitted"),
            ("place_on_agenda", "scheduled"),
            ("decide", "submitted"),
            ("place_on_agenda", "scheduled"),
            ("decide", "decided"),
        ]
        after = {
            d.key: d.due
            for d in session.exec(
                select(Deadline).where(Deadline.paper_id == by_ref["A 26/0101"].id)
            ).all()
            if d.key in before
        }
        moved_by = {key: (after[key] - before[key]).days for key in before if key in after}
        # The session deadline follows the meeting by its five days; the invitation was met
        # when the item was placed, and met is history.
        by_rule = {key.split(":")[0]: days for key, days in moved_by.items()}
        assert by_rule["sitzung"] == 5 and by_rule["ladung"] == 0, moved_by
        assert (
            len(
                session.exec(
                    select(LifecycleEvent).where(LifecycleEvent.paper_id == by_ref["V 26/0050"].id)
                ).all()
            )
            == events_p2
        )
        cursors = session.exec(select(OParlCursor)).all()
        assert {c.next_url for c in cursors} == {None}
        assert all(c.synced_until == to_utc(SECOND) for c in cursors)


def test_a_non_oparl_answer_is_one_clear_error_and_changes_nothing(
    engine: Engine, server: OParlServer
) -> None:
    server.html_paths.add("system")
    before = snapshot(engine)
    with pytest.raises(
        OParlError, match=r"/oparl/system: keine JSON-Antwort \(Content-Type text/html"
    ):
        sync(engine, server, FIRST)
    assert snapshot(engine) == before


def test_a_page_that_keeps_failing_is_skipped_and_read_again_next_time(
    engine: Engine, server: OParlServer
) -> None:
    server.fail_once.clear()
    calls = {"n": 0}
    original = server.answer

    def flaky(raw: str) -> tuple[int, str, str]:
        if "papers" in raw and "page=2" in raw and calls["n"] < 3:  # more than the retries
            calls["n"] += 1
            return 503, "down", "text/plain"
        return original(raw)

    server.answer = flaky  # type: ignore[method-assign]
    report = sync(engine, server, FIRST)  # no exception: the town is not blocked
    assert len(report.skipped_pages) == 1
    assert "page=2: HTTP 503 nach 3 Versuchen" in report.skipped_pages[0]
    with Session(engine) as session:
        assert len(papers(session)) == 2  # page 1 is stored
        cursor = session.exec(
            select(OParlCursor).where(col(OParlCursor.list_url).endswith("/papers"))
        ).one()
        assert cursor.next_url is None and cursor.synced_until is None  # read again next time
    report = sync(engine, server, SECOND)
    assert not report.skipped_pages
    with Session(engine) as session:
        assert len(papers(session)) == 4


def test_an_interrupted_sync_resumes_at_its_page_and_duplicates_nothing(
    engine: Engine, server: OParlServer
) -> None:
    server.fail_once.clear()

    def interrupt(name: str, done: int, total: int | None) -> None:
        if name == "Vorlagen" and done == 2:
            raise KeyboardInterrupt  # the process is stopped after paper page 1

    with pytest.raises(KeyboardInterrupt), client() as c:
        sync_endpoint(
            engine,
            server.url("system"),
            now=FIRST,
            rules=default_rules(),
            client=c,
            progress=interrupt,
        )
    with Session(engine) as session:
        assert len(papers(session)) == 2  # page 1 is stored
        cursor = session.exec(
            select(OParlCursor).where(col(OParlCursor.list_url).endswith("/papers"))
        ).one()
        assert cursor.next_url and "page=2" in cursor.next_url
    server.requests.clear()
    sync(engine, server, FIRST)
    paper_pages = [r for r in server.requests if "/papers" in r]
    assert paper_pages and all("page=2" in r for r in paper_pages)
    with Session(engine) as session:
        assert len(papers(session)) == 4


# --- the CLI, files, export and the round trip -------------------------------------------------


def test_sync_oparl_on_the_command_line(
    db_url: str, server: OParlServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(
        capsys, "sync-oparl", server.url("system"), "--now", "2026-11-25T10:00", "--json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["created"] == {"Organization": 3, "Meeting": 4, "Paper": 4}
    assert any("V 26/0050: ungeändert beschlossen" in s for s in report["steps"])
    code, out, err = cli(capsys, "show", "A 26/0100", "--json", "--now", "2026-11-25T10:00")
    assert code == 0, err
    view = json.loads(out)
    assert [c["role"] for c in view["consultations"]] == ["Vorberatung", "Entscheidung"]
    assert view["state"] == "scheduled"
    # A bad address: one line naming it, exit 2.
    code, out, err = cli(capsys, "sync-oparl", server.url("nowhere"), "--retries", "0")
    assert code == 2 and err.strip().endswith("/oparl/nowhere: HTTP 404"), err
    assert len(err.strip().splitlines()) == 1


def _papers_as_seen(engine: Engine) -> list[tuple[Any, ...]]:
    """What makes a motion the same motion, in OParl terms; report states are not in OParl."""
    same = {"report_requested": "scheduled", "report_delivered": "scheduled"}
    with Session(engine) as session:
        rows = []
        for p in session.exec(select(Paper).order_by(col(Paper.reference))).all():
            consultations = session.exec(
                select(Consultation, Organization.name)
                .join(Organization, col(Organization.id) == Consultation.organization_id)
                .where(Consultation.paper_id == p.id)
                .order_by(col(Consultation.position))
            ).all()
            rows.append(
                (
                    p.reference,
                    p.name,
                    p.paper_type,
                    p.date,
                    same.get(p.state, p.state),
                    [
                        (name, c.role, c.authoritative, c.result, c.done)
                        for c, name in consultations
                    ],
                )
            )
        return rows


def test_export_validates_and_round_trips(
    engine: Engine, server: OParlServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sync(engine, server, FIRST)
    code, out, err = cli(
        capsys, "export-oparl", tmp_path / "out", "--base-url", "https://rat.example/oparl"
    )
    assert code == 0, err
    assert "4 Vorlagen, 4 Sitzungen, 3 Gremien" in out
    for name in ("organization.json", "meeting.json", "paper.json"):
        for obj in json.loads((tmp_path / "out" / name).read_text())["data"]:
            validate(obj)  # and once more with plain jsonschema
            _validate_plainly(obj)
    _validate_plainly(json.loads((tmp_path / "out" / "body.json").read_text()))
    # each paper's deadlines with their explanation, as the extension field (issue 18, 5)
    papers = json.loads((tmp_path / "out" / "paper.json").read_text())["data"]
    explained = [e for p in papers for e in p.get(EXPLANATION_FIELD, [])]
    assert explained and all(e["profile"] and e["steps"] and e["faellig"] for e in explained)

    fresh_url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    fresh = make_engine(fresh_url)
    ensure_schema(fresh)
    report = import_files(
        fresh, [tmp_path / "out"], now=FIRST, rules=default_rules(), fallback_name="x"
    )
    assert not report.warnings, report.warnings
    assert _papers_as_seen(fresh) == _papers_as_seen(engine)
    with Session(fresh) as session:
        (body,) = session.exec(select(Body)).all()
        assert body.name == "Stadt Beispielstadt"
    fresh.dispose()


def _validate_plainly(obj: dict[str, Any]) -> None:
    """Plain jsonschema against the shipped schema, beside the exporter's own validator."""
    import jsonschema

    kind = obj["type"].rsplit("/", 1)[-1]
    jsonschema.validate(obj, json.loads((SCHEMAS / f"{kind}.json").read_text()))
    for key, inner in (("consultation", "Consultation"), ("agendaItem", "AgendaItem")):
        for child in obj.get(key, []) if isinstance(obj.get(key), list) else []:
            jsonschema.validate(child, json.loads((SCHEMAS / f"{inner}.json").read_text()))


def test_the_export_leaves_out_what_is_not_public(engine: Engine, server: OParlServer) -> None:
    sync(engine, server, FIRST)
    with Session(engine) as session:
        secret = session.exec(select(Paper).where(Paper.reference == "A 26/0101")).one()
        secret.public = False
        session.add(secret)
        session.commit()
        body = session.exec(select(Body)).one()
        exported = Exporter(session, "https://rat.example/oparl").export(body)
        everything = Exporter(
            session, "https://rat.example/oparl", include_confidential=True
        ).export(body)
    assert "A 26/0101" not in {p["reference"] for p in exported["Paper"]}
    assert "A 26/0101" in {p["reference"] for p in everything["Paper"]}
    text = json.dumps(exported, ensure_ascii=False)
    assert "Antrag A 26/0101" not in text  # not even as an agenda item's title


def test_a_password_in_the_oparl_url_is_never_shown(
    db_url: str, server: OParlServer, capsys: pytest.CaptureFixture[str]
) -> None:
    secret_url = server.url("nowhere").replace("http://", "http://ris:geheim123@")
    code, out, err = cli(capsys, "sync-oparl", secret_url, "--retries", "0")
    assert code == 2 and "ris:***@127.0.0.1" in err
    assert "geheim123" not in out + err
