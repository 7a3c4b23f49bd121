"""Two hooks into Apprise's SMTP controller (`apprise.plugins.email.smtp`, Apprise 2.0),
installed once per process by notifications/send.py. Both only replace names that module
looked up in the standard library; Apprise itself still connects, secures, logs in and sends.

- **One SSL context per process instead of one per mail.** The controller calls
  `ssl.create_default_context()` for every mail, which loads the system's CA store (about
  half of a mail's cost to a local server), even for plain `mailto` that never uses it. It
  gets a stand-in (`_Context`) that remembers the two settings Apprise may change on it
  (`check_hostname`, `verify_mode`: off only for `verify=no` URLs) and wraps a socket with
  the process's one real default context for exactly those settings, made when the first
  TLS connection is. Verification for `mailtos` is the same as before: the same default
  context, the same settings.
- **The server's reply without DEBUG logging.** Apprise logs the SMTP exception
  (`(554, b'5.7.1 …')`) only at DEBUG, so the logger had to build a dozen debug records per
  mail to have it on a failure. `smtplib.SMTP`/`SMTP_SSL` in the controller are subclasses
  that put each exception's text into the sending thread's list (`local.records`) before
  raising it on.

- **One connection per route for many mails.** Apprise's controller connects, says EHLO,
  secures and logs in for every notification and says QUIT after it (the connection costs
  about as much as the mail to a local server). Within a dispatch (`Pool`, `pooled`), the
  controller is a subclass (`_PooledController`) that, after a mail went through, puts its
  connection back in the pool under everything the controller was made with (host, port,
  secure mode, user, password, certificate check, timeout), instead of QUIT; the next mail
  with exactly those settings takes it again. The connection was secured and logged in by
  Apprise's own code with those settings, so `mailtos` verification is unchanged. A
  connection is pooled only after a clean send: any failure (refused, 4xx/5xx, timeout)
  ends it as Apprise would (QUIT), so the next mail starts afresh and a failure reads as it
  did; one the server closed while idle (it has something to read, or a NOOP after a pause
  fails) is dropped and a new one made. Outside `pooled` the controller behaves as Apprise's.

- **A gate before each mail goes to the server.** The dispatcher commits a delivery on a
  thread of its own while the next mail is rendered and built (notifications/batch.py);
  before that next mail is handed to the server, the controller's `sendmail` asks the
  sending thread's gate (`gated`) whether every delivery before it is committed, waiting
  for it, and sends nothing if that failed. So no more mails are ever accepted and not yet
  recorded than without the thread: one per sender. `passes_gate` says for which
  notifications the controller asks (else the caller asks before `notify`).

- **Multipart messages without the stdlib's two slowest steps.** The e-mail plugin builds
  its messages from `MIMEMultipart`; it gets a subclass (`_Multipart`) that (a) draws its
  boundary when made, 128 random bits, instead of letting `email.generator` draw one and
  compile a regular expression per part to search the whole text for it (the expression is
  new each time, so Python's cache of compiled ones never helps: about a tenth of building
  a mail), and (b) carries a compat32 policy whose `fold` writes a header whose value is
  printable ASCII that needs no folding as `Name: value` directly, which is what
  `email.header.Header` returns for it after a good deal of work (most of a mail's twenty
  headers). Every other header goes through compat32 as before; the text of the message is
  the same but for the boundaries' spelling.

- **Our own plain-text part.** Given an HTML body, the e-mail plugin makes the mail's
  text/plain alternative by converting the HTML (`convert_between`, an HTML parser run per
  mail: a twelfth of a mail's cost). Our reminders have a plain text of their own, written for
  plain-text readers (notifications/templates/reminder.txt.j2: "Titel: …" on one line where
  the conversion gives a heading and a paragraph). Within `own_text(html, text)` the plugin's
  conversion of exactly that HTML returns that text; anything else is converted by Apprise.

`encoded_subject` spares Apprise a quadratic header encoder (see there).

If Apprise's module no longer looks like this, nothing is replaced (`install()` says so)
and notifications/send.py falls back to the debug records.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import secrets
import select
import smtplib
import ssl
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from email.mime.multipart import MIMEMultipart
from email.policy import Compat32
from typing import Any

local = threading.local()
"""`records`: the log records of the send in progress on this thread (None: not sending);
`pool`: the connection pool this thread's sends use (None: a connection per mail);
`gate`: asked before each mail of this thread goes to the server (None: nothing to ask);
`text`: (html, text), the plain text to use for exactly that HTML body (None: convert)."""


def _record(exc: BaseException) -> None:
    caught: list[logging.LogRecord] | None = getattr(local, "records", None)
    if caught is not None:
        caught.append(
            logging.makeLogRecord(
                {"msg": f"{type(exc).__name__}: {exc}", "levelno": logging.DEBUG, "hook": True}
            )
        )


class _Recording:
    """Mixed into smtplib's clients: every exception of a step reaches the thread's list."""

    def connect(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().connect(*args, **kwargs)  # type: ignore[misc]
        except Exception as exc:
            _record(exc)
            raise

    def starttls(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().starttls(*args, **kwargs)  # type: ignore[misc]
        except Exception as exc:
            _record(exc)
            raise

    def login(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().login(*args, **kwargs)  # type: ignore[misc]
        except Exception as exc:
            _record(exc)
            raise

    def sendmail(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().sendmail(*args, **kwargs)  # type: ignore[misc]
        except Exception as exc:
            _record(exc)
            raise


class _SMTP(_Recording, smtplib.SMTP):
    pass


class _SMTPSSL(_Recording, smtplib.SMTP_SSL):
    pass


class _Smtplib:
    """`smtplib` as the controller sees it: the module, with the recording clients."""

    SMTP = _SMTP
    SMTP_SSL = _SMTPSSL

    def __getattr__(self, name: str) -> Any:
        return getattr(smtplib, name)


class _Context:
    """What the controller gets for `ssl.create_default_context()` (see the module doc)."""

    def __init__(self) -> None:
        self.check_hostname = True
        self.verify_mode = ssl.CERT_REQUIRED

    def wrap_socket(self, sock: Any, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        return shared_context(self.check_hostname, self.verify_mode).wrap_socket(
            sock, *args, **kwargs
        )

    def __getattr__(self, name: str) -> Any:  # anything else: as the real context has it
        return getattr(shared_context(self.check_hostname, self.verify_mode), name)


_contexts: dict[tuple[bool, ssl.VerifyMode], ssl.SSLContext] = {}
_contexts_lock = threading.Lock()


def shared_context(check_hostname: bool, verify_mode: ssl.VerifyMode) -> ssl.SSLContext:
    """The process's default context with these two settings (made on first use)."""
    key = (bool(check_hostname), ssl.VerifyMode(verify_mode))
    with _contexts_lock:
        if key not in _contexts:
            context = ssl.create_default_context()
            context.check_hostname = key[0]  # before verify_mode: CERT_NONE needs it off
            context.verify_mode = key[1]
            _contexts[key] = context
        return _contexts[key]


class _Ssl:
    """`ssl` as the controller sees it: the module, with a shared default context."""

    @staticmethod
    def create_default_context(*args: Any, **kwargs: Any) -> Any:
        if args or kwargs:
            return ssl.create_default_context(*args, **kwargs)
        return _Context()

    def __getattr__(self, name: str) -> Any:
        return getattr(ssl, name)


IDLE_CHECK_S = 5.0
"""A connection idle longer than this is asked (NOOP) whether it still stands before use."""


class Pool:
    """Live SMTP connections of one dispatch, idle between mails, by controller settings.
    A connection is taken out while a mail is sent on it, so no two threads share one."""

    def __init__(self) -> None:
        self._idle: dict[tuple[Any, ...], list[tuple[smtplib.SMTP, float]]] = defaultdict(list)
        self._lock = threading.Lock()
        self._closed = False
        self.made = 0
        """Connections handed back at least once (for the bench and the tests)."""
        self.reused = 0

    def take(self, key: tuple[Any, ...]) -> smtplib.SMTP | None:
        """A live idle connection for `key`, or None (then the controller connects)."""
        while True:
            with self._lock:
                if not self._idle[key]:
                    return None
                connection, since = self._idle[key].pop()
            if _alive(connection, time.monotonic() - since):
                with self._lock:
                    self.reused += 1
                return connection
            _quit(connection)

    def give(self, key: tuple[Any, ...], connection: smtplib.SMTP, new: bool) -> None:
        with self._lock:
            if new:
                self.made += 1
            if not self._closed:
                self._idle[key].append((connection, time.monotonic()))
                return
        _quit(connection)

    def close(self) -> None:
        """QUIT every idle connection; later hand-backs are quit at once."""
        with self._lock:
            self._closed = True
            idle = [c for connections in self._idle.values() for c, _ in connections]
            self._idle.clear()
        for connection in idle:
            _quit(connection)


def _alive(connection: smtplib.SMTP, idle_s: float) -> bool:
    """An idle SMTP connection has nothing to read: if it has, the server said goodbye (421,
    or closed it). After a longer pause a NOOP makes sure."""
    sock = connection.sock
    if sock is None:
        return False
    try:
        if isinstance(sock, ssl.SSLSocket) and sock.pending():
            return False
        if select.select([sock], [], [], 0)[0]:
            return False
        return idle_s < IDLE_CHECK_S or connection.noop()[0] == 250
    except (OSError, ValueError, smtplib.SMTPException):
        return False


def _quit(connection: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError, ValueError, smtplib.SMTPException):
        connection.quit()
    with contextlib.suppress(OSError, ValueError):
        connection.close()


@contextlib.contextmanager
def pooled(pool: Pool) -> Iterator[Pool]:
    """This thread's sends use `pool` while inside."""
    before = getattr(local, "pool", None)
    local.pool = pool
    try:
        yield pool
    finally:
        local.pool = before


@contextlib.contextmanager
def gated(gate: Callable[[], bool] | None) -> Iterator[None]:
    """While inside, every mail this thread hands to a mail server through Apprise's
    controller waits for `gate()` first and is not sent if it says False (see the module
    doc). For notifications `passes_gate` does not vouch for, ask `gate()` before `notify`."""
    before = getattr(local, "gate", None)
    local.gate = gate
    try:
        yield
    finally:
        local.gate = before


HELD_BACK = "nicht gesendet: die Zustellung davor ist nicht verbucht"


def _through_gate() -> bool:
    gate: Callable[[], bool] | None = getattr(local, "gate", None)
    if gate is None or gate():
        return True
    caught: list[logging.LogRecord] | None = getattr(local, "records", None)
    if caught is not None:
        caught.append(
            logging.makeLogRecord(
                {
                    "msg": HELD_BACK,
                    "levelno": logging.WARNING,
                    "hook": True,
                }
            )
        )
    return False


def passes_gate(server: Any) -> bool:
    """Whether every mail `server` (an Apprise plugin) sends goes through the gate in the
    controller: Apprise's own e-mail `send`, with the hooks installed."""
    from apprise.plugins.email import NotifyEmail, base

    return (
        _installed is not None
        and getattr(base, "AppriseSMTPController", None) is _installed
        and isinstance(server, NotifyEmail)
        and type(server).send is NotifyEmail.send
    )


def _pooled_controller(base: type) -> type:
    """Apprise's controller class, pooling its connection when the thread has a pool."""

    class _PooledController(base):
        def __enter__(self) -> Any:
            self._pool: Pool | None = getattr(local, "pool", None)
            self._clean = True
            self._new = True
            self._key = (
                self.host,
                self.port,
                self.secure_mode,
                self.user,
                self.password,
                self.verify_certificate,
                self.socket_connect_timeout,
            )
            if self._pool is not None:
                connection = self._pool.take(self._key)
                if connection is not None:
                    self._socket, self._new = connection, False
                    return self
            return super().__enter__()

        def sendmail(self, *args: Any, **kwargs: Any) -> bool:
            if not _through_gate():
                self._clean = False
                return False
            ok = bool(super().sendmail(*args, **kwargs))
            self._clean = self._clean and ok
            return ok

        def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
            pool, connection = self._pool, self._socket
            if pool is not None and connection is not None and self._clean and exc_type is None:
                self._socket = None  # Apprise's QUIT becomes a hand-back
                pool.give(self._key, connection, self._new)
                return
            super().__exit__(exc_type, exc_val, exc_tb)

    _PooledController.__name__ = _PooledController.__qualname__ = "_PooledController"
    return _PooledController


class _Compat32(Compat32):
    """compat32, the policy of Apprise's messages, with a short way for plain headers."""

    def fold(self, name: str, value: Any) -> str:
        limit = self.max_line_length or 1_000_000  # 0 or None: no wrapping (email.header)
        if (
            isinstance(value, str)
            and value.isascii()
            and value.isprintable()  # no line breaks of any kind, no control characters
            and len(name) + 2 + len(value) <= limit
        ):
            return f"{name}: {value}{self.linesep}"
        return super().fold(name, value)


_POLICY = _Compat32()


def new_boundary() -> str:
    """A MIME boundary: `=_` and 128 random bits in base32. `=_` cannot occur in
    quoted-printable or base64 text, and no text can be made to contain bits drawn after
    it was written, so the stdlib's search of the text for it is not needed."""
    return "=_" + base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=")


class _Multipart(MIMEMultipart):
    """`MIMEMultipart` as Apprise's e-mail plugin sees it (see the module doc)."""

    def __init__(
        self,
        _subtype: str = "mixed",
        boundary: str | None = None,
        _subparts: Any = None,
        *,
        policy: Any = None,
        **_params: Any,
    ) -> None:
        super().__init__(
            _subtype,
            boundary or new_boundary(),
            _subparts,
            policy=policy or _POLICY,
            **_params,
        )


def install() -> bool:
    """Put both hooks in place (idempotent); False where Apprise's controller is not the
    module they were written for."""
    try:
        from apprise.plugins.email import smtp as controller
    except ImportError:
        return False
    names = vars(controller)
    if isinstance(names.get("ssl"), _Ssl) and isinstance(names.get("smtplib"), _Smtplib):
        return True
    if names.get("ssl") is not ssl or names.get("smtplib") is not smtplib:
        return False
    if not hasattr(controller, "AppriseSMTPController"):
        return False
    controller.ssl = _Ssl()  # type: ignore[assignment]
    controller.smtplib = _Smtplib()  # type: ignore[assignment]
    _install_pool()
    _install_multipart()
    _install_own_text()
    return True


def _install_multipart() -> None:
    """`_Multipart` where the e-mail plugin looks `MIMEMultipart` up (nothing if it does not)."""
    from apprise.plugins.email import base

    if getattr(base, "MIMEMultipart", None) is MIMEMultipart:
        base.MIMEMultipart = _Multipart  # type: ignore[misc]


def _install_own_text() -> None:
    """`_convert` where the e-mail plugin looks `convert_between` up (nothing if it does not)."""
    from apprise.conversion import convert_between
    from apprise.plugins.email import base

    global _convert_between
    if getattr(base, "convert_between", None) is convert_between:
        _convert_between = convert_between
        base.convert_between = _convert


_convert_between: Callable[[Any, Any, Any], Any] | None = None
"""Apprise's conversion, which `_convert` stands in front of."""


def _convert(from_format: Any, to_format: Any, content: Any) -> Any:
    """Apprise's `convert_between`, but our own text for the HTML body being sent (see
    `own_text`)."""
    from apprise import NotifyFormat

    own: tuple[str, str] | None = getattr(local, "text", None)
    if (
        own is not None
        and from_format == NotifyFormat.HTML
        and to_format == NotifyFormat.TEXT
        and isinstance(content, str)
        and content.strip() == own[0].strip()  # Apprise strips the body it is given
    ):
        return own[1]
    assert _convert_between is not None  # installed before it is looked up
    return _convert_between(from_format, to_format, content)


@contextlib.contextmanager
def own_text(html: str, text: str) -> Iterator[None]:
    """While inside, a mail of this thread whose HTML body is `html` gets `text` as its
    plain-text part instead of Apprise's conversion of the HTML."""
    before = getattr(local, "text", None)
    local.text = (html, text)
    try:
        yield
    finally:
        local.text = before


_installed: type | None = None
"""The pooling controller, once it is where the e-mail plugin looks it up."""


def _install_pool() -> None:
    """The pooling controller where the e-mail plugin looks it up (nothing if it does not)."""
    global _installed
    from apprise.plugins.email import base, smtp

    if getattr(base, "AppriseSMTPController", None) is smtp.AppriseSMTPController:
        _installed = _pooled_controller(smtp.AppriseSMTPController)
        base.AppriseSMTPController = _installed  # type: ignore[assignment,misc]


_Q_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!*+-/")


def _q_words(text: str) -> list[str]:
    """`text` as RFC 2047 Q-encoded words of at most 75 characters, split between characters."""
    words, body = [], ""
    for character in text:
        if character in _Q_PLAIN:
            piece = character
        elif character == " ":
            piece = "_"
        else:
            piece = "".join(f"={byte:02X}" for byte in character.encode())
        if len(body) + len(piece) > 75 - len("=?utf-8?q??="):
            words.append(body)
            body = ""
        body += piece
    words.append(body)
    return [f"=?utf-8?q?{body}?=" for body in words]


def encoded_subject(text: str, limit: int = 250) -> str:
    """A subject with its non-ASCII words as RFC 2047 encoded words (UTF-8, Q), the ASCII
    words as they are, within `limit` characters (Apprise cuts a title beyond its
    `title_maxlen`, 250 for e-mail, which would cut an encoded word in half: here whole words
    are left off instead). Apprise hands a non-ASCII subject to `email.header.Header`, whose
    encoder tries every prefix of the subject to find where to fold (quadratic: about 1 ms
    per mail for a German subject of 140 characters, the largest single cost of a mail);
    given ASCII it only folds at the spaces. Mail readers show the same subject."""
    if text.isascii():
        return text
    out: list[str] = []
    run: list[str] = []  # adjacent non-ASCII words: encoded together, their spaces inside

    def flush() -> None:
        if run:
            out.extend(_q_words(" ".join(run)))
            run.clear()

    for word in text.split(" "):
        if word.isascii() and "=?" not in word:
            flush()
            out.append(word)
        else:
            run.append(word)
    flush()
    subject = ""
    for word in out:
        candidate = f"{subject} {word}" if subject else word
        if len(candidate) > limit:
            break
        subject = candidate
    return subject
