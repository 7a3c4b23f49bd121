"""Syncing from an OParl endpoint, without Prefect (files: models.services.oparl_files).

The CLI and the Prefect flow both call `sync_endpoint`. Lists are read in the order their
links need (organizations, meetings, papers); each page is stored in one transaction together
with the list's cursor, so an interrupted sync resumes at the page it stopped on, and upserts
by OParl id make a repeated page harmless. Every answer passes the vendor's adapter
(models.domain.oparl_vendors) before it is read.

One bad object never blocks a town: an object that cannot be read or stored is skipped with
its id and the reason (each object is applied in its own SAVEPOINT, so a database error undoes
that object only), and a page that still fails after the client's retries is skipped and
reported; the list then goes on with the next page, and the list's `synced_until` stays where
it was, so the next run reads what was missed again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.domain.bodies import Rules
from models.domain.oparl import (
    BodyIn,
    OParlError,
    Page,
    SystemIn,
    parse_page,
)
from models.domain.oparl_vendors import Vendor, detect
from models.domain.timeutil import to_utc
from models.services.oparl_bulk import apply_one, apply_page
from models.services.oparl_client import (
    OParlClient,
    OParlHTTPError,
    page_after,
    redact,
    with_since,
)
from models.services.oparl_report import SyncReport
from models.services.oparl_store import OParlStore
from models.services.replay_rows import Known
from models.store.bulk import table_of
from models.store.db import session_scope
from models.store.tables import Body, OParlCursor

#: The next run asks for changes since the last run's start minus this, so that a clock a
#: little apart from the server's loses nothing (what comes twice is upserted twice).
CLOCK_MARGIN = timedelta(minutes=10)
LISTS = ("organization_list", "meeting_list", "paper_list")
LIST_NAMES = {"organization_list": "Gremien", "meeting_list": "Sitzungen", "paper_list": "Vorlagen"}
LIST_TYPES = {"organization_list": "Organization", "meeting_list": "Meeting", "paper_list": "Paper"}
#: Pages in a row that may fail before a list is given up for this run.
MAX_FAILED_PAGES = 3

Progress = Callable[[str, int, int | None], None]
"""(list name, objects so far, total if the server says) after each page."""


def find_body(
    client: OParlClient, url: str, wanted: str | None, vendor: str | None = None
) -> tuple[BodyIn, Vendor]:
    """The Body at `url`, or among the bodies of the System at `url` (by name or id, else by
    short name, ignoring case, when there are several), and the adapter for the server
    (`vendor` overrides it). Which row it becomes: models.services.oparl_bodies."""
    shown = redact(url)
    document = client.get(url)
    adapter = detect(document if isinstance(document, dict) else None, url, vendor)
    page = parse_page(adapter.page(document, None), shown)
    first = page.objects[0] if page.objects else None
    if isinstance(first, BodyIn):
        return first, adapter
    if not isinstance(first, SystemIn) or not first.body_list:
        raise OParlError(f"{shown}: weder OParl-System noch -Body")
    bodies: list[BodyIn] = []
    next_url: str | None = first.body_list
    while next_url:
        # Krefeld's SD.NET answers its body list with the Body itself: read as a list of one.
        listing = parse_page(adapter.page(client.get(next_url), "Body"), redact(next_url))
        bodies += [o for o in listing.objects if isinstance(o, BodyIn) and not o.deleted]
        next_url = listing.next_url
    if not bodies:
        raise OParlError(f"{first.body_list}: das System nennt keine Kommune (Body)")
    if wanted:
        key = wanted.casefold()
        match = [b for b in bodies if key in {(b.name or "").casefold(), b.id.casefold()}]
        match = match or [b for b in bodies if (b.short_name or "").casefold() == key]
        if not match:
            known = ", ".join(b.name or b.id for b in bodies)
            raise OParlError(f"--body {wanted!r}: nicht im System (vorhanden: {known})")
        return match[0], adapter
    if len(bodies) > 1:
        known = ", ".join(b.name or b.id for b in bodies)
        raise OParlError(f"{shown}: mehrere Kommunen ({known}); --body angeben")
    return bodies[0], adapter


def sync_endpoint(
    engine: Engine,
    url: str,
    *,
    now: datetime,
    rules: Rules,
    client: OParlClient,
    since: datetime | None = None,
    body_name: str | None = None,
    fallback_name: str = "Kommune",
    actor: str = "oparl-sync",
    progress: Progress | None = None,
    vendor: str | None = None,
    history_before: datetime | None = None,
    bulk: bool = True,
) -> SyncReport:
    """One sync of a body's organizations, meetings and papers; resumes an interrupted one.
    `vendor` (setting `oparl_vendor`) names the adapter where the System does not say it.
    `bulk` False stores every object one by one (what the bulk path is held to in tests)."""
    now = to_utc(now)
    body_in, adapter = find_body(client, url, body_name, vendor)
    with session_scope(engine) as session:
        body = OParlStore.body_for(session, body_in, fallback_name)
    report = SyncReport(vendor=adapter.label)
    for name in LISTS:
        list_url = getattr(body_in, name)
        if not list_url:
            report.warnings.append(f"{body_in.id}: keine Liste {LIST_NAMES[name]}")
            continue
        report.merge(
            ListSync(
                engine,
                client,
                adapter,
                body,
                list_url,
                LIST_TYPES[name],
                now=now,
                rules=rules,
                actor=actor,
                history_before=history_before,
                bulk=bulk,
            ).run(since, _labelled(progress, LIST_NAMES[name]) if progress else None)
        )
    return report


def _labelled(progress: Progress, label: str) -> Callable[[int, int | None], None]:
    """The caller's progress callback for one list, with the list's German name."""
    return lambda done, total: progress(label, done, total)


class ListSync:
    """One list of one body, page by page, each page with the list's cursor."""

    def __init__(
        self,
        engine: Engine,
        client: OParlClient,
        vendor: Vendor,
        body: Body,
        list_url: str,
        list_type: str,
        *,
        now: datetime,
        rules: Rules,
        actor: str,
        history_before: datetime | None = None,
        bulk: bool = True,
    ) -> None:
        self.engine, self.client, self.vendor, self.body = engine, client, vendor, body
        self.bulk = bulk
        self.known = Known()
        """What the bulk path read on earlier pages (models.services.oparl_bulk)."""
        self.history_before = history_before
        self.list_url, self.list_type = list_url, list_type
        self.now, self.rules, self.actor = now, rules, actor
        self.report = SyncReport()
        self.not_a_list = False
        """The list URL answered something else than its list: no next page to try."""

    def run(
        self, since: datetime | None, progress: Callable[[int, int | None], None] | None
    ) -> SyncReport:
        next_url, done = self._start(since)
        complete, failures = True, 0
        while next_url:
            read = self._read(next_url)
            if read is None:
                complete, failures = False, failures + 1
                following = page_after(next_url) if failures < MAX_FAILED_PAGES else None
                if self.not_a_list:
                    following = None  # its reason already says the list is not one
                elif following is None:
                    self.report.skipped_pages.append(
                        f"{redact(self.list_url)}: Liste in diesem Lauf abgebrochen"
                    )
                with session_scope(self.engine) as session:
                    self._advance(session, following, 0, complete)
                next_url = following
                continue
            page, total = read
            failures = 0
            with session_scope(self.engine) as session:
                store = OParlStore(
                    session,
                    self.body,
                    now=self.now,
                    actor=self.actor,
                    rules=self.rules,
                    history_before=self.history_before,
                )
                if self.bulk:
                    apply_page(session, store, page.objects, self.report, self.known)
                else:
                    for obj in page.objects:
                        apply_one(session, store, obj, self.report)
                self._advance(session, page.next_url, len(page.objects), complete)
            self.report.pages += 1
            done += len(page.objects)
            next_url = page.next_url
            if progress:
                progress(done, total)
        if not complete:
            self.report.warnings.append(
                f"{redact(self.list_url)}: Seiten übersprungen; der nächste Abgleich liest "
                "ab dem letzten vollständigen Stand"
            )
        return self.report

    def _start(self, since: datetime | None) -> tuple[str | None, int]:
        with session_scope(self.engine) as session:
            cursor = self._cursor(session)
            if cursor is None:
                cursor = OParlCursor(list_url=self.list_url, updated_at=self.now)
            if cursor.next_url is None or since is not None:
                # A new run: everything changed since the last complete one (or since `since`).
                run_since = since or (
                    cursor.synced_until - CLOCK_MARGIN if cursor.synced_until else None
                )
                cursor.run_since, cursor.run_started_at = run_since, self.now
                cursor.next_url = with_since(self.list_url, run_since)
                cursor.objects = 0
            cursor.updated_at = self.now
            session.add(cursor)
            return cursor.next_url, cursor.objects

    def _cursor(self, session: Session) -> OParlCursor | None:
        query = select(OParlCursor).where(OParlCursor.list_url == self.list_url)
        return session.exec(query).first()

    def _advance(self, session: Session, next_url: str | None, count: int, complete: bool) -> None:
        """The cursor moved on in one UPDATE (no read first: a list has dozens of pages)."""
        table = table_of(OParlCursor)
        values: dict[str, Any] = {
            "next_url": next_url,
            "objects": table.c.objects + count,
            "updated_at": self.now,
        }
        if next_url is None:
            if complete:
                values["synced_until"] = table.c.run_started_at
            values["run_since"] = None
        session.flush()
        session.connection().execute(
            sa.update(table).where(table.c.list_url == self.list_url).values(values)
        )

    def _read(self, url: str) -> tuple[Page, int | None] | None:
        """The page at `url` as the vendor means it, or None (reported) if it cannot be had."""
        shown = redact(url)
        try:
            document = self.client.get(url)
        except OParlHTTPError as error:
            if self.vendor.empty_list(error.status, error.payload):
                return Page(), 0
            self.report.skipped_pages.append(str(error))
            return None
        except OParlError as error:
            self.report.skipped_pages.append(str(error))
            return None
        document = self.vendor.page(document, self.list_type)
        if isinstance(document, dict) and "data" not in document:
            kind = str(document.get("type", "")).rsplit("/", 1)[-1] or "Objekt"
            if kind != self.list_type:
                self.report.skipped_pages.append(f"{shown}: {kind} statt einer Listenseite")
                self.not_a_list = True
                return None
        try:
            page = parse_page(document, shown)
        except OParlError as error:
            self.report.skipped_pages.append(str(error))
            return None
        self.report.skipped += page.failed
        return page, _total(document)


def _total(document: Any) -> int | None:
    if isinstance(document, dict):
        pagination = document.get("pagination")
        if isinstance(pagination, dict) and isinstance(pagination.get("totalElements"), int):
            return pagination["totalElements"]
    return None
