"""Sending one message to one recipient through Apprise: the one place that sends.

Apprise logs failures instead of raising them; the log records of the attempt are caught
here, so the reason of a failure can be stored (scrubbed of secrets) and nothing leaks to the
process log with a password in it. The mail server's reply (`554 5.7.1 …`) Apprise logs only
at DEBUG; notifications/smtp_hooks.py takes it from smtplib's exception for the sending
thread instead: the code is kept in `last_error`, and a 5xx reply is permanent (sending
again will not change it).
"""

from __future__ import annotations

import logging
import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass

from notifications.messages import Message
from notifications.routes import Recipient, Routes
from notifications.smtp_hooks import (
    HELD_BACK,
    encoded_subject,
    gated,
    install,
    local,
    own_text,
    passes_gate,
)

# Apprise checks an attachment's type against mimetypes.types_map, which the standard library
# fills on first use; two dispatcher threads filling it at once saw it half-built and refused
# 'text/calendar'. Filled here, under the import lock, before any thread sends.
mimetypes.init()


@dataclass(frozen=True)
class Outcome:
    ok: bool
    error: str | None = None
    #: the server answered 5xx: retrying sends the same mail into the same refusal
    permanent: bool = False


class _Capture(logging.Filter):
    """On the Apprise logger: while this thread sends, its records go to the thread's list
    and nowhere else; other records pass as the root logger's level would let them. A
    filter, not a handler swapped per send: dispatcher threads send at the same time."""

    def filter(self, record: logging.LogRecord) -> bool:
        caught: list[logging.LogRecord] | None = getattr(local, "records", None)
        if caught is None:
            return record.levelno >= logging.getLogger().getEffectiveLevel()
        caught.append(record)
        return False


_LOGGER = logging.getLogger("apprise")
if not any(isinstance(f, _Capture) for f in _LOGGER.filters):
    _LOGGER.addFilter(_Capture())
    # With the hooks in place the server's replies come from smtplib's exceptions directly;
    # without them (another Apprise) only Apprise's debug record of the exception has them,
    # and the logger must make debug records (a dozen per mail) for that.
    _LOGGER.setLevel(logging.WARNING if install() else logging.DEBUG)

#: smtplib's exceptions print as `(554, b'5.7.1 text')` (a refused recipient inside a dict)
_REPLY = re.compile(r"\((\d{3}), b?['\"]([^'\"]*)['\"]")


def smtp_replies(records: list[logging.LogRecord]) -> list[str]:
    """The SMTP replies named in Apprise's records, as `SMTP 554 5.7.1 text`."""
    found = [
        f"SMTP {code} {text}".strip()
        for record in records
        if record.levelno < logging.WARNING
        for code, text in _REPLY.findall(record.getMessage())
    ]
    return list(dict.fromkeys(found))


def deliver(
    recipient: Recipient,
    message: Message,
    routes: Routes,
    gate: Callable[[], bool] | None = None,
) -> Outcome:
    """Send; never raises for a delivery problem (refused, timeout, 4xx, 5xx).

    `gate` is asked right before the mail goes to the server (it may wait) and holds it
    back by saying False: the dispatcher's "every delivery before is committed"
    (notifications/batch.py). For e-mail through Apprise's controller it is asked there,
    after the mail was built (smtp_hooks.gated); for any other service before `notify`."""
    import apprise
    from apprise.attachment.memory import AttachMemory
    from apprise.plugins.email import NotifyEmail

    if gate is not None and not passes_gate(recipient.server):
        if not gate():
            return Outcome(False, f"{recipient.label}: {HELD_BACK}")
        gate = None
    caught: list[logging.LogRecord] = []
    local.records = caught
    try:
        attach = None
        if message.ics:  # an operations notice has no calendar
            attach = apprise.AppriseAttachment(
                AttachMemory(  # type: ignore[arg-type]
                    content=message.ics, name=message.ics_name, mimetype="text/calendar"
                )
            )
        # E-mail takes HTML, with our own text as its plain-text alternative (smtp_hooks.
        # own_text); services that speak plain text or markdown get that text alone.
        formats = getattr(recipient.server, "notify_format", None)
        if not isinstance(formats, tuple | list | set | frozenset):
            formats = (formats,)  # Apprise 1.x names one format, 2.x may list several
        html = apprise.NotifyFormat.HTML in formats
        email = isinstance(recipient.server, NotifyEmail)  # and its subclasses
        with gated(gate), own_text(message.html, message.text):
            ok = recipient.server.notify(
                body=message.html if html else message.text,
                title=encoded_subject(message.subject, recipient.server.title_maxlen)
                if email
                else message.subject,
                body_format=apprise.NotifyFormat.HTML if html else apprise.NotifyFormat.TEXT,
                attach=attach,
            )
    except Exception as exc:  # a plugin bug must not take the dispatcher down
        ok = False
        caught.append(
            logging.makeLogRecord({"msg": f"{type(exc).__name__}: {exc}", "levelno": logging.ERROR})
        )
    finally:
        local.records = None
    if ok:
        return Outcome(True)
    replies = smtp_replies(caught)
    # what went wrong when there was no reply: refused, timed out, a certificate not trusted
    raised = [
        r.getMessage()
        for r in caught
        if getattr(r, "hook", False) and not _REPLY.search(r.getMessage())
    ]
    warnings = [r.getMessage() for r in caught if r.levelno >= logging.WARNING]
    reason = "; ".join(dict.fromkeys(replies + raised + warnings)) or "Apprise meldet einen Fehler"
    permanent = bool(replies) and all(reply.startswith("SMTP 5") for reply in replies)
    return Outcome(False, routes.scrub(f"{recipient.label}: {reason}")[:900], permanent)
