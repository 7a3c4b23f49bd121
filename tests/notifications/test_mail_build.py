"""Apprise builds each mail from `MIMEMultipart`; notifications/smtp_hooks.py gives it one
that draws its boundary when made and folds plain headers the short way (the stdlib searched
the whole text with a new regular expression per part, and sent every header through
`email.header.Header`). The mails must read the same: byte for byte, but for the boundaries'
spelling, the Date and the Message-ID."""

from __future__ import annotations

import random
import re
import string
from datetime import datetime
from email.errors import HeaderParseError
from email.mime.multipart import MIMEMultipart
from email.policy import compat32
from typing import Any

import apprise
import pytest
from apprise.attachment.memory import AttachMemory
from apprise.plugins.email import NotifyEmail
from apprise.plugins.email import base as email_base

from models.domain.timeutil import BERLIN
from notifications import smtp_hooks
from notifications.messages import FailureNotice, Item, Message, render, render_notices
from tests.notifications.support import report_item

DUE = datetime(2021, 6, 10, 23, 59, tzinfo=BERLIN)
NOW = datetime(2021, 6, 7, 7, 30, tzinfo=BERLIN)


def _item(n: int, title: str) -> Item:
    return report_item(n, title, DUE, committee="Ausschuss für Soziales, Jugend und Familie")


MESSAGES = [
    render(
        [_item(1, "Spielplatz Nord; Sanierung, 2. Bauabschnitt – Überblick")], cleared=True, now=NOW
    ),
    render([_item(n, f"Vorlage {n} " + "lang " * 30) for n in range(1, 6)], cleared=True, now=NOW),
    render_notices(
        [
            FailureNotice(
                3,
                "A 21/0500-01",
                "Bericht",
                "vorher-3",
                "fachamt",
                3,
                "mailto://x",
                "SMTP 554 5.7.1 nein",
            )
        ]
    ),
]


def _built(message: Message) -> str:
    server = apprise.Apprise.instantiate(
        "mailto://127.0.0.1:2525?from=frist@example.org&to=fachamt@example.org"
    )
    attach = None
    if message.ics:
        attach = apprise.AppriseAttachment(
            AttachMemory(content=message.ics, name=message.ics_name, mimetype="text/calendar")  # type: ignore[arg-type]
        )
    (built,) = NotifyEmail.prepare_emails(
        subject=smtp_hooks.encoded_subject(message.subject),
        body=message.html,
        notify_format=apprise.NotifyFormat.HTML,
        from_addr=server.from_addr,
        to=server.targets,
        attach=attach,
        headers={"X-Application": "Apprise"},
    )
    return str(built.body)


def _normalised(text: str) -> str:
    boundaries = re.findall(r'boundary="([^"]+)"', text)
    for n, boundary in enumerate(boundaries):
        text = text.replace(boundary, f"BOUNDARY{n}")
    text = re.sub(r"(?m)^Date: .*$", "Date: -", text)
    return re.sub(r"(?m)^Message-ID: .*$", "Message-ID: -", text)


@pytest.mark.parametrize("message", MESSAGES, ids=["reminder", "digest", "notice"])
def test_a_mail_reads_as_the_stdlib_would_build_it(
    message: Message, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert smtp_hooks.install()
    assert email_base.MIMEMultipart is smtp_hooks._Multipart  # type: ignore[attr-defined]
    hooked = _built(message)
    monkeypatch.setattr(email_base, "MIMEMultipart", MIMEMultipart)
    plain = _built(message)
    assert _normalised(hooked) == _normalised(plain)
    # the boundaries are the hook's: 128 random bits after '=_'
    boundaries = re.findall(r'boundary="([^"]+)"', hooked)
    assert boundaries and all(re.fullmatch(r"=_[A-Z2-7]{26}", b) for b in boundaries)


def _folded(policy: Any, name: str, value: str) -> str:
    try:
        return str(policy.fold(name, value))
    except HeaderParseError as exc:  # a value with an embedded header: refused either way
        return f"refused: {exc}"


def test_the_short_way_folds_every_header_as_compat32_does() -> None:
    rng = random.Random(17)
    alphabet = string.ascii_letters + string.digits + ' \t;,="<>@.-_/:()\x0b\x0c\x1c\r\näé'
    values = ["", " ", " a", "a ", "a  b", "x" * 80, "a b " * 30, "a\x0bb", "a\x1cb", "ü"]
    values += [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120))) for _ in range(800)
    ]
    short = 0
    for limit in (0, 78):
        ours = smtp_hooks._POLICY.clone(max_line_length=limit)
        stdlib = compat32.clone(max_line_length=limit)
        for name in ("X", "Content-Type", "Content-Transfer-Encoding"):
            for value in values:
                assert _folded(ours, name, value) == _folded(stdlib, name, value), (limit, value)
                short += value.isascii() and value.isprintable()
    assert short > 100  # the short way was taken, not only the stdlib's


def _plain_part(built: str) -> str:
    import email

    parsed = email.message_from_string(built)
    (part,) = [p for p in parsed.walk() if p.get_content_type() == "text/plain"]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


@pytest.mark.parametrize("message", MESSAGES, ids=["reminder", "digest", "notice"])
def test_the_plain_part_is_our_own_text_not_a_conversion_of_the_html(message: Message) -> None:
    assert smtp_hooks.install()
    assert email_base.convert_between is smtp_hooks._convert  # type: ignore[attr-defined]
    with smtp_hooks.own_text(message.html, message.text):
        ours = _plain_part(_built(message))
    assert ours == message.text
    # outside, or for another HTML body, Apprise converts the HTML as before
    converted = _plain_part(_built(message))
    assert converted != message.text and message.text.strip().splitlines()[-1] in converted
    with smtp_hooks.own_text("<p>ein anderer Text</p>", message.text):
        assert _plain_part(_built(message)) == converted
