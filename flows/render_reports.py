"""The managers' reports as text: the watch lists and the Beschlusskontrolle, in Markdown
(Prefect artifacts, files), HTML and PDF (files for the council), and rich tables (the CLI).

Everything is built from `Section`s (a heading, a sentence, columns and rows of strings), so
each format shows the same cells. Non-public titles read "nichtöffentlich" unless the caller
says the output is for cleared recipients (`confidential`): artifacts never are.
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from models.domain.states import EVENT_LABELS, Event, State
from models.domain.timeutil import to_local
from models.services.decision_report import DecisionReport
from models.services.overview import overdue_table, short
from models.services.watch import WatchLists

HIDDEN = "nichtöffentlich"
Link = Callable[[str], str | None] | None


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    note: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]

    def records(self) -> list[dict[str, str]]:
        """The rows as column → cell (for --json)."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def _title(title: str | None, public: bool, confidential: bool = False) -> str:
    if title is None:
        return "–"
    return short(title) if public or confidential else HIDDEN


def _day(moment: datetime) -> str:
    return f"{to_local(moment):%d.%m.%Y}"


def _ref(reference: str, link: Link) -> str:
    target = link(reference) if link else None
    return f"[{reference}]({target})" if target else reference


def watch_sections(lists: WatchLists, link: Link = None) -> list[Section]:
    """The four watch lists, each a section; `link` makes references links (flows.links)."""
    today = to_local(lists.now).date()
    weeks = lists.weeks
    stale = Section(
        f"Ohne Schritt seit {weeks} Wochen",
        "Offene Vorlagen (nicht in Umsetzung), deren letzter Schritt "
        f"{weeks} Wochen oder länger zurückliegt; die ältesten zuerst.",
        ("Gremium", "Vorlage", "Titel", "Zustand", "letzter Schritt", "am", "Tage"),
        [
            (
                s.committee or "(ohne Gremium)",
                _ref(s.reference, link),
                _title(s.title, s.public),
                State(s.state).label,
                _event_label(s.last_event),
                _day(s.last_at),
                str((today - to_local(s.last_at).date()).days),
            )
            for s in lists.stale
        ],
    )
    referrals = Section(
        "Verwiesen, nicht terminiert",
        f"Vorlagen, die vor {weeks} Wochen oder länger an ein Gremium verwiesen wurden und "
        "seitdem auf keiner Tagesordnung stehen.",
        ("verwiesen an", "von", "Vorlage", "Titel", "verwiesen am", "Tage"),
        [
            (
                r.referred_to or "?",
                r.referred_by or "?",
                _ref(r.reference, link),
                _title(r.title, r.public),
                _day(r.referred_at),
                str((today - to_local(r.referred_at).date()).days),
            )
            for r in lists.referrals
        ],
    )
    table = overdue_table(lists.implementations, today, link)
    implementations = Section(
        "Umsetzung über der Wiedervorlage",
        "Beschlüsse, deren Wiedervorlage (Stand der Umsetzung) verstrichen ist.",
        ("Gremium", "Vorlage", "Titel", "wer", "Wiedervorlage", "Tage"),
        [
            (r["Gremium"], r["Vorlage"], r["Titel"], r["wer"], r["fällig seit"], str(r["Tage"]))
            for r in table
        ],
    )
    reviews = Section(
        "Ergebnis prüfen",
        "Ergebnisse aus dem Ratsinformationssystem, die nicht eindeutig zu lesen waren: von "
        "Hand eintragen (ratsfrist decide).",
        ("Gremium", "Sitzung", "TOP", "Vorlage", "Titel", "Ergebnis", "Grund"),
        [
            (
                r.committee,
                _day(r.meeting),
                r.item,
                _ref(r.reference, link) if r.reference else "(nicht erfasst)",
                _title(r.title, r.public),
                short(r.result or "–") if r.public else HIDDEN,
                r.reason,
            )
            for r in lists.reviews
        ],
    )
    return [stale, referrals, implementations, reviews]


def _event_label(event: str) -> str:
    try:
        return EVENT_LABELS.get(Event(event), event)
    except ValueError:
        return event


def decision_sections(report: DecisionReport, confidential: bool = False) -> list[Section]:
    """The Beschlusskontrolle: every decision, then those with something overdue."""
    decisions = Section(
        "Beschlüsse und Stand der Umsetzung",
        f"{len(report.rows)} Beschlüsse"
        + (f" seit {report.since:%d.%m.%Y}" if report.since else "")
        + (f", Gremium {report.committee}" if report.committee else "")
        + ".",
        (
            "Sitzung",
            "Gremium",
            "Vorlage",
            "Titel",
            "Ergebnis",
            "Stand",
            "zuständig",
            "Wiedervorlage",
            "überfällig",
        ),
        [
            (
                f"{row.decided_on:%d.%m.%Y}",
                row.committee,
                row.reference,
                _title(row.title, row.public, confidential),
                row.result,
                row.state,
                row.responsible,
                f"{_day(row.wiedervorlage)}, {row.wiedervorlage_status}"
                if row.wiedervorlage
                else "–",
                "; ".join(f"{o.label} ({o.days} Tage)" for o in row.overdue) or "–",
            )
            for row in report.rows
        ],
    )
    overdue = Section(
        "Überfällig",
        "Beschlüsse mit überfälligen Fristen, die älteste Frist zuerst.",
        ("Vorlage", "Titel", "Frist", "fällig seit", "Tage", "zuständig"),
        [
            (
                row.reference,
                _title(row.title, row.public, confidential),
                item.label,
                _day(item.due),
                str(item.days),
                item.responsible,
            )
            for row, item in sorted(
                ((row, item) for row in report.rows for item in row.overdue),
                key=lambda pair: (pair[1].due, pair[0].reference),
            )
        ],
    )
    return [decisions, overdue]


def decision_heading(report: DecisionReport) -> str:
    return f"Beschlusskontrolle, Stand {to_local(report.now):%d.%m.%Y %H:%M}"


def watch_heading(lists: WatchLists) -> str:
    return f"Beobachtungslisten, Stand {to_local(lists.now):%d.%m.%Y %H:%M}"


# --- formats ---------------------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def markdown(heading: str, sections: list[Section]) -> str:
    """A Markdown document: the heading, then per section its count, note and table."""
    lines = [f"# {heading}", ""]
    for section in sections:
        lines += [f"## {section.title} ({len(section.rows)})", "", section.note, ""]
        if not section.rows:
            lines += ["keine", ""]
            continue
        lines.append("| " + " | ".join(section.columns) + " |")
        lines.append("|" + "---|" * len(section.columns))
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in section.rows]
        lines.append("")
    return "\n".join(lines)


def to_html(heading: str, sections: list[Section]) -> str:
    """A standalone HTML page; every cell escaped (titles come from documents)."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="de"><head><meta charset="utf-8">',
        f"<title>{e(heading)}</title>",
        "<style>body{font-family:sans-serif;font-size:11pt}table{border-collapse:collapse}"
        "th,td{border:1px solid #999;padding:2px 6px;text-align:left;vertical-align:top}"
        "</style></head><body>",
        f"<h1>{e(heading)}</h1>",
    ]
    for section in sections:
        parts += [f"<h2>{e(section.title)} ({len(section.rows)})</h2>", f"<p>{e(section.note)}</p>"]
        if not section.rows:
            parts.append("<p>keine</p>")
            continue
        parts.append("<table><thead><tr>")
        parts += [f"<th>{e(c)}</th>" for c in section.columns]
        parts.append("</tr></thead><tbody>")
        for row in section.rows:
            parts.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def to_pdf(heading: str, sections: list[Section]) -> bytes:
    """A PDF in A4 landscape (reportlab). Helvetica's WinAnsi encoding has ä, ö, ü, ß, – and
    …; cells are escaped for reportlab's paragraph markup."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    styles = getSampleStyleSheet()
    cell = styles["BodyText"].clone("cell", fontSize=8, leading=10)
    head = cell.clone("head", fontName="Helvetica-Bold")
    out = BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=heading,
        lang="de",
    )
    story: list[Any] = [Paragraph(html.escape(heading), styles["Title"])]
    for section in sections:
        story.append(
            Paragraph(html.escape(f"{section.title} ({len(section.rows)})"), styles["Heading2"])
        )
        story.append(Paragraph(html.escape(section.note), styles["BodyText"]))
        story.append(Spacer(1, 3 * mm))
        if not section.rows:
            story.append(Paragraph("keine", styles["BodyText"]))
            continue
        data = [[Paragraph(html.escape(c), head) for c in section.columns]]
        data += [
            [c if len(c) <= UNBROKEN else Paragraph(html.escape(c), cell) for c in row]
            for row in section.rows
        ]
        table = LongTable(
            data, colWidths=_widths(section, document.width), repeatRows=1, hAlign="LEFT"
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("FONT", (0, 1), (-1, -1), "Helvetica", 8, 10),
                ]
            )
        )
        story.append(table)
    document.build(story)
    return out.getvalue()


UNBROKEN = 16
"""Cells this short (a date, a reference, 'beschlossen') are set on one line, never wrapped."""


def _widths(section: Section, total: float) -> list[float]:
    """Column widths: each at least its longest word (a date or a reference is never
    broken), the rest of the page shared in proportion to what the long cells need."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    padding = 14.0  # reportlab's default cell padding, left and right, and a little slack

    def width(text: str, bold: bool = False) -> float:
        return stringWidth(text, "Helvetica-Bold" if bold else "Helvetica", 8) + padding

    columns = [(name, [row[i] for row in section.rows]) for i, name in enumerate(section.columns)]
    natural = [max([width(name, True)] + [width(c) for c in cells]) for name, cells in columns]
    least = [
        max(
            width(w, bold)
            for text, bold in [(name, True), *((c, False) for c in cells)]
            for w in (text.split() if len(text) > UNBROKEN else [text]) or [""]
        )
        for name, cells in columns
    ]
    if sum(natural) <= total:
        return natural
    if sum(least) >= total:
        return [total * w / sum(least) for w in least]
    spare = total - sum(least)
    wanted = [n - m for n, m in zip(natural, least, strict=True)]
    return [m + spare * w / sum(wanted) for m, w in zip(least, wanted, strict=True)]


FORMATS = ("md", "html", "pdf")


def render(heading: str, sections: list[Section], fmt: str) -> bytes:
    """The document in `fmt` (md, html or pdf) as bytes to write."""
    if fmt == "pdf":
        return to_pdf(heading, sections)
    if fmt == "html":
        return to_html(heading, sections).encode("utf-8")
    return markdown(heading, sections).encode("utf-8")


def print_sections(heading: str, sections: list[Section]) -> None:
    """The sections as rich tables on the terminal (links shown as plain references)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{escape(heading)}[/bold]")
    for section in sections:
        table = Table(*section.columns, title=f"{section.title} ({len(section.rows)})")
        for row in section.rows:
            table.add_row(*(escape(c) for c in row))
        console.print(table if section.rows else f"{section.title}: keine")


def report_file_name(now: datetime, fmt: str) -> str:
    """'beschlusskontrolle-2026-12-01.pdf': one file per report day (Berlin)."""
    return f"beschlusskontrolle-{to_local(now):%Y-%m-%d}.{fmt}"


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file beside it: a reader never sees half a report. A path that
    cannot be written (a folder, no permission) is one line naming it, not a traceback."""
    from models.domain.errors import InvalidInput

    if not path.name or path.is_dir():
        raise InvalidInput(f"{path}: ist ein Ordner; einen Dateinamen angeben")
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):  # nothing was written where nothing can be
            tmp.unlink(missing_ok=True)
        raise InvalidInput(f"{path}: kann nicht geschrieben werden ({exc.strerror})") from None
