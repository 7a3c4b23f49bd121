"""OParl bodies: a Body is its OParl id, whatever it is named; the default body
(RATSFRIST_BODY) is linked, never doubled; several bodies of a System and several systems
sync into one database without duplicates. Also meetings of several organizations and
deletions of what was never stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from models.domain.oparl import BodyIn, parse_page
from models.domain.timeutil import BERLIN
from models.services.oparl_client import OParlClient
from models.services.oparl_export import Exporter, validate
from models.services.oparl_files import import_files
from models.services.oparl_store import OParlStore
from models.services.oparl_sync import sync_endpoint
from models.store.db import session_scope
from models.store.profiles import default_rules
from models.store.repo import get_or_create_body
from models.store.tables import Body, Deadline, Meeting, MeetingOrganization, Organization, Paper
from tests.conftest import DATA
from tests.oparl_server import OParlServer, T, meeting, org, paper, populate

REAL = DATA / "oparl-real"
FIRST = datetime(2026, 11, 25, 10, 0, tzinfo=BERLIN)
SECOND = datetime(2026, 12, 20, 10, 0, tzinfo=BERLIN)


class ManyBodies(OParlServer):
    """The synthetic server with bodies named as a test wants; body n's lists are the
    `lists` keys "body/n/…" (body 1's are the plain keys, as in OParlServer)."""

    names: tuple[str, ...] = ("Instance 0001",)

    def body_n(self, n: int) -> dict[str, Any]:
        base = f"body/{n}"
        return {
            "id": self.url(base),
            "type": T + "Body",
            "name": self.names[n - 1],
            "shortName": f"I000{n}",
            "organization": self.url(f"{base}/organizations"),
            "person": self.url(f"{base}/people"),
            "meeting": self.url(f"{base}/meetings"),
            "paper": self.url(f"{base}/papers"),
            "legislativeTerm": [],
        }

    def body(self) -> dict[str, Any]:
        return self.body_n(1)

    def answer(self, raw: str) -> tuple[int, str, str]:
        path = raw.split("?")[0].removeprefix("/oparl/")
        if path == "bodies":
            data = [self.body_n(n) for n in range(1, len(self.names) + 1)]
            return 200, json.dumps({"data": data, "links": {}}), "application/json"
        return super().answer(raw)


def many(*names: str) -> ManyBodies:
    server = ManyBodies(page_size=2)
    server.names = names
    populate(server)
    for n in range(2, len(names) + 1):  # one committee, meeting and paper of its own
        s, b = server, f"body/{n}"
        s.lists[f"{b}/organizations"] = [org(s, f"{b}/rat", "Rat")]
        s.lists[f"{b}/meetings"] = [
            meeting(
                s, f"{b}/m", f"{b}/rat", "2026-12-17T16:00:00+01:00", [(f"{b}/i", "1", None, None)]
            )
        ]
        s.lists[f"{b}/papers"] = [
            paper(s, f"{b}/p", "A 26/0100", [(f"{b}/c", f"{b}/rat", f"{b}/m", f"{b}/i", True)])
        ]
    return server


@pytest.fixture
def wuppertal() -> Iterator[ManyBodies]:
    server = many("Instance 0001", "Stadt Nebenan")
    yield server
    server.close()


def sync(
    engine: Engine,
    server: OParlServer,
    now: datetime,
    body: str | None = None,
    default: str = "Kommune",
    since: datetime | None = None,
) -> Any:
    with OParlClient(timeout=5, retries=1, backoff=0, sleep=lambda _: None) as client:
        return sync_endpoint(
            engine,
            server.url("system"),
            now=now,
            rules=default_rules(),
            client=client,
            body_name=body,
            fallback_name=default,
            since=since,
        )


def counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (Body, Organization, Meeting, Paper)
        }


def real_body(name: str) -> BodyIn:
    document = json.loads((REAL / name).read_text(encoding="utf-8"))
    (obj,) = parse_page(document, name).objects
    assert isinstance(obj, BodyIn)
    return obj


# --- 1. body identity ----------------------------------------------------------------------


def test_sessionnets_instance_body_is_the_configured_town(
    engine: Engine,
    wuppertal: ManyBodies,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ "Instance 0001" names no place: with RATSFRIST_BODY set, the sync's body is the
    configured one (set up by hand before, with a paper), not a second body, and
    export-oparl writes the synced papers."""
    from tests.services.test_oparl import cli

    with session_scope(engine) as session:
        get_or_create_body(session, "Stadt Wuppertal")
    report = sync(engine, wuppertal, FIRST, body="Instance 0001", default="Stadt Wuppertal")
    assert report.created["Paper"] == 4
    with Session(engine) as session:
        (body,) = session.exec(select(Body)).all()
    assert (body.name, body.oparl_name, body.short_name) == (
        "Stadt Wuppertal",
        "Instance 0001",
        "I0001",
    )
    assert body.oparl_id == wuppertal.url("body/1")
    again = sync(engine, wuppertal, SECOND, body="I0001", default="Stadt Wuppertal")
    assert not again.created and counts(engine)["Body"] == 1

    monkeypatch.setenv("RATSFRIST_BODY", "Stadt Wuppertal")
    code, out, err = cli(capsys, "export-oparl", tmp_path / "out")
    assert code == 0, err
    assert "4 Vorlagen" in out
    exported = json.loads((tmp_path / "out" / "body.json").read_text())
    assert exported["name"] == "Stadt Wuppertal"


def test_real_bodies_find_their_row(engine: Engine) -> None:
    """The recorded Wuppertal and Erkelenz bodies: the default body is linked where the
    source's name says nothing else; another town is never folded into it."""
    wuppertal, erkelenz = (
        real_body("somacos/wuppertal-body.json"),
        real_body("allris/erkelenz-body.json"),
    )
    with session_scope(engine) as session:
        # no default body yet: the placeholder name becomes the default's name
        row = OParlStore.body_for(session, wuppertal, "Stadt Wuppertal")
        assert (row.name, row.oparl_name) == ("Stadt Wuppertal", "Instance 0001")
        assert OParlStore.body_for(session, wuppertal, "anders").id == row.id  # by id
        # Erkelenz's body is its council; the default "Stadt Wuppertal" is linked already,
        # and a hand-made "Erkelenz" is this body
        hand = get_or_create_body(session, "Erkelenz")
        linked = OParlStore.body_for(session, erkelenz, "Erkelenz")
        assert linked.id == hand.id and linked.oparl_name == "Rat der Stadt Erkelenz"
    with session_scope(engine) as session:
        # a hand-made default body of another town stays apart
        session.add(Body(name="Stadt Köln"))
        other = BodyIn(id="https://ris.bonn.example/oparl/body/1", name="Bundesstadt Bonn")
        row = OParlStore.body_for(session, other, "Stadt Köln")
        assert row.name == "Bundesstadt Bonn"
        # a second SessionNet town also called "Instance 0001", default taken: host added
        twin = BodyIn(id="https://oparl.twin.example/bodies/0001", name="Instance 0001")
        assert OParlStore.body_for(session, twin, "Stadt Wuppertal").name == (
            "Instance 0001 (oparl.twin.example)"
        )
    assert counts(engine)["Body"] == 5


def test_several_bodies_and_systems_sync_into_one_database(
    engine: Engine, wuppertal: ManyBodies
) -> None:
    other = many("Instance 0001")  # a second SessionNet system, its body named alike
    try:
        sync(engine, wuppertal, FIRST, body="Instance 0001", default="Stadt Wuppertal")
        sync(engine, wuppertal, FIRST, body="stadt nebenan", default="Stadt Wuppertal")
        sync(engine, other, FIRST, default="Stadt Wuppertal")
        first = counts(engine)
        assert first == {"Body": 3, "Organization": 3 + 1 + 3, "Meeting": 4 + 1 + 4, "Paper": 9}
        reports = [
            sync(engine, wuppertal, SECOND, body="I0001", default="Stadt Wuppertal"),
            sync(engine, wuppertal, SECOND, body="Stadt Nebenan", default="Stadt Wuppertal"),
            sync(engine, other, SECOND, default="Stadt Wuppertal"),
        ]
    finally:
        other.close()
    assert counts(engine) == first
    assert all(not r.created and not r.skipped for r in reports), [r.created for r in reports]
    with Session(engine) as session:
        rows = session.exec(
            select(Body.name, func.count(Paper.id)).join(Paper).group_by(Body.name)
        ).all()
    host = "127.0.0.1"
    assert dict(rows) == {
        "Stadt Wuppertal": 4,
        "Stadt Nebenan": 1,
        f"Instance 0001 ({host})": 4,
    }


# --- 2. meetings of several organizations ------------------------------------------------------


def _links(engine: Engine, meeting_oparl_id: str) -> list[tuple[str, str | None]]:
    with Session(engine) as session:
        meeting = session.exec(select(Meeting).where(Meeting.oparl_id == meeting_oparl_id)).one()
        rows = session.exec(
            select(Organization.name, Organization.oparl_id)
            .join(MeetingOrganization, col(MeetingOrganization.organization_id) == Organization.id)
            .where(MeetingOrganization.meeting_id == meeting.id)
            .order_by(col(MeetingOrganization.position))
        ).all()
        first = session.get(Organization, meeting.organization_id)
        assert first is not None and first.name == rows[0][0]  # the first stays the column
    return [(name, oparl_id) for name, oparl_id in rows]


def test_wuppertals_meeting_keeps_both_organizations_made_once(
    engine: Engine, tmp_path: Path
) -> None:
    """SessionNet's meeting names gr/230 and gr/231, which are in no list and answer 404:
    both are linked, each a placeholder named by its URL tail, made and reported once; when
    the organization list names one later, the placeholder is renamed, not doubled; the
    export lists both and validates."""
    files = [REAL / "somacos/wuppertal-body.json", REAL / "somacos/wuppertal-meeting-19160.json"]
    base = "http://oparl.wuppertal.de/oparl/bodies/0001/organizations/gr/"
    meeting_id = "http://oparl.wuppertal.de/oparl/bodies/0001/meetings/19160"
    report = import_files(
        engine, files, now=FIRST, rules=default_rules(), fallback_name="Wuppertal"
    )
    assert report.created["Meeting"] == 1 and report.created["Organization"] == 2
    placeholders = [w for w in report.warnings if "Platzhalter" in w]
    assert placeholders == [
        f"Gremium {base}230: in keiner Liste, als Platzhalter 'Gremium 230' angelegt",
        f"Gremium {base}231: in keiner Liste, als Platzhalter 'Gremium 231' angelegt",
    ]
    assert _links(engine, meeting_id) == [
        ("Gremium 230", base + "230"),
        ("Gremium 231", base + "231"),
    ]

    again = import_files(
        engine, files, now=SECOND, rules=default_rules(), fallback_name="Wuppertal"
    )
    assert not again.created and not [w for w in again.warnings if "Platzhalter" in w]
    assert again.unchanged["Meeting"] == 1

    named = tmp_path / "organization.json"
    named.write_text(
        json.dumps(
            {
                "data": [
                    {"id": base + "231", "type": T + "Organization", "name": "Bezirksvertretung"}
                ],
                "links": {},
            }
        )
    )
    import_files(engine, [named], now=SECOND, rules=default_rules(), fallback_name="Wuppertal")
    assert _links(engine, meeting_id) == [
        ("Gremium 230", base + "230"),
        ("Bezirksvertretung", base + "231"),
    ]
    assert counts(engine)["Organization"] == 2
    with Session(engine) as session:
        body = session.exec(select(Body)).one()
        exported = Exporter(session, "https://rat.example/oparl").export(body)
    (joint,) = exported["Meeting"]
    validate(joint)
    assert len(joint["organization"]) == 2


def test_a_meeting_whose_organizations_change_is_relinked(
    engine: Engine, wuppertal: ManyBodies
) -> None:
    """The source adds a second committee to a meeting, then drops the first: the links and
    the first organization follow, and the change counts as one."""
    sync(engine, wuppertal, FIRST, body="Instance 0001")
    joint = wuppertal.lists["meetings"][0]
    mid = joint["id"]
    joint["organization"] = [wuppertal.url("org/so"), wuppertal.url("org/ha")]
    joint["modified"] = "2026-12-19T09:00:00+01:00"
    report = sync(engine, wuppertal, SECOND, body="Instance 0001")
    assert report.updated["Meeting"] == 1
    assert [n for n, _ in _links(engine, mid)] == ["Sozialausschuss", "Hauptausschuss"]
    joint["organization"] = [wuppertal.url("org/ha")]
    joint["modified"] = "2026-12-20T10:30:00+01:00"
    sync(engine, wuppertal, SECOND.replace(hour=11), body="Instance 0001")
    assert [n for n, _ in _links(engine, mid)] == ["Hauptausschuss"]


# --- 3. deletions ----------------------------------------------------------------------------


def test_deletions_of_what_was_never_stored_change_and_report_nothing(
    engine: Engine, wuppertal: ManyBodies
) -> None:
    """A deleted paper whose reference matches nothing, a deleted organization with a name
    but no row: counted unchanged, nothing created, nothing reported, on every sync."""
    s = wuppertal
    gone_paper = {
        "id": s.url("paper/p9"),
        "type": T + "Paper",
        "reference": "A 26/0999",
        "deleted": True,
        "modified": "2026-12-19T09:00:00+01:00",
    }
    gone_org = {**org(s, "alt", "Ausschuss für Altes"), "deleted": True}
    gone_org["modified"] = "2026-12-19T09:00:00+01:00"
    s.lists["papers"].append(gone_paper)
    s.lists["organizations"].append(gone_org)
    sync(engine, s, FIRST, body="Instance 0001")
    before = counts(engine)
    for now in (SECOND, SECOND.replace(day=21)):
        report = sync(engine, s, now, body="Instance 0001", since=FIRST)
        assert not report.deleted and not report.created and not report.updated, report.deleted
        assert report.unchanged["Paper"] == 1 and report.unchanged["Organization"] == 1
        assert counts(engine) == before
    with Session(engine) as session:
        assert (
            session.exec(
                select(Organization).where(Organization.name == "Ausschuss für Altes")
            ).first()
            is None
        )


def test_a_deleted_stored_meeting_is_cancelled_and_its_deadlines_replanned(
    engine: Engine, wuppertal: ManyBodies
) -> None:
    s = wuppertal
    sync(engine, s, FIRST, body="Instance 0001")
    ha_dez = s.url("meeting/ha-dez")
    with Session(engine) as session:
        meeting = session.exec(select(Meeting).where(Meeting.oparl_id == ha_dez)).one()
        owed = session.exec(
            select(Deadline).where(Deadline.meeting_id == meeting.id, Deadline.status == "open")
        ).all()
    assert owed  # A 26/0101 is on its agenda: its session deadlines hang on it
    s.lists["meetings"] = [m for m in s.lists["meetings"] if m["id"] != ha_dez] + [
        {"id": ha_dez, "deleted": True, "modified": "2026-12-19T09:00:00+01:00"}
    ]
    report = sync(engine, s, SECOND, body="Instance 0001")
    assert report.deleted == ["Sitzung Sitzung ha-dez (als abgesagt geführt)"]
    assert report.updated["Meeting"] == 1
    assert "A 26/0101: Sitzung abgesagt, neuer Termin nötig" in report.warnings
    with Session(engine) as session:
        meeting = session.exec(select(Meeting).where(Meeting.oparl_id == ha_dez)).one()
        assert meeting.cancelled
        still = session.exec(
            select(Deadline).where(Deadline.meeting_id == meeting.id, Deadline.status == "open")
        ).all()
    assert not still, [(d.rule, d.status) for d in still]
    again = sync(engine, s, SECOND.replace(day=21), body="Instance 0001", since=FIRST)
    assert not again.deleted and again.unchanged["Meeting"] >= 1


def test_a_deleted_stored_organization_stays_with_its_meetings(
    engine: Engine, wuppertal: ManyBodies
) -> None:
    s = wuppertal
    sync(engine, s, FIRST, body="Instance 0001")
    s.lists["organizations"][0] = {
        "id": s.url("org/so"),
        "deleted": True,
        "modified": "2026-12-19T09:00:00+01:00",
    }
    report = sync(engine, s, SECOND, body="Instance 0001")
    assert report.deleted == ["Gremium Sozialausschuss (bleibt mit seinen Sitzungen)"]
    assert counts(engine)["Organization"] == 3
