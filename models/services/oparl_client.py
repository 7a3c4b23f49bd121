"""Reading an OParl endpoint over HTTP, as real council information systems answer it.

Timeouts on every request; 5xx, 429 and connection failures are retried with exponential
backoff (honouring a short Retry-After); a 4xx or a response that is not JSON is an error
naming the URL at once, because repeating it would not help.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from models.domain.oparl import OParlError, redact

USER_AGENT = "ratsfrist (OParl-Sync)"
RETRYABLE = frozenset({429, 500, 502, 503, 504})


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
                raise OParlError(f"{shown}: HTTP {response.status_code}")
            try:
                return response.json()
            except ValueError:
                kind = response.headers.get("Content-Type", "unbekannt")
                raise OParlError(f"{shown}: keine JSON-Antwort (Content-Type {kind})") from None
        raise OParlError(f"{shown}: {problem} nach {self.retries + 1} Versuchen")

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        """Exponential backoff; a server's Retry-After of up to a minute is honoured."""
        delay = self.backoff * 2 ** (attempt - 1)
        if retry_after and retry_after.isdigit():
            delay = max(delay, min(float(retry_after), 60.0))
        return delay
