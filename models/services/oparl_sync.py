"""Syncing from an OParl endpoint and importing OParl files, without Prefect.

The CLI and the Prefect flow both call `sync_endpoint`. Lists are read in the order their
links need (organizations, meetings, papers); each page is stored in one transaction together
with the list's cursor, so an interrupted sync resumes at the page it stopped on, and upserts
by OParl id make a repeated page harmless.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import select

from models.domain.oparl import BodyIn, OParlError, OParlObject, Page, SystemIn, parse_page, redact
from models.domain.rules import RuleSet
from models.domain.timeutil import to_utc
from models.services.oparl_client import OParlClient
from models.services.oparl_report import SyncReport
from models.services.oparl_store import OParlStore
from models.store.db import session_scope
from models.store.tables import Body, OParlCursor

#: The next run asks for changes since the last run's start minus this, so that a clock a
#: little apart from the server's loses nothing (what comes twice is upserted twice).
CLOCK_MARGIN = timedelta(minutes=10)
LISTS = ("organization_list", "meeting_list", "paper_list")
LIST_NAMES = {"organization_list": "Gremien", "meeting_list": "Sitzungen", "paper_list": "Vorlagen"}

Progress = Callable[[str, int, int | None], None]
"""(list name, objects so far, total if the server says) after each page."""


def find_body(client: OParlClient, url: str, wanted: str | None) -> BodyIn:
    """The Body at `url`, or among the bodies of the System at `url` (by name, short name or
    id when there are several)."""
    shown = redact(url)
    page = parse_page(client.get(url), shown)
    first = page.objects[0] if page.objects else None
    if isinstance(first, BodyIn):
        return first
    if not isinstance(first, SystemIn) or not first.body_list:
        raise OParlError(f"{shown}: weder OParl-System noch -Body")
    bodies: list[BodyIn] = []
    next_url: str | None = first.body_list
    while next_url:
        listing = parse_page(client.get(next_url), next_url)
        bodies += [o for o in listing.objects if isinstance(o, BodyIn) and not o.deleted]
        next_url = listing.next_url
    if not bodies:
        raise OParlError(f"{first.body_list}: das System nennt keine Kommune (Body)")
    if wanted:
        match = [b for b in bodies if wanted in (b.name, b.short_name, b.id)]
        if not match:
            known = ", ".join(b.name or b.id for b in bodies)
            raise OParlError(f"--body {wanted!r}: nicht im System (vorhanden: {known})")
        return match[0]
    if len(bodies) > 1:
        known = ", ".join(b.name or b.id for b in bodies)
        raise OParlError(f"{shown}: mehrere Kommunen ({known}); --body angeben")
    return bodies[0]


def sync_endpoint(
    engine: Engine,
    url: str,
    *,
    now: datetime,
    rules: RuleSet,
    client: OParlClient,
    since: datetime | None = None,
    body_name: str | None = None,
    fallback_name: str = "Kommune",
    actor: str = "oparl-sync",
    progress: Progress | None = None,
) -> SyncReport:
    """One sync of a body's organizations, meetings and papers; resumes an interrupted one."""
    now = to_utc(now)
    body_in = find_body(client, url, body_name)
    with session_scope(engine) as session:
        body = OParlStore.body_for(session, body_in, fallback_name)
    report = SyncReport()
    for name in LISTS:
        list_url = getattr(body_in, name)
        if not list_url:
            report.warnings.append(f"{body_in.id}: keine Liste {LIST_NAMES[name]}")
            continue
        report.merge(
            _sync_list(
                engine,
                client,
                body,
                list_url,
                now=now,
                since=since,
                rules=rules,
                actor=actor,
                progress=_labelled(progress, LIST_NAMES[name]) if progress else None,
            )
        )
    return report


def _labelled(progress: Progress, label: str) -> Callable[[int, int | None], None]:
    """The caller's progress callback for one list, with the list's German name."""
    return lambda done, total: progress(label, done, total)


def _sync_list(
    engine: Engine,
    client: OParlClient,
    body: Body,
    list_url: str,
    *,
    now: datetime,
    since: datetime | None,
    rules: RuleSet,
    actor: str,
    progress: Callable[[int, int | None], None] | None,
) -> SyncReport:
    with session_scope(engine) as session:
        cursor = session.exec(select(OParlCursor).where(OParlCursor.list_url == list_url)).first()
        if cursor is None:
            cursor = OParlCursor(list_url=list_url, updated_at=now)
        if cursor.next_url is None or since is not None:
            # A new run: everything changed since the last complete one (or since `since`).
            run_since = since or (
                cursor.synced_until - CLOCK_MARGIN if cursor.synced_until else None
            )
            cursor.run_since, cursor.run_started_at = run_since, now
            cursor.next_url = _with_since(list_url, run_since)
            cursor.objects = 0
        cursor.updated_at = now
        session.add(cursor)
        next_url: str | None = cursor.next_url
        done = cursor.objects
    report = SyncReport()
    while next_url:
        document = client.get(next_url)
        page = parse_page(document, next_url)
        with session_scope(engine) as session:
            store = OParlStore(session, body, now=now, actor=actor, rules=rules)
            for obj in page.objects:
                store.apply(obj)
            cursor = session.exec(select(OParlCursor).where(OParlCursor.list_url == list_url)).one()
            cursor.next_url = page.next_url
            cursor.objects += len(page.objects)
            cursor.updated_at = now
            if page.next_url is None:
                cursor.synced_until = cursor.run_started_at
                cursor.run_since = None
            session.add(cursor)
        report.merge(store.report)
        done += len(page.objects)
        next_url = page.next_url
        if progress:
            progress(done, _total(document))
    return report


def _with_since(list_url: str, since: datetime | None) -> str:
    if since is None:
        return list_url
    stamp = to_utc(since).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return str(httpx.URL(list_url).copy_merge_params({"modified_since": stamp}))


def _total(document: Any) -> int | None:
    if isinstance(document, dict):
        pagination = document.get("pagination")
        if isinstance(pagination, dict) and isinstance(pagination.get("totalElements"), int):
            return pagination["totalElements"]
    return None


# --- files -------------------------------------------------------------------------------------

_ORDER = {"BodyIn": 0, "OrganizationIn": 1, "MeetingIn": 2, "PaperIn": 3}


def read_files(paths: Iterable[Path]) -> list[OParlObject]:
    """Every OParl object in the files (one object, a list page or an array per file), in the
    order their links need; a file that is not OParl is an error naming it."""
    objects: list[OParlObject] = []
    files: list[Path] = []
    for path in paths:
        files += sorted(path.glob("*.json")) if path.is_dir() else [path]
    for file in files:
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise OParlError(f"{file}: Datei nicht gefunden") from None
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            line = getattr(error, "lineno", None)
            where = f"{file}:{line}" if line else str(file)
            raise OParlError(f"{where}: kein gültiges JSON ({error.__class__.__name__})") from None
        page: Page = parse_page(document, str(file))
        objects += page.objects
    return sorted(objects, key=lambda o: _ORDER.get(type(o).__name__, 9))


def import_files(
    engine: Engine,
    paths: Iterable[Path],
    *,
    now: datetime,
    rules: RuleSet,
    fallback_name: str,
    actor: str = "oparl-import",
) -> SyncReport:
    """All files in one transaction: a bad file changes nothing."""
    objects = read_files(paths)
    body_in = next((o for o in objects if isinstance(o, BodyIn)), None)
    with session_scope(engine) as session:
        body = OParlStore.body_for(session, body_in, fallback_name)
        store = OParlStore(session, body, now=now, actor=actor, rules=rules)
        for obj in objects:
            store.apply(obj)
    return store.report
