"""TLS for `mailtos` after notifications/smtp_hooks.py gave Apprise one SSL context per process
(issue 17): a server whose certificate the system does not trust is refused as before, a
`verify=no` URL still gets through, and neither builds a context per mail."""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from notifications import smtp_hooks
from notifications.messages import Message
from notifications.routes import load_routes
from notifications.send import deliver
from tests.smtp import _Handler, free_port


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@pytest.fixture
def tls_sink(tmp_path: Path) -> Iterator[tuple[int, _Handler]]:
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler, port = _Handler(), free_port()
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True
    )
    controller.start()
    yield port, handler
    controller.stop()


MESSAGE = Message(subject="Test", text="Test", html="<p>Test</p>", ics=b"", ics_name="")


def test_mailtos_verifies_the_certificate_as_before_and_verify_no_still_connects(
    tls_sink: tuple[int, _Handler], tmp_path: Path
) -> None:
    port, handler = tls_sink
    base = f"mailtos://127.0.0.1:{port}?from=frist@example.org&mode=starttls&cto=5&rto=5"
    config = tmp_path / "tls.yml"
    config.write_text(
        "version: 1\nurls:\n"
        f"  - {base}&to=geprueft@example.org:\n      - tag: fachamt\n"
        f"  - {base}&to=ungeprueft@example.org&verify=no:\n      - tag: sitzungsdienst\n",
        encoding="utf-8",
    )
    routes = load_routes(config)
    (checked,) = routes.for_tag("fachamt")
    (unchecked,) = routes.for_tag("sitzungsdienst")
    for _ in range(2):
        refused = deliver(checked, MESSAGE, routes)
        assert not refused.ok and "CERTIFICATE_VERIFY_FAILED" in (refused.error or "")
        assert deliver(unchecked, MESSAGE, routes).ok
    assert [m.to for m in handler.mails] == [["ungeprueft@example.org"]] * 2
    # one real context per setting for the whole process, verifying by default
    verified = smtp_hooks.shared_context(True, ssl.CERT_REQUIRED)
    assert verified.verify_mode == ssl.CERT_REQUIRED and verified.check_hostname
    assert smtp_hooks.shared_context(True, ssl.CERT_REQUIRED) is verified
    assert set(smtp_hooks._contexts) >= {(True, ssl.CERT_REQUIRED), (False, ssl.CERT_NONE)}


@pytest.mark.parametrize(
    "subject",
    [
        "Erinnerung: Stellungnahme der Verwaltung A 21/0500-01, fällig 10.06.2021 (Ende des "
        "Tages) – Kommunales Integrationsmanagement",
        "ÜBERFÄLLIG: 2 Fristen – Ausschuss für Umwelt, Planung und Verkehr",
        "Zustellung fehlgeschlagen: Erinnerung #12, Vorlage A 21/0500-01 (SMTP 550)",
        "äöü ß " * 30 + "Ende",
    ],
)
def test_a_pre_encoded_subject_reads_as_the_subject(subject: str) -> None:
    """What Apprise gets instead of a non-ASCII subject: ASCII, encoded words of at most 75
    characters, within Apprise's 250 for a title; a reader decodes the subject back (cut at
    a word when it would not fit, never inside an encoded word)."""
    from email.header import decode_header, make_header

    encoded = smtp_hooks.encoded_subject(subject)
    assert encoded.isascii() and len(encoded) <= 250
    assert all(len(word) <= 75 for word in encoded.split(" "))
    decoded = str(make_header(decode_header(encoded)))
    if len(subject) < 120:
        assert decoded == subject
    else:
        assert subject.startswith(decoded) and len(decoded) >= 30  # all umlauts: 6 each
