"""A small OParl 1.1 system served over real HTTP on 127.0.0.1, for the sync tests.

It does what a council information system does and no more: paged lists with `links.next`,
`modified_since` filtering (which, by the spec, also returns deleted objects), and faults on
request: a page that answers 503 once, a path that answers HTML.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

T = "https://schema.oparl.org/1.1/"
OLD = "2026-11-01T09:00:00+01:00"


@dataclass
class OParlServer:
    page_size: int = 2
    lists: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {"organizations": [], "meetings": [], "papers": []}
    )
    fail_once: set[tuple[str, int]] = field(default_factory=set)
    """(list, page) that answer 503 the first time they are asked for."""
    html_paths: set[str] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                status, body, kind = server.answer(self.path)
                payload = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}/oparl"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    # --- the system ----------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return f"{self.base}/{path}"

    def system(self) -> dict[str, Any]:
        return {"id": self.url("system"), "type": T + "System", "body": self.url("bodies")}

    def body(self) -> dict[str, Any]:
        return {
            "id": self.url("body/1"),
            "type": T + "Body",
            "name": "Stadt Beispielstadt",
            "shortName": "Beispielstadt",
            "organization": self.url("body/1/organizations"),
            "person": self.url("body/1/people"),
            "meeting": self.url("body/1/meetings"),
            "paper": self.url("body/1/papers"),
            "legislativeTerm": [],
        }

    def answer(self, raw: str) -> tuple[int, str, str]:
        parsed = urlparse(raw)
        path = parsed.path.removeprefix("/oparl/")
        query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        if path in self.html_paths:
            return 200, "<html><body>Wartungsarbeiten</body></html>", "text/html"
        if path == "system":
            return 200, json.dumps(self.system()), "application/json"
        if path == "bodies":
            return 200, json.dumps({"data": [self.body()], "links": {}}), "application/json"
        if path == "body/1":
            return 200, json.dumps(self.body()), "application/json"
        name = path.removeprefix("body/1/")
        if name not in self.lists:
            return 404, json.dumps({"error": "not found"}), "application/json"
        page = int(query.get("page", "1"))
        if (name, page) in self.fail_once:
            self.fail_once.discard((name, page))
            return 503, "Service Unavailable", "text/plain"
        items = self.lists[name]
        since = query.get("modified_since")
        if since:
            limit = datetime.fromisoformat(since)
            items = [o for o in items if datetime.fromisoformat(o["modified"]) >= limit]
        else:
            items = [o for o in items if not o.get("deleted")]
        chunk = items[(page - 1) * self.page_size : page * self.page_size]
        links: dict[str, str] = {}
        if page * self.page_size < len(items):
            params = {**query, "page": str(page + 1)}
            links["next"] = f"{self.url(path)}?{urlencode(params)}"
        document = {
            "data": chunk,
            "pagination": {"totalElements": len(items), "elementsPerPage": self.page_size},
            "links": links,
        }
        return 200, json.dumps(document), "application/json"


# --- objects, as the tests build them --------------------------------------------------------


def org(server: OParlServer, key: str, name: str) -> dict[str, Any]:
    return {
        "id": server.url(f"org/{key}"),
        "type": T + "Organization",
        "name": name,
        "modified": OLD,
    }


def meeting(
    server: OParlServer,
    key: str,
    org_key: str,
    start: str,
    items: list[tuple[str, str, str | None, str | None]],
    **extra: Any,
) -> dict[str, Any]:
    """items: (item key, number, consultation key, result)"""
    return {
        "id": server.url(f"meeting/{key}"),
        "type": T + "Meeting",
        "name": f"Sitzung {key}",
        "start": start,
        "organization": [server.url(f"org/{org_key}")],
        "agendaItem": [
            {
                "id": server.url(f"item/{ikey}"),
                "type": T + "AgendaItem",
                "number": number,
                "order": n,
                "public": True,
                **({"consultation": server.url(f"consultation/{ckey}")} if ckey else {}),
                **({"result": result} if result else {}),
            }
            for n, (ikey, number, ckey, result) in enumerate(items, start=1)
        ],
        "modified": OLD,
        **extra,
    }


def paper(
    server: OParlServer,
    key: str,
    reference: str,
    consultations: list[tuple[str, str, str, str, bool]],
    **extra: Any,
) -> dict[str, Any]:
    """consultations: (key, org key, meeting key, item key, authoritative)"""
    return {
        "id": server.url(f"paper/{key}"),
        "type": T + "Paper",
        "reference": reference,
        "name": f"Antrag {reference}",
        "paperType": "Antrag",
        "date": "2026-11-02",
        "consultation": [
            {
                "id": server.url(f"consultation/{ckey}"),
                "type": T + "Consultation",
                "organization": [server.url(f"org/{okey}")],
                "meeting": server.url(f"meeting/{mkey}"),
                "agendaItem": server.url(f"item/{ikey}"),
                "role": "Entscheidung" if authoritative else "Vorberatung",
                "authoritative": authoritative,
            }
            for ckey, okey, mkey, ikey, authoritative in consultations
        ],
        "modified": OLD,
        **extra,
    }


def populate(server: OParlServer) -> None:
    """Three committees, four meetings (one held, with minutes), four papers, one of them
    with a Vorberatung and an Entscheidung."""
    s = server
    s.lists["organizations"] = [
        org(s, "so", "Sozialausschuss"),
        org(s, "rat", "Rat"),
        org(s, "ha", "Hauptausschuss"),
    ]
    s.lists["meetings"] = [
        meeting(s, "so-dez", "so", "2026-12-08T17:00:00+01:00", [("i1", "Ö 3", "c1", None)]),
        meeting(s, "rat-dez", "rat", "2026-12-17T16:00:00+01:00", [("i2", "Ö 7", "c2", None)]),
        meeting(s, "ha-dez", "ha", "2026-12-10T17:00:00+01:00", [("i3", "Ö 2", "c3", None)]),
        meeting(
            s,
            "so-nov",
            "so",
            "2026-11-10T17:00:00+01:00",
            [("i0", "Ö 1", None, None), ("i4", "Ö 4", "c4", "Ungeändert beschlossen")],
            resultsProtocol={"id": s.url("file/prot"), "type": T + "File"},
        ),
    ]
    s.lists["papers"] = [
        paper(
            s,
            "p1",
            "A 26/0100",
            [("c1", "so", "so-dez", "i1", False), ("c2", "rat", "rat-dez", "i2", True)],
        ),
        paper(s, "p2", "V 26/0050", [("c4", "so", "so-nov", "i4", True)], paperType="Vorschlag"),
        paper(s, "p3", "A 26/0101", [("c3", "ha", "ha-dez", "i3", True)]),
        paper(s, "p4", "A 26/0102", [("c5", "ha", "ha-dez", "i5", True)]),
    ]
