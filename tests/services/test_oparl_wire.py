"""The OParl sync against what real servers answer (tests/data/oparl-real/): answers served
over real HTTP on 127.0.0.1, stored in real SQLite and PostgreSQL. One bad object or page
never blocks a town, and nothing is ever a traceback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.domain.oparl import OParlError
from models.services.oparl_bulk import _open_transaction
from models.services.oparl_client import OParlClient, loads, page_after, with_since
from models.services.oparl_files import import_files
from models.services.oparl_sync import find_body, sync_endpoint
from models.store.profiles import default_rules
from models.store.tables import Consultation, Meeting, OParlCursor, Paper
from tests.oparl_server import OParlServer, populate

REAL = Path(__file__).resolve().parents[1] / "data" / "oparl-real"
KREFELD = "https://ris.krefeld.de/webservice/oparl/v1.0"
NOW = datetime(2021, 9, 7, 8, 0, tzinfo=UTC)


class StaticServer:
    """Recorded answers by path and query, as they were sent (bytes, status), on 127.0.0.1."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, bytes]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, body = server.routes.get(self.path, (404, b'{"error": "not found"}'))
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}/oparl/v1.0"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def serve(self, path: str, body: str | bytes | Any, status: int = 200) -> None:
        if not isinstance(body, str | bytes):
            body = json.dumps(body)
        raw = body.encode() if isinstance(body, str) else body
        self.routes["/oparl/v1.0/" + path] = (
            status,
            raw.replace(KREFELD.encode(), self.base.encode()),
        )

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def static() -> Iterator[StaticServer]:
    server = StaticServer()
    yield server
    server.close()


def client() -> OParlClient:
    return OParlClient(timeout=5, retries=1, backoff=0, sleep=lambda _: None)


def page(data: list[Any], next_url: str | None = None) -> dict[str, Any]:
    return {"data": data, "links": {"next": next_url} if next_url else {}}


def krefeld(static: StaticServer) -> None:
    """Krefeld's system, and its Body where the body list page was due (MST's record)."""
    static.serve("system", (REAL / "sternberg" / "krefeld-system.json").read_bytes())
    static.serve("body", (REAL / "sternberg" / "krefeld-body-as-list-response.json").read_bytes())


def test_a_body_answered_for_the_body_list_is_the_body(static: StaticServer) -> None:
    krefeld(static)
    with client() as c:
        body, vendor = find_body(c, f"{static.base}/system", None)
    assert body.name == "Stadt Krefeld" and vendor.key == "sdnet"
    assert body.meeting_list == f"{static.base}/body/1/meeting"


def test_a_body_where_a_list_was_due_and_broken_json_never_stop_the_sync(
    engine: Engine, static: StaticServer
) -> None:
    krefeld(static)
    static.serve("body/1/organization", page([]))
    # Krefeld's Body again, now where the meeting list was due: that list is skipped
    static.serve(
        "body/1/meeting", (REAL / "sternberg" / "krefeld-body-as-list-response.json").read_bytes()
    )
    # ALLRIS' paper with raw control characters, then a page that is no JSON at all
    broken = (REAL / "allris" / "braunschweig-paper-1664.broken_json").read_bytes()
    static.serve(
        "body/1/paper",
        b'{"data": ['
        + broken
        + b'], "links": {"next": "'
        + f"{static.base}/body/1/paper?page=2".encode()
        + b'"}}',
    )
    static.serve("body/1/paper?page=2", b'{"data": [{"id": "x", "name": "kaputt\n')
    static.serve("body/1/paper?page=3", page([]))
    with client() as c:
        report = sync_endpoint(
            engine, f"{static.base}/system", now=NOW, rules=default_rules(), client=c
        )
    assert report.vendor == "STERNBERG SD.NET RIM"
    assert report.skipped_pages == [
        f"{static.base}/body/1/meeting: Body statt einer Listenseite",
        f"{static.base}/body/1/paper?page=2: kein gültiges JSON "
        "(Unterminated string starting at: line 1 column 31 (char 30))",
    ]
    assert report.created["Paper"] == 1 and not report.skipped
    with Session(engine) as session:
        paper = session.exec(select(Paper)).one()
        assert paper.reference == "1664/99"
        assert paper.name.startswith("Volkshochschule Braunschweig e. V. Umwandlung")
        cursors = {c.list_url.rsplit("/", 1)[-1]: c for c in session.exec(select(OParlCursor))}
        # lists with a skipped page are read again next time; the complete one is not
        assert cursors["organization"].synced_until is not None
        assert cursors["meeting"].synced_until is None and cursors["paper"].synced_until is None
        assert all(c.next_url is None for c in cursors.values())


def test_a_json_answer_beyond_repair_is_one_line_naming_the_url() -> None:
    assert loads('{"name": "a\x01b"}', "u") == {"name": "a\x01b"}  # repaired: strict=False
    with pytest.raises(OParlError, match=r"^https://x/p: kein gültiges JSON \(Expecting"):
        loads('{"name": }', "https://x/p")


def test_modified_since_keeps_its_colons_and_failed_pages_are_followed() -> None:
    url = with_since("https://ris/oparl/papers?body=1", datetime(2021, 9, 7, 8, 0, tzinfo=UTC))
    assert url == "https://ris/oparl/papers?body=1&modified_since=2021-09-07T08:00:00Z"
    assert page_after(url) is None  # a first page: what follows is not known
    assert page_after(url + "&page=7") == url + "&page=8"
    assert page_after("https://ris/bi/papers.asp?body=2387&p=3").endswith("body=2387&p=4")


def test_an_object_that_cannot_be_read_is_skipped_and_the_page_lands(
    engine: Engine, tmp_path: Path
) -> None:
    document = json.loads((REAL / "sternberg/huertgenwald-2021/meeting-page-14.json").read_text())
    victim = next(m for m in document["data"] if "start" in m)
    del victim["start"]  # the one change to the town's page: a meeting without its date
    file = tmp_path / "meeting-page-14.json"
    file.write_text(json.dumps(document))
    report = import_files(engine, [file], now=NOW, rules=default_rules(), fallback_name="HW")
    assert len(report.skipped) == 1
    assert victim["id"] in report.skipped[0] and "Feld 'start' fehlt" in report.skipped[0]
    live = [m for m in document["data"] if not m.get("deleted")]
    with Session(engine) as session:
        stored = set(session.exec(select(Meeting.oparl_id)))
    assert stored == {m["id"] for m in live} - {victim["id"]}
    assert report.unchanged["Meeting"] == 6  # SD.NET's bare deletions: never stored, no news


REFUSE = {
    "sqlite": [
        "CREATE TRIGGER refuse BEFORE INSERT ON paper WHEN NEW.reference = 'A 26/0101' "
        "BEGIN SELECT RAISE(ABORT, 'Vorlage gesperrt'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.reference = 'A 26/0101' "
        "THEN RAISE EXCEPTION 'Vorlage gesperrt'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER refuse BEFORE INSERT ON paper FOR EACH ROW EXECUTE FUNCTION refuse()",
    ],
}
UNREFUSE = {
    "sqlite": ["DROP TRIGGER refuse"],
    "postgresql": ["DROP TRIGGER refuse ON paper", "DROP FUNCTION refuse()"],
}


def test_a_database_error_on_one_object_is_one_line_naming_it(engine: Engine) -> None:
    server = OParlServer(page_size=2)
    populate(server)
    refused = next(p for p in server.lists["papers"] if p["reference"] == "A 26/0101")
    dialect = engine.dialect.name
    with engine.begin() as connection:
        for statement in REFUSE[dialect]:
            connection.execute(sa.text(statement))
    try:
        with client() as c:
            report = sync_endpoint(
                engine, server.url("system"), now=NOW, rules=default_rules(), client=c
            )
    finally:
        server.close()
        with engine.begin() as connection:
            for statement in UNREFUSE[dialect]:
                connection.execute(sa.text(statement))
    assert len(report.skipped) == 1, report.skipped
    line = report.skipped[0]
    assert line.startswith(f"{refused['id']}: Datenbankfehler (") and "Vorlage gesperrt" in line
    assert "\n" not in line and "Traceback" not in line
    assert report.created["Paper"] == 3
    with Session(engine) as session:
        stored = set(session.exec(select(Paper.reference)))
        assert stored == {"A 26/0100", "V 26/0050", "A 26/0102"}
        # the refused paper's consultation went with it: the SAVEPOINT undid the whole object
        ids = [c["id"] for c in refused["consultation"]]
        assert not session.exec(
            select(Consultation).where(col(Consultation.oparl_id).in_(ids))
        ).all()
        cursor = session.exec(
            select(OParlCursor).where(col(OParlCursor.list_url).endswith("/papers"))
        ).one()
        assert cursor.next_url is None and cursor.synced_until is not None  # moved on


def test_a_page_stays_one_transaction_around_its_savepoints(engine: Engine) -> None:
    """On SQLite the driver begins only before a write: without the explicit BEGIN the first
    SAVEPOINT would be the outermost one and its RELEASE a commit (one fsync per object, and
    this row kept after the page's rollback)."""
    with Session(engine) as session:
        _open_transaction(session)
        with session.begin_nested():
            session.add(OParlCursor(list_url="u", updated_at=NOW))
        session.rollback()  # the page fails after its objects
    with Session(engine) as session:
        assert session.exec(select(OParlCursor)).all() == []
