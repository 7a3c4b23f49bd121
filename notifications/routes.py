"""Who gets which reminder: Apprise's own configuration format (YAML or TEXT) with tags.

Tags name roles (fachamt, sitzungsdienst, fraktion, gremium, leitung for escalations,
vertraulich for recipients cleared for non-public papers, betrieb for the operators told of
reminders that failed for good). A URL that also carries `gremium-<committee>` tags gets only
those committees' reminders, and one that carries `koerperschaft-<slug>` tags only those
bodies' (a Kreis's IT service routing many towns). `${NAME}` in the file is taken from the
environment, so the routing file can be versioned while the SMTP password lives in the
environment. Passwords never leave this module unmasked: every text that may reach a log, the
database or the screen goes through `Routes.scrub`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.domain.bodies import SLUG_PREFIX as BODY_TAG_PREFIX
from models.domain.errors import RatsfristError
from models.domain.reminders import (
    CLEARED_TAG,
    COMMITTEE_TAG_PREFIX,
    ESCALATION_TAG,
    OPERATIONS_TAG,
    committee_slug,
)

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_CREDENTIALS = re.compile(r"(://[^:/@\s]+:)([^@\s]+)(@)")


class RouteError(RatsfristError):
    pass


ALWAYS_TAG = "always"
"""Apprise's own convention: a URL tagged `always` is notified whatever the tag asked for."""
MODIFIER_TAGS = frozenset({ESCALATION_TAG, CLEARED_TAG, ALWAYS_TAG, OPERATIONS_TAG})
"""Tags that are not roles of a rules profile but mean something to ratsfrist."""


def mask(text: str) -> str:
    """user:password@ → user:****@ in any URL inside text."""
    return _CREDENTIALS.sub(r"\1****\3", text)


@dataclass(frozen=True)
class Recipient:
    key: str
    """Stable identity, from the masked URL: what `delivered_to` records."""
    label: str
    """The masked URL: safe to show."""
    tags: frozenset[str]
    server: Any = field(compare=False, repr=False)

    @property
    def cleared(self) -> bool:
        return CLEARED_TAG in self.tags


@dataclass
class Routes:
    source: str
    recipients: list[Recipient]
    secrets: frozenset[str] = frozenset()
    body_slugs: dict[int, str] = field(default_factory=dict)
    """Body id → slug (models.services.bodies.body_slugs), set by whoever loads the routes
    for a dispatch: what `koerperschaft-<slug>` tags are matched against."""

    def for_tag(
        self, tag: str, committee: str | None = None, body_id: int | None = None
    ) -> list[Recipient]:
        """Recipients with the role tag; those narrowed to committees (`gremium-…`) or to
        bodies (`koerperschaft-…`) only for theirs."""
        wanted = COMMITTEE_TAG_PREFIX + committee_slug(committee) if committee else None
        slug = self.body_slugs.get(body_id) if body_id is not None else None
        body = BODY_TAG_PREFIX + slug if slug else None
        chosen = []
        for recipient in self.recipients:
            if tag not in recipient.tags and ALWAYS_TAG not in recipient.tags:
                continue
            narrowed = {t for t in recipient.tags if t.startswith(COMMITTEE_TAG_PREFIX)}
            if narrowed and wanted not in narrowed:
                continue
            bodies = {t for t in recipient.tags if t.startswith(BODY_TAG_PREFIX)}
            if bodies and body not in bodies:
                continue
            chosen.append(recipient)
        return chosen

    def scrub(self, text: str) -> str:
        text = mask(text)
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, "****")
        return text


class _ScrubSecrets(logging.Filter):
    """Masks credentials in every record Apprise logs. Apprise masks passwords in most of its
    messages, but at DEBUG it logs a configuration file's raw text; this filter is the one
    place that makes sure no record of it carries a secret, whatever handler reads it."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        text = mask(record.getMessage())
        for secret in self.secrets:
            text = text.replace(secret, "****")
        record.msg, record.args = text, ()
        return True


_SCRUB = _ScrubSecrets()


def _guard_apprise_logs(secrets: set[str]) -> None:
    logger = logging.getLogger("apprise")
    _SCRUB.secrets |= secrets
    if _SCRUB not in logger.filters:
        logger.addFilter(_SCRUB)


def _expand(text: str, source: str) -> str:
    """`${NAME}` from the environment, except in comment lines (`#`, `;`): a comment that
    explains `${NAME}` made the shipped example unloadable."""

    def line_of(number: int, line: str) -> str:
        if line.lstrip().startswith(("#", ";")):
            return line

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in os.environ:
                raise RouteError(f"{source}:{number}: Umgebungsvariable {name} ist nicht gesetzt")
            return os.environ[name]

        return _ENV.sub(value, line)

    return "".join(
        line_of(n, line) for n, line in enumerate(text.splitlines(keepends=True), start=1)
    )


def _url_lines(text: str, source: str, is_yaml: bool) -> list[tuple[int, str]]:
    """(line, url) of every URL entry, for error messages that name the line."""
    if not is_yaml:
        found = []
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if not stripped or stripped.startswith(("#", ";")) or _TEXT_INCLUDE.match(line):
                continue
            url = (
                stripped.split("=", 1)[1].strip()
                if re.match(r"^[\w\s,-]+=", stripped)
                else stripped
            )
            found.append((number, url))
        return found
    import yaml

    try:
        root = yaml.compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = mark.line + 1 if mark else 1
        raise RouteError(f"{source}:{at}: YAML-Fehler: {exc.problem}") from None
    if not isinstance(root, yaml.MappingNode):
        raise RouteError(f"{source}:1: erwartet eine Apprise-YAML-Konfiguration (version, urls)")
    keys = {getattr(k, "value", None): v for k, v in root.value}
    urls = keys.get("urls")
    if urls is None and "include" in keys:
        return []  # only includes: their files have the URLs
    if not isinstance(urls, yaml.SequenceNode):
        raise RouteError(f"{source}:1: Schlüssel 'urls' (Liste) fehlt")
    found = []
    for item in urls.value:
        node = item.value[0][0] if isinstance(item, yaml.MappingNode) and item.value else item
        found.append((node.start_mark.line + 1, str(getattr(node, "value", ""))))
    return found


def _check_port(url: str, source: str, line: int) -> None:
    from urllib.parse import urlsplit

    try:
        port = urlsplit(url).port
    except ValueError:
        port = -1
    if port is not None and not 1 <= port <= 65535:
        raise RouteError(f"{source}:{line}: Port außerhalb 1–65535 in {mask(url)!r}")


def _check_tags(text: str, source: str, tags: set[str], roles: frozenset[str]) -> None:
    """Every tag is a role of the rules profile, a committee (`gremium-…`), a body
    (`koerperschaft-…`) or a modifier; a misspelt role would otherwise burn every reminder of
    that role on "no recipient"."""
    for tag in sorted(tags):
        if tag in roles or tag in MODIFIER_TAGS or tag.startswith(COMMITTEE_TAG_PREFIX):
            continue
        if tag.startswith(BODY_TAG_PREFIX):
            continue
        found = re.search(rf"(?<![\w-]){re.escape(tag)}(?![\w-])", text)
        line = text[: found.start()].count("\n") + 1 if found else 1
        known = (
            ", ".join(sorted(roles | MODIFIER_TAGS))
            + f", {COMMITTEE_TAG_PREFIX}…, {BODY_TAG_PREFIX}…"
        )
        raise RouteError(f"{source}:{line}: unbekannter Tag {tag!r} (bekannt: {known})")


INCLUDE_DEPTH = 3
"""How many levels of `include` are followed (Apprise follows none unless told how many;
its command line follows one). Deeper nesting is an error, not silently ignored."""

_TEXT_INCLUDE = re.compile(r"^\s*include\s+(?P<config>.+?)\s*$")


def _read(file: Path, source: str) -> str:
    if not file.is_file():
        raise RouteError(f"{source}: Apprise-Konfiguration nicht gefunden")
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = file.read_bytes()[: exc.start].count(b"\n") + 1
        raise RouteError(f"{source}:{line}: keine UTF-8-Textdatei") from None
    except OSError as exc:
        raise RouteError(f"{source}: nicht lesbar ({exc.strerror})") from None


def _includes(text: str, source: str, is_yaml: bool) -> list[tuple[int, str]]:
    """(line, target) of every `include` of a file, as Apprise reads them: in TEXT a line
    `include <ziel>`, in YAML the root key `include` (one string, or a list of them); several
    targets may stand in one entry, separated by commas or spaces."""
    found: list[tuple[int, str]] = []
    if not is_yaml:
        for number, line in enumerate(text.splitlines(), start=1):
            match = _TEXT_INCLUDE.match(line)
            if match:
                found += [(number, t) for t in re.split(r"[\s,]+", match["config"]) if t]
        return found
    import yaml

    root = yaml.compose(text)  # its errors were reported by _url_lines already
    if not isinstance(root, yaml.MappingNode):
        return found
    node = next((v for k, v in root.value if getattr(k, "value", None) == "include"), None)
    entries = node.value if isinstance(node, yaml.SequenceNode) else [node] if node else []
    for entry in entries:
        if isinstance(entry, yaml.MappingNode):  # `- ziel: {…}`: Apprise takes the key
            entry = entry.value[0][0] if entry.value else entry
        value = str(getattr(entry, "value", ""))
        line = entry.start_mark.line + 1
        found += [(line, t) for t in re.split(r"[\s,]+", value) if t]
    return found


def _included_file(target: str, parent: Path, source: str, line: int) -> Path:
    """Where an include points: a path (relative to the including file's folder, as Apprise
    resolves it) or a file:// URL. Remote configuration (http://…) is refused: ratsfrist
    checks every URL, port and tag of the routing before it sends anything."""
    from urllib.parse import unquote, urlsplit

    scheme = re.match(r"^([a-z][a-z0-9+.-]*)://", target, re.IGNORECASE)
    if scheme and scheme.group(1).lower() != "file":
        raise RouteError(
            f"{source}:{line}: include {mask(target)!r}: nur lokale Dateien (Pfad oder file://)"
        )
    path = Path(unquote(urlsplit(target).path) if scheme else target).expanduser()
    return path if path.is_absolute() else parent / path


def _load_file(
    file: Path,
    source: str,
    chain: tuple[Path, ...],
    config: Any,
    texts: list[tuple[str, str]],
) -> None:
    """Check one file and hand it to Apprise, then the files it includes (depth first)."""
    import apprise

    raw = _read(file, source)
    text = _expand(raw, source)
    # Secrets we can see before Apprise parses anything: passwords in URLs and the values
    # taken from the environment.
    _guard_apprise_logs(
        {m.group(2) for m in _CREDENTIALS.finditer(text)}
        | {os.environ[n] for n in _ENV.findall(raw) if n in os.environ}
    )
    is_yaml = file.suffix.lower() in (".yml", ".yaml") or bool(
        re.search(r"^\s*(version|urls|include)\s*:", text, re.MULTILINE)
    )
    for line, url in _url_lines(text, source, is_yaml):
        _check_port(url, source, line)
        if apprise.Apprise.instantiate(url) is None:
            raise RouteError(
                f"{source}:{line}: ungültige oder unbekannte Apprise-URL {mask(url)!r}"
            )
    if not config.add_config(text, format="yaml" if is_yaml else "text"):
        raise RouteError(f"{source}:1: Apprise kann die Konfiguration nicht lesen")
    texts.append((source, text))
    for line, target in _includes(text, source, is_yaml):
        included = _included_file(target, file.parent, source, line)
        if len(chain) >= INCLUDE_DEPTH:
            raise RouteError(
                f"{source}:{line}: include {target!r} zu tief verschachtelt "
                f"(höchstens {INCLUDE_DEPTH} Ebenen)"
            )
        if included.resolve() in {f.resolve() for f in (*chain, file)}:
            raise RouteError(f"{source}:{line}: include {target!r} schließt sich selbst ein")
        _load_file(included, str(included), (*chain, file), config, texts)


def load_routes(path: str | Path, roles: frozenset[str] | None = None) -> Routes:
    """Read and check an Apprise config and the files it includes; errors name the file and
    the line, never a password. With `roles` (the responsible roles of the active rules
    profile) every tag is checked."""
    import apprise

    source = str(path)
    config = apprise.AppriseConfig()  # recursion 0: the includes are followed above, checked
    texts: list[tuple[str, str]] = []
    _load_file(Path(path), source, (), config, texts)
    bundle = apprise.Apprise()
    bundle.add(config)
    recipients: list[Recipient] = []
    secrets: set[str] = set()
    for server in bundle.find(tag=apprise.common.MATCH_ALL_TAG):
        if getattr(server, "protocol", None) in ("mailto",) or getattr(
            server, "secure_protocol", None
        ) in ("mailtos",):
            # Apprise waits 5.5 s between two sends of one plugin (a guard for rate-limited
            # APIs, apprise#1123); a mail server limits its own rate, and 40 reminders to one
            # office must not take four minutes.
            server.request_rate_per_sec = 0
        label = server.url(privacy=True)
        for attribute in ("password", "secret", "token", "apikey"):
            value = getattr(server, attribute, None)
            if isinstance(value, str) and len(value) >= 3:
                secrets.add(value)
        recipients.append(
            Recipient(
                key=hashlib.sha256(label.encode()).hexdigest()[:16],
                label=label,
                tags=frozenset(str(t) for t in server.tags),
                server=server,
            )
        )
    _guard_apprise_logs(secrets)
    if roles is not None:
        tags = {t for r in recipients for t in r.tags}
        for file_source, text in texts:  # the line of an unknown tag in the file that has it
            _check_tags(text, file_source, tags & _tags_named(text), roles)
        _check_tags("", source, tags, roles)
    if not recipients:
        raise RouteError(f"{source}:1: keine Empfänger (urls) in der Konfiguration")
    return Routes(source=source, recipients=recipients, secrets=frozenset(secrets))


def _tags_named(text: str) -> set[str]:
    """Words of a file that may be tags (to tell which file names an unknown tag)."""
    return set(re.findall(r"[\w-]+", text))
