"""Rich tables of a motion, its deadlines and its history, for the CLI and the demo."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from models.services.deadlines import Waiting


def render_paper(view: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from models.domain.states import State

    console = Console()
    console.print(
        f"[bold]{view['reference']}[/bold]  {view['paperType']} vom "
        f"{date.fromisoformat(view['date']):%d.%m.%Y}  "
        f"({'öffentlich' if view['public'] else 'nichtöffentlich'})"
    )
    console.print(f"[bold]{view['name']}[/bold]")
    console.print(f"Zustand: {State(view['state']).label}")
    if view.get("urgent"):
        console.print(f"[bold]Dringlichkeit festgestellt[/bold]: {view['urgent']['reason']}")
    if view.get("intakeNumber") and view["intakeNumber"] != view["reference"]:
        console.print(f"Eingangsnummer: {view['intakeNumber']}")
    render_doubts(console, view)
    if view["submitters"]:
        console.print("Antragsteller: " + "; ".join(view["submitters"]))
    table = Table(
        "#", "Gremium", "Sitzung", "Zuständigkeit", "Ö/N", "Ergebnis", title="Beratungsfolge"
    )
    for c in view["consultations"]:
        table.add_row(
            str(c["position"]),
            c["organization"],
            date.fromisoformat(c["meeting_date"]).strftime("%d.%m.%Y")
            if c["meeting_date"]
            else "–",
            c["role"],
            "Ö" if c["public"] else "N",
            c["result"] or "",
        )
    console.print(table)
    if view["questions"]:
        console.print(
            f"[bold]Fragen[/bold] (offen: {', '.join(map(str, view['openQuestions'])) or 'keine'})"
        )
        for number, text in enumerate(view["questions"], start=1):
            console.print(f" {number}. {text}")
    if view.get("deadlines"):
        render_deadlines(view["deadlines"], title="Fristen", console=console, explain=True)
    for waiting in view.get("deadlinesNotYetComputable") or ():
        from rich.markup import escape

        text = escape(f"{waiting['label']} – {waiting['reason']}")
        console.print(f"[bold]Noch nicht berechenbar[/bold]: {text}")
    render_history(console, view["history"])


def render_doubts(console: Any, view: dict[str, Any]) -> None:
    """What the intake was unsure of, and the Beratungsfolge as read, while in review."""
    from rich.table import Table

    from models.domain.review import word_of

    if view.get("uncertain"):
        table = Table("Feld", "warum unsicher", title="Zu prüfen (ratsfrist review)")
        for doubt in view["uncertain"]:
            table.add_row(word_of(doubt["field"]), doubt["reason"])
        console.print(table)
    if view.get("proposedConsultations"):
        table = Table(
            "#", "Gremium", "Sitzung", "Zuständigkeit", "Ö/N", title="Beratungsfolge, wie gelesen"
        )
        for c in view["proposedConsultations"]:
            day = c.get("meeting_date")
            table.add_row(
                str(c["position"]),
                c["organization"],
                date.fromisoformat(day).strftime("%d.%m.%Y") if day else "–",
                c["role"],
                "Ö" if c["public"] else "N",
            )
        console.print(table)


def render_deadlines(
    rows: list[dict[str, Any]], *, title: str, console: Any = None, explain: bool = False
) -> None:
    """The deadlines as a table; with `explain` each one's stored explanation below it
    (`show`, `deadlines --explain`)."""
    from rich.console import Console
    from rich.table import Table

    from models.domain.vocab import DeadlineStatus

    labels = {status.value: status.label for status in DeadlineStatus}

    table = Table("fällig", "Vorlage", "Frist", "Gremium", "zuständig", "Status", title=title)
    for row in rows:
        due = row.get("due_text") or datetime.fromisoformat(row["due"]).strftime("%d.%m.%Y %H:%M")
        status = row.get("status_label") or labels.get(row["status"], row["status"])
        style = "bold red" if row["status"] == DeadlineStatus.missed else None
        who = row["responsible"] + (f" ({row['office']})" if row.get("office") else "")
        table.add_row(
            due,
            row["reference"],
            row["label"],
            row.get("committee") or "",
            who,
            status,
            style=style,
        )
    console = console or Console()
    console.print(table)
    if explain:
        render_explanations(console, rows)


def render_waiting(items: list[Waiting], console: Any = None) -> None:
    """The deadlines not computable yet (models.services.deadlines.Waiting), a table of their
    own below the deadlines: they have no date to sort by, and must not go unseen."""
    from rich.console import Console
    from rich.table import Table

    table = Table(
        "Vorlage", "Frist", "Gremium", "warum", title=f"Noch nicht berechenbar ({len(items)})"
    )
    for w in items:
        table.add_row(w.reference, w.label, w.committee, w.reason)
    (console or Console()).print(table)


def render_explanations(console: Any, rows: list[dict[str, Any]]) -> None:
    """How each deadline was computed, in the profile's words (stored on the row)."""
    from rich.markup import escape

    from models.domain.explain import Explanation

    console.print("[bold]So berechnet[/bold]")
    for row in rows:
        due = datetime.fromisoformat(row["due"]).strftime("%d.%m.%Y %H:%M")
        head = f"{row['label']} {row['reference']} (fällig {due})"
        stored = row.get("explanation")
        text = (
            Explanation.from_dict(stored).text()
            if stored
            else "nicht gespeichert (vor Migration 0011 geplant; folgt bei der nächsten Neuplanung)"
        )
        console.print(f"[bold]{escape(head)}[/bold]\n  " + escape(text).replace("\n", "\n  "))


def render_history(console: Any, history: list[dict[str, Any]]) -> None:
    from rich.table import Table

    from models.domain.timeline import rows

    table = Table("Zeit", "Schritt", "Zustand", "wer", "was", title="Verlauf", expand=True)
    for row in rows(history):
        table.add_row(*row)
    console.print(table)


def render_intake(rows: list[tuple[str, Any]]) -> None:
    """One table for a folder's import: per file whether it was taken (übernommen), waits
    for a person (zu prüfen) or was refused (abgelehnt), its reference and why."""
    from pathlib import Path

    from rich.console import Console
    from rich.table import Table

    from models.domain.errors import RatsfristError
    from models.domain.review import word_of
    from models.domain.states import State

    table = Table(title="Einlesung")
    # The file's own name, never cut: staff find the file by it (the folder they gave).
    table.add_column("Datei", no_wrap=True, overflow="fold")
    table.add_column("Ergebnis", no_wrap=True)
    table.add_column("Vorlage", no_wrap=True)
    table.add_column("Grund", ratio=1)
    for name, outcome in rows:
        shown = Path(name).name
        if isinstance(outcome, RatsfristError):
            reason = str(outcome).removeprefix(name).removeprefix(":").strip()
            line, colon, rest = reason.partition(": ")
            if colon and line.isdigit():
                reason = f"Zeile {line}: {rest}"
            table.add_row(shown, "abgelehnt", "", reason, style="red")
            continue
        state = State(outcome["state"])
        if state is State.in_review:
            reasons = [f"{word_of(d['field'])}: {d['reason']}" for d in outcome["uncertain"]]
            table.add_row(shown, "zu prüfen", outcome["reference"], "; ".join(reasons))
            continue
        why = [] if outcome["created"] else ["unverändert, bereits erfasst"]
        if state is State.awaiting_assignment:
            why.append(state.label)
        if outcome.get("timeliness"):
            why.append(f"Antragsfrist: {outcome['timeliness']}")
        table.add_row(shown, "übernommen", outcome["reference"], "; ".join(why))
    Console().print(table)


OVERDUE_COLUMNS = ("Vorlage", "Titel", "Frist", "wer", "fällig seit", "Tage")
"""The overdue artifact's columns; the committee is each table's heading, not a column."""

CELL_CHARS = {"Titel": 26, "Frist": 24, "wer": 20}
"""Cut to this many characters so that the six columns fit beside the Prefect UI's sidebar at
1440×900 without horizontal scrolling (the UI's table cells do not wrap; measured in
Chromium: 868 px for the table, 14 px text of about 7 px a character, 24 px padding per
cell; the widest cells so cut take ≈ 810 px, typical ones ≈ 730 px). The full title is one
click away, in the motion's Verlauf behind the title (flows.links)."""


EXTENDED_CELL = " (verl.)"
"""An extended deadline's mark in the Frist cell, where " (verlängert)" does not fit."""


def overdue_cell(column: str, text: str) -> str:
    """A cell of the overdue table cut to its width (CELL_CHARS); an extended deadline's
    Frist keeps its mark ('Stellungnahme… (verl.)'), cutting the label instead."""
    from models.services.overview import EXTENDED, fit

    limit = CELL_CHARS.get(column)
    if limit is None:
        return text
    if column == "Frist" and text.endswith(EXTENDED) and len(text) > limit:
        label = text.removesuffix(EXTENDED)
        return fit(label, limit - len(EXTENDED_CELL)) + EXTENDED_CELL
    return fit(text, limit)


def overdue_markdown(rows: list[dict[str, Any]], *, heading: str, note: str = "") -> str:
    """The overdue deadlines as a markdown artifact: one table per committee (in the order of
    the rows: by committee, the oldest first), the committee and its count as the heading."""
    lines = [f"# {heading}", ""]
    if note:
        lines += [note, ""]
    if not rows:
        return "\n".join([*lines, "Keine überfälligen Fristen.", ""])
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["Gremium"], []).append(row)
    for committee, group in groups.items():
        lines += [
            f"## {committee} ({len(group)})",
            "",
            "| " + " | ".join(OVERDUE_COLUMNS) + " |",
            "|---|---|---|---|---|--:|",
        ]
        for row in group:
            row = {**row, "wer": "Gremium" if row["wer"] == committee else row["wer"]}
            cells = [overdue_cell(c, str(row[c])) for c in OVERDUE_COLUMNS]
            if row.get("Verlauf"):  # the title, cut to fit, opens the Verlauf with all of it
                title = cells[1].replace("[", "\\[").replace("]", "\\]")
                cells[1] = f"[{title}]({row['Verlauf']})"
            lines.append("| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |")
        lines.append("")
    return "\n".join(lines)
