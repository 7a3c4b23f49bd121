"""Importing OParl files (`ratsfrist import-oparl`): the same objects as a sync, read from
disk in the order their links need, all in one transaction; one bad object is skipped and
reported, and a file that is not OParl changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from models.domain.bodies import Rules
from models.domain.oparl import BodyIn, OParlError, OParlObject, Page, parse_page
from models.domain.oparl_vendors import Vendor, detect
from models.services.oparl_client import loads
from models.services.oparl_report import SyncReport
from models.services.oparl_store import OParlStore
from models.services.oparl_sync import apply_one
from models.store.db import session_scope

_ORDER = {"BodyIn": 0, "OrganizationIn": 1, "MeetingIn": 2, "PaperIn": 3}
#: A deletion without `type` in a file takes the type its file name implies ("paper?page=2").
_FILE_TYPES = (("organization", "Organization"), ("meeting", "Meeting"), ("paper", "Paper"))


def read_files(paths: Iterable[Path], vendor: str | None = None) -> list[OParlObject]:
    """Every OParl object in the files, in the order their links need (see `read_pages`)."""
    return read_pages(paths, vendor)[0]


def read_pages(
    paths: Iterable[Path], vendor: str | None = None
) -> tuple[list[OParlObject], list[str]]:
    """Every OParl object in the files (one object, a list page or an array per file), in the
    order their links need, and the objects that cannot be read, one line each; a file that
    is not OParl is an error naming it."""
    objects: list[OParlObject] = []
    failed: list[str] = []
    files: list[Path] = []
    for path in paths:
        files += sorted(path.glob("*.json")) if path.is_dir() else [path]
    adapter: Vendor | None = None
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise OParlError(f"{file}: Datei nicht gefunden") from None
        except UnicodeDecodeError:
            raise OParlError(f"{file}: kein gültiges JSON (UnicodeDecodeError)") from None
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            try:
                document = loads(text, str(file))
            except OParlError:
                where = f"{file}:{error.lineno}"
                raise OParlError(f"{where}: kein gültiges JSON (JSONDecodeError)") from None
        if adapter is None:
            adapter = detect(document if isinstance(document, dict) else None, "", vendor)
        implied = next((t for prefix, t in _FILE_TYPES if file.name.startswith(prefix)), None)
        page: Page = parse_page(adapter.page(document, implied), str(file))
        objects += page.objects
        failed += page.failed
    return sorted(objects, key=lambda o: _ORDER.get(type(o).__name__, 9)), failed


def import_files(
    engine: Engine,
    paths: Iterable[Path],
    *,
    now: datetime,
    rules: Rules,
    fallback_name: str,
    actor: str = "oparl-import",
    vendor: str | None = None,
) -> SyncReport:
    """All files in one transaction: a file that is not OParl changes nothing; an object that
    cannot be read or stored is skipped and reported, and the others land."""
    objects, failed = read_pages(paths, vendor)
    body_in = next((o for o in objects if isinstance(o, BodyIn)), None)
    report = SyncReport(skipped=failed)
    with session_scope(engine) as session:
        body = OParlStore.body_for(session, body_in, fallback_name)
        store = OParlStore(session, body, now=now, actor=actor, rules=rules)
        for obj in objects:
            apply_one(session, store, obj, report)
    return report
