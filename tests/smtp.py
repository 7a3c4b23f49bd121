"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, and can be told to
refuse (4xx, 5xx), to go away (connection refused), to hang (timeout), to be slow (`delay`
seconds before each DATA reply, as a loaded mail server is) or to know no mailbox for some
addresses (`handler.unknown`: 550 to RCPT TO)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Mail:
    to: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, mimetype: str) -> str | bytes | None:
        for part in self.message.walk():
            if part.get_content_type() == mimetype:
                payload = part.get_payload(decode=True)
                if mimetype == "text/calendar":
                    return payload
                return payload.decode(part.get_content_charset() or "utf-8")
        return None

    @property
    def text(self) -> str:
        parts = [self.part("text/plain"), self.part("text/html")]
        return "\n".join(str(p) for p in parts if p)

    @property
    def reminder_ids(self) -> list[int]:
        footer = re.search(r"Erinnerung ((?:#\d+(?:, )?)+)", self.text)
        return [int(n) for n in re.findall(r"#(\d+)", footer.group(1))] if footer else []


@dataclass
class _Handler:
    mode: str = "accept"
    delay: float = 0.0
    mails: list[Mail] = field(default_factory=list)
    lock: threading.Condition = field(default_factory=threading.Condition)
    #: addresses this server has no mailbox for: RCPT TO answers 550
    unknown: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address in self.unknown:
            return "550 5.1.1 Postfach unbekannt"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.delay:
            await asyncio.sleep(self.delay)  # the server's own slowness, not synchronisation
        if self.mode == "4xx":
            return "451 4.3.0 Bitte später erneut versuchen"
        if self.mode == "5xx":
            return "554 5.7.1 Nachricht abgelehnt"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.mails.append(Mail(list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
            self.lock.notify_all()
        return "250 OK"


class SmtpSink:
    def __init__(self) -> None:
        self.port = free_port()
        self.handler = _Handler()
        self.controller: Controller | None = None
        self._blackhole: socket.socket | None = None

    @property
    def mails(self) -> list[Mail]:
        with self.handler.lock:
            return list(self.handler.mails)

    def wait_for_mails(self, count: int, timeout: float) -> bool:
        """Block until at least `count` mails arrived (True) or `timeout` seconds passed."""
        with self.handler.lock:
            return self.handler.lock.wait_for(lambda: len(self.handler.mails) >= count, timeout)

    def start(self) -> None:
        self.stop()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
        if self._blackhole is not None:
            self._blackhole.close()
            self._blackhole = None

    def refuse(self, mode: str) -> None:
        """'4xx', '5xx': answer DATA so; 'down': nothing listens; 'hang': accepts, never speaks."""
        if mode in ("4xx", "5xx"):
            self.start()
            self.handler.mode = mode
        elif mode == "down":
            self.stop()
        elif mode == "hang":
            self.stop()
            self._blackhole = socket.socket()
            self._blackhole.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._blackhole.bind(("127.0.0.1", self.port))
            self._blackhole.listen(16)

    def recover(self) -> None:
        self.handler.mode = "accept"
        self.handler.delay = 0.0
        self.start()

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.mails.clear()


def apprise_config(path: Path, port: int, *, password: str | None = None, timeout: int = 5) -> Path:
    """The routing file the tests use: roles as tags, one address per URL. `timeout` is the
    connect and read timeout in seconds (5: a slow test host once needed that much)."""

    def url(to: str, auth: bool = False) -> str:
        cred = f"ratsfrist:{password}@" if auth and password else ""
        query = f"from=frist@example.org&to={to}&cto={timeout}&rto={timeout}"
        return f"mailto://{cred}127.0.0.1:{port}?{query}"

    lines = [
        "version: 1",
        "urls:",
        f"  - {url('fachamt@example.org')}:",
        "      - tag: fachamt",
        f"  - {url('fachamt-soz@example.org')}:",
        "      - tag: fachamt, gremium-sozialausschuss",
        f"  - {url('fachamt-rat@example.org')}:",
        "      - tag: fachamt, gremium-rat-der-stadt",
        f"  - {url('sitzungsdienst@example.org')}:",
        "      - tag: sitzungsdienst",
        f"  - {url('leitung@example.org')}:",
        "      - tag: leitung, vertraulich",
    ]
    if password:
        lines += [f"  - {url('geschuetzt@example.org', auth=True)}:", "      - tag: fraktion"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
