"""Sending one message to one recipient through Apprise: the one place that sends.

Apprise logs failures instead of raising them; the log records of the attempt are caught
here, so the reason of a failure can be stored (scrubbed of secrets) and nothing leaks to the
process log with a password in it.
"""

from __future__ import annotations

import logging
import mimetypes
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
    #: retrying cannot help (set by the failure analysis; see dispatch)
    permanent: bool = False


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def deliver(recipient: Recipient, message: Message, routes: Routes) -> Outcome:
    """Send; never raises for a delivery problem (refused, timeout, 4xx, 5xx)."""
    import apprise
    from apprise.attachment.memory import AttachMemory

    logger = logging.getLogger("apprise")
    capture = _Capture()
    previous = logger.propagate
    logger.addHandler(capture)
    logger.propagate = False  # Apprise's own records may name addresses; keep them here
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
        capture.messages.append(f"{type(exc).__name__}: {exc}")
    finally:
        logger.removeHandler(capture)
        logger.propagate = previous
    if ok:
        return Outcome(True)
    reason = "; ".join(dict.fromkeys(capture.messages)) or "Apprise meldet einen Fehler"
    return Outcome(False, routes.scrub(f"{recipient.label}: {reason}")[:900])
