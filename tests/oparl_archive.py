"""A real council information system's recorded OParl endpoint, served again on 127.0.0.1.

The archive `../shared/oparl-real/sternberg/cache_huertgenwald.tar.zst` holds every public
answer of Hürtgenwald's SD.NET RIM endpoint (2021): system, body, organizations, 15 meeting and
85 paper pages. This server unpacks it once, rewrites the recorded host to its own address, and
serves the lists re-paginated as SD.NET does (`?page=N`, `links.next`), with what a real server
does on top: `modified_since` filtering (deleted objects included), and on request SD.NET's
404 + `{"code": 802}` for an empty filtered list and SessionNet's 404 when the `:` in
`modified_since` is percent-encoded. Nothing in the objects is changed: they are the town's.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

REAL = Path(__file__).resolve().parent / "data" / "oparl-real"
ARCHIVE = REAL / "sternberg" / "cache_huertgenwald.tar.zst"
RECORDED_BASE = "https://sdnetrim.kdvz-frechen.de/rim4220/webservice/oparl/v1.0"
LISTS = ("organization", "meeting", "paper", "person")


def unpack(dest: Path) -> Path:
    """The archive unpacked into `dest` (zstd and tar from the system, as its README says)."""
    if shutil.which("zstd") is None:
        raise RuntimeError("zstd fehlt: apt-get install zstd")
    dest.mkdir(parents=True, exist_ok=True)
    with subprocess.Popen(["zstd", "-dc", str(ARCHIVE)], stdout=subprocess.PIPE) as unzstd:
        subprocess.run(["tar", "-xf", "-", "-C", str(dest)], stdin=unzstd.stdout, check=True)
    return dest


def _page_number(name: str) -> int:
    found = re.search(r"\?page=(\d+)\.json$", name)
    return int(found.group(1)) if found else 1


def _modified(obj: dict[str, Any]) -> datetime | None:
    text = obj.get("modified")
    return datetime.fromisoformat(text) if isinstance(text, str) else None


@dataclass
class ArchiveServer:
    root: Path
    page_size: int = 25
    sdnet_802: bool = True
    """An empty filtered list answers 404 with {"code": 802}, as SD.NET does."""
    strict_colon: bool = False
    """A percent-encoded ':' in modified_since answers 404, as SessionNet does."""
    requests: list[str] = field(default_factory=list)
    lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real servers and httpx do it
            disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms wait

            def do_GET(self) -> None:
                server.requests.append(self.path)
                status, body = server.answer(self.path)
                payload = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_: Any) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}/oparl/v1.0"
        self._load()
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _read(self, path: Path) -> Any:
        return json.loads(path.read_text(encoding="utf-8").replace(RECORDED_BASE, self.base))

    def _load(self) -> None:
        self.system = self._read(self.root / "system.json")
        self.body_list = self._read(self.root / "body.json")
        for name in LISTS:
            pages = sorted(
                (self.root / "body" / "1").glob(f"{name}*.json"), key=lambda p: _page_number(p.name)
            )
            self.lists[name] = [obj for page in pages for obj in self._read(page)["data"]]

    @property
    def system_url(self) -> str:
        return f"{self.base}/system"

    def answer(self, raw: str) -> tuple[int, str]:
        parsed = urlparse(raw)
        path = parsed.path.removeprefix("/oparl/v1.0").strip("/")
        query = parse_qs(parsed.query)
        if path == "system":
            return 200, json.dumps(self.system)
        if path == "body":
            return 200, json.dumps(self.body_list)
        if path == "body/1":
            return 200, json.dumps(self.body_list["data"][0])
        list_name = path.removeprefix("body/1/")
        if list_name not in self.lists:
            return 404, json.dumps({"error": "not found"})
        if self.strict_colon and "%3A" in parsed.query.upper():
            return 404, json.dumps({"error": "modified_since unlesbar"})
        objects = self.lists[list_name]
        since = query.get("modified_since", [None])[0]
        if since:
            after = datetime.fromisoformat(since)
            objects = [o for o in objects if (_modified(o) or after) >= after]
            if not objects and self.sdnet_802:
                return 404, json.dumps({"code": 802, "message": "Keine Daten gefunden"})
        page = int(query.get("page", ["1"])[0])
        total_pages = max(1, -(-len(objects) // self.page_size))
        chunk = objects[(page - 1) * self.page_size : page * self.page_size]

        def link(n: int) -> str:
            params = {k: v[0] for k, v in query.items() if k != "page"}
            params["page"] = str(n)
            return f"{self.base}/body/1/{list_name}?{urlencode(params, safe=':')}"

        links = {"first": link(1), "self": link(page), "last": link(total_pages)}
        if page < total_pages:
            links["next"] = link(page + 1)
        return 200, json.dumps(
            {
                "data": chunk,
                "pagination": {
                    "totalElements": len(objects),
                    "elementsPerPage": self.page_size,
                    "currentPage": page,
                    "totalPages": total_pages,
                },
                "links": links,
            }
        )
