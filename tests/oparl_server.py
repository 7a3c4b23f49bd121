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
