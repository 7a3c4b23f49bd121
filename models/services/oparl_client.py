"""Reading an OParl endpoint over HTTP, as real council information systems answer it.

Timeouts on every request; 5xx, 429 and connection failures are retried with exponential
backoff (honouring a short Retry-After); a 4xx or a response that is not JSON is an error
naming the URL at once, because repeating it would not help. A 4xx carries its status and
JSON body (`OParlHTTPError`), since SD.NET says "empty list" as 404 + `{"code": 802}`. JSON
with raw control characters inside strings (ALLRIS) is read leniently before it is given up.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from models.domain.oparl import OParlError
from models.domain.timeutil import to_utc

USER_AGENT = "ratsfrist (OParl-Sync)"
RETRYABLE = frozenset({429, 500, 502, 503, 504})


def redact(url: str) -> str:
    """The URL as it may be shown: a password in it (https://user:pw@host/…) never is."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


class OParlHTTPError(OParlError):
    """A 4xx answer: its status and, if it was JSON, its body, for the vendor to read."""

    def __init__(self, message: str, status: int, payload: Any) -> None:
        super().__init__(message)
        self.status = status
        self.payload = payload


def loads(text: str, where: str) -> Any:
    """JSON, or JSON with raw control characters in its strings (ALLRIS writes them); an
    answer that is not JSON even so is an error naming `where`."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return json.loads(text, strict=False)
    except ValueError as error:
        raise OParlError(f"{where}: kein gültiges JSON ({error})") from None


class OParlClient:
    def __init__(
        self,
        *,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self.requests = 0
        self.retried = 0
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=True,
            transport=transport,
        )

    def __enter__(self) -> OParlClient:
        return self

    def __exit__(self, *_: object) -> None:
        self._http.close()

    def get(self, url: str, params: dict[str, str] | None = None) -> Any:
        """The JSON document at `url`, after up to `retries` further attempts."""
        problem, retry_after = "", None
        shown = redact(url)
        for attempt in range(self.retries + 1):
            if attempt:
                self.retried += 1
                self.sleep(self._delay(attempt, retry_after))
                retry_after = None
            self.requests += 1
            try:
                response = self._http.get(url, params=params)
            except httpx.TimeoutException:
                problem = "Zeitüberschreitung"
                continue
            except httpx.TransportError as error:
                problem = f"nicht erreichbar ({type(error).__name__})"
                continue
            if response.status_code in RETRYABLE:
                problem = f"HTTP {response.status_code}"
                retry_after = response.headers.get("Retry-After")
                continue
            if response.status_code >= 400:
                try:
                    payload = response.json()
                except ValueError:
                    payload = None
                raise OParlHTTPError(
                    f"{shown}: HTTP {response.status_code}", response.status_code, payload
                )
            kind = response.headers.get("Content-Type", "unbekannt")
            if "json" not in kind.lower() and not response.text.lstrip().startswith(("{", "[")):
                raise OParlError(f"{shown}: keine JSON-Antwort (Content-Type {kind})")
            return loads(response.text, shown)
        raise OParlError(f"{shown}: {problem} nach {self.retries + 1} Versuchen")

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        """Exponential backoff; a server's Retry-After of up to a minute is honoured."""
        delay = self.backoff * 2 ** (attempt - 1)
        if retry_after and retry_after.isdigit():
            delay = max(delay, min(float(retry_after), 60.0))
        return delay


# --- list URLs ---------------------------------------------------------------------------------


def _set_params(url: str, **params: str) -> str:
    """`url` with `params` set; a ':' stays a ':' (SessionNet answers 404 to '%3A')."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query, safe=":")))


def with_since(list_url: str, since: datetime | None) -> str:
    if since is None:
        return list_url
    stamp = to_utc(since).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return _set_params(list_url, modified_since=stamp)


def page_after(url: str) -> str | None:
    """The page after a failed one, by the page number in its URL (`page=` as SD.NET and
    SessionNet, `p=` as ALLRIS number them); None for a URL without one (a list's first
    page): what follows it is not known."""
    params = dict(parse_qsl(urlsplit(url).query))
    for key in ("page", "p"):
        if params.get(key, "").isdigit():
            return _set_params(url, **{key: str(int(params[key]) + 1)})
    return None
