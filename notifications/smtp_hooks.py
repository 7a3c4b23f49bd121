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

`encoded_subject` spares Apprise a quadratic header encoder (see there).

If Apprise's module no longer looks like this, nothing is replaced (`install()` says so)
and notifications/send.py falls back to the debug records.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from typing import Any

local = threading.local()
"""`records`: the log records of the send in progress on this thread (None: not sending)."""


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
    return True


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
