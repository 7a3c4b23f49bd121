"""A motion's history in words staff read: one German line per lifecycle event.

The step labels come from the one registry (models.domain.steps); the details are worded
here, per event. Pure: works on the plain dicts of models.services.views, so the CLI, the
demo and Prefect artifacts all say the same thing the same way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from models.domain.states import EVENT_LABELS, Event, State
from models.domain.timeutil import to_local

__all__ = ["EVENT_LABELS", "describe", "markdown", "rows"]


def _when(iso: str, with_time: bool = True) -> str:
    return to_local(datetime.fromisoformat(iso)).strftime(
        "%d.%m.%Y %H:%M" if with_time else "%d.%m.%Y"
    )


def _numbers(values: list[int]) -> str:
    """[1, 2, 3, 5] → '1–3, 5'."""
    if not values:
        return "keine"
    spans: list[list[int]] = []
    for value in sorted(values):
        if spans and value == spans[-1][1] + 1:
            spans[-1][1] = value
        else:
            spans.append([value, value])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def describe(event: dict[str, Any]) -> str:
    """What happened, in one line, from an event's details."""
    d = event.get("details") or {}
    kind = Event(event["event"])
    if kind is Event.submit:
        text = "eingereicht"
        if d.get("received_at"):
            text = f"eingegangen am {_when(d['received_at'], with_time=False)}"
        if d.get("uncertain"):
            text += f"; zu prüfen: {len(d['uncertain'])} Feld(er)"
        return text
    if kind in (Event.place_on_agenda, Event.reschedule):
        return f"{d.get('organization')}, Sitzung {_when(d['meeting'])}, TOP {d.get('agenda_item')}"
    if kind is Event.request_report:
        return f"bei {d.get('office')}"
    if kind is Event.deliver_report:
        text = f"beantwortet: Fragen {_numbers(d.get('answered', []))}"
        if d.get("open"):
            text += f"; offen: {_numbers(d['open'])}"
        return text + (f" – {d['note']}" if d.get("note") else "")
    if kind is Event.decide:
        text = f"{d.get('organization')} ({d.get('role')}): {d.get('result')}"
        if d.get("agenda_item"):
            text += f", TOP {d['agenda_item']}"
        if d.get("referred_to"):
            text += f" → {d['referred_to']} ({d.get('referral_role')})"
        return text
    if kind is Event.start_implementation:
        return f"durch {d.get('office')}"
    if kind is Event.review:
        parts = []
        if d.get("corrected"):
            parts.append("berichtigt: " + ", ".join(d["corrected"]))
        if d.get("confirmed"):
            parts.append("bestätigt: " + ", ".join(d["confirmed"]))
        if d.get("created_committees"):
            parts.append("Gremium angelegt: " + ", ".join(d["created_committees"]))
        return "; ".join(parts)
    if kind is Event.renumber:
        return f"Nr. {d.get('number')} (aus {d.get('source')})"
    if kind is Event.assign:
        text = f"{d.get('organization')} ({d.get('role')})"
        if d.get("meeting"):
            text += f", Sitzung {_when(d['meeting'])}"
        return text + (f", Nr. {d['number']}" if d.get("number") else "")
    if kind is Event.mark_urgent:
        return f"Grund: {d.get('reason')}"
    if kind is Event.extend_deadline:
        return (
            f"{d.get('label')}: {_when(d['previous_due'])} → {_when(d['new_due'])} "
            f"(Grund: {d.get('reason')}; Zustimmung: {d.get('consent_by')})"
        )
    return str(d.get("note") or "")


def rows(history: list[dict[str, Any]]) -> list[tuple[str, str, str, str, str]]:
    """(time, step, new state, who, what) per event, for tables and artifacts."""
    return [
        (
            _when(e["at"]),
            EVENT_LABELS[Event(e["event"])],
            State(e["to_state"]).label,
            e["actor"],
            "; ".join([describe(e), *e.get("late", [])]).strip("; "),
        )
        for e in history
    ]


def markdown(view: dict[str, Any]) -> str:
    """The timeline as a markdown table, for a Prefect artifact."""
    title = view["name"] if view["public"] else "nichtöffentlich"
    lines = [
        f"# {view['reference']} · {view['paperType']}: {title}",
        "",
        f"Zustand: **{State(view['state']).label}**",
        "",
        "| Zeit | Schritt | Zustand | wer | was |",
        "|---|---|---|---|---|",
    ]
    for row in rows(view["history"]):
        cells = row if view["public"] else (*row[:4], "")
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines) + "\n"
