"""Sending one message to one recipient through Apprise: the one place that sends.

Apprise logs failures instead of raising them; the log records of the attempt are caught
here, so the reason of a failure can be stored (scrubbed of secrets) and nothing leaks to the
process log with a password in it. The mail server's reply (`554 5.7.1 …`) is only in
Apprise's debug record of the SMTP exception, so those are caught too: the code is kept in
`last_error`, and a 5xx reply is permanent (sending again will not change it).
"""

from __future__ import annotations

import logging
import mimetypes
import re
import threading
from dataclasses import dataclass

from notifications.messages import Message
from notifications.routes import Recipient, Routes

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


_local = threading.local()


class _Capture(logging.Filter):
    """On the Apprise logger: while this thread sends, its records go to the thread's list
    and nowhere else; other records pass as the root logger's level would let them (the
    logger itself is set to DEBUG so that the SMTP exception record is made at all). A
    filter, not a handler swapped per send: dispatcher threads send at the same time."""

    def filter(self, record: logging.LogRecord) -> bool:
        caught: list[logging.LogRecord] | None = getattr(_local, "records", None)
        if caught is None:
            return record.levelno >= logging.getLogger().getEffectiveLevel()
        caught.append(record)
        return False


_LOGGER = logging.getLogger("apprise")
if not any(isinstance(f, _Capture) for f in _LOGGER.filters):
    _LOGGER.addFilter(_Capture())
    _LOGGER.setLevel(logging.DEBUG)

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


def deliver(recipient: Recipient, message: Message, routes: Routes) -> Outcome:
    """Send; never raises for a delivery problem (refused, timeout, 4xx, 5xx)."""
    import apprise
    from apprise.attachment.memory import AttachMemory

    caught: list[logging.LogRecord] = []
    _local.records = caught
    try:
        attachment = AttachMemory(
            content=message.ics, name=message.ics_name, mimetype="text/calendar"
        )
        # E-mail takes HTML (Apprise adds the plain-text alternative itself); services that
        # speak plain text or markdown get our own text rendering.
        formats = getattr(recipient.server, "notify_format", None)
        if not isinstance(formats, tuple | list | set | frozenset):
            formats = (formats,)  # Apprise 1.x names one format, 2.x may list several
        html = apprise.NotifyFormat.HTML in formats
        ok = recipient.server.notify(
            body=message.html if html else message.text,
            title=message.subject,
            body_format=apprise.NotifyFormat.HTML if html else apprise.NotifyFormat.TEXT,
            attach=apprise.AppriseAttachment(attachment),  # type: ignore[arg-type]
        )
    except Exception as exc:  # a plugin bug must not take the dispatcher down
        ok = False
        caught.append(
            logging.makeLogRecord({"msg": f"{type(exc).__name__}: {exc}", "levelno": logging.ERROR})
        )
    finally:
        _local.records = None
    if ok:
        return Outcome(True)
    replies = smtp_replies(caught)
    warnings = [r.getMessage() for r in caught if r.levelno >= logging.WARNING]
    reason = "; ".join(dict.fromkeys(replies + warnings)) or "Apprise meldet einen Fehler"
    permanent = bool(replies) and all(reply.startswith("SMTP 5") for reply in replies)
    return Outcome(False, routes.scrub(f"{recipient.label}: {reason}")[:900], permanent)
