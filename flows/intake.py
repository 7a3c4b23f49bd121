"""Intake from a watched folder: every text file in the inbox becomes a motion, as its own
`submit` flow run; taken files move to `erledigt/`, refused ones to `fehler/` beside a note of
why (FILE:LINE: reason), so that nothing a user dropped there is lost or taken twice. A
motion the intake was unsure of is taken (zu prüfen) and its doubts logged as warnings."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger

from flows.lifecycle import submit_as_flow
from models.domain.errors import RatsfristError
from models.domain.intake import parse_document
from models.domain.timeutil import system_clock


def _move(path: Path, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    n = 1
    while target.exists():
        target = folder / f"{path.stem}.{n}{path.suffix}"
        n += 1
    shutil.move(str(path), target)
    return target


@flow(name="intake-folder", flow_run_name="Eingang {folder}")
def intake_folder(folder: str = "eingang", now: datetime | None = None) -> dict[str, Any]:
    logger = get_run_logger()
    inbox = Path(folder)
    inbox.mkdir(parents=True, exist_ok=True)
    taken, refused, review = [], [], []
    for path in sorted(p for p in inbox.iterdir() if p.is_file() and not p.name.startswith(".")):
        try:
            # a document without a number is named by its file until it has an Eingangsnummer
            reference = parse_document(path.read_bytes(), str(path)).reference or path.name
            outcome = submit_as_flow(
                str(path), reference=reference, now=now or system_clock(), actor="eingang"
            )
        except RatsfristError as exc:
            moved = _move(path, inbox / "fehler")
            moved.with_name(moved.name + ".fehler.txt").write_text(str(exc) + "\n", "utf-8")
            logger.warning(str(exc))
            refused.append(path.name)
            continue
        _move(path, inbox / "erledigt")
        reference = outcome["reference"]
        taken.append(reference)
        for doubt in outcome.get("uncertain") or []:
            logger.warning(f"{reference} zu prüfen – {doubt['field']}: {doubt['reason']}")
        if outcome.get("uncertain"):
            review.append(reference)
    return {"taken": taken, "refused": refused, "review": review}
