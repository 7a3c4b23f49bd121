"""`ratsfrist meetings …` and `ratsfrist committees …`: the session calendar."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from flows.cli.common import (
    BodyFilterOpt,
    BodyOpt,
    JsonOpt,
    NowOpt,
    body_filter,
    body_name,
    day_option,
    now_from,
    print_json,
    rulebook,
    session,
    settings,
)

meetings_app = typer.Typer(
    help="Sitzungskalender: anlegen, planen, verlegen, absagen.", no_args_is_help=True
)
committees_app = typer.Typer(help="Gremien (Ausschüsse, Rat).", no_args_is_help=True)

CommitteeArg = Annotated[str, typer.Argument(help="Gremium (Name oder Kurzname)")]
DayArg = Annotated[str, typer.Argument(help="Sitzungsdatum (2021-06-15 oder 15.06.2021)")]
TimeOpt = Annotated[str | None, typer.Option("--time", help="Beginn, z. B. 17:00")]
StartOpt = Annotated[
    str | None,
    typer.Option("--time", help="Beginn, z. B. 17:00 (Standard: RATSFRIST_MEETING_TIME)"),
]


def _time(text: str | None) -> Any:
    """The --time given, else RATSFRIST_MEETING_TIME (a new meeting always gets a start)."""
    from datetime import time

    from models.domain.errors import InvalidInput

    if text is None:
        return settings().meeting_time
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"--time {text!r}: erwartet HH:MM") from None


def _report(change: Any) -> None:
    from models.domain.timeutil import to_local

    for row in change.deadlines.moved:
        typer.echo(f"  verschoben: {row.label} → {to_local(row.due):%d.%m.%Y %H:%M}")
    for row in change.deadlines.cancelled:
        typer.echo(f"  entfallen:  {row.label} ({to_local(row.due):%d.%m.%Y})")
    for row in change.deadlines.added:
        typer.echo(f"  neu:        {row.label} → {to_local(row.due):%d.%m.%Y %H:%M}")
    for line in change.deadlines.uncomputable:
        typer.echo(f"  noch nicht berechenbar: {line}")
    for reference in change.needs_new_meeting:
        typer.echo(
            f"  {reference} braucht eine neue Sitzung: "
            f"ratsfrist schedule '{reference}' --item N --meeting DATUM"
        )


@meetings_app.command("list")
def list_meetings(
    committee: Annotated[str | None, typer.Option("--committee")] = None,
    upcoming: Annotated[bool, typer.Option("--upcoming", help="nur ab --now")] = False,
    as_json: JsonOpt = False,
    body: BodyFilterOpt = None,
    now: NowOpt = None,
) -> None:
    """Sitzungen, die früheste zuerst (aller Körperschaften oder der mit --body)."""
    from datetime import datetime

    from models.services.meetings import list_meetings as query

    with session() as active:
        rows = query(
            active,
            committee=committee,
            since=now_from(now) if upcoming else None,
            body_id=body_filter(active, body),
        )
    if as_json:
        print_json(rows)
        return
    several = len({row["body"] for row in rows}) > 1
    for row in rows:
        start = datetime.fromisoformat(row["start"]).strftime("%a %d.%m.%Y %H:%M")
        flag = "  ABGESAGT" if row["cancelled"] else ""
        where = f"{row['body']}: " if several else ""
        typer.echo(f"{start}  {where}{row['organization']}{flag}")


@meetings_app.command("add")
def add(
    committee: CommitteeArg,
    day: DayArg,
    at: StartOpt = None,
    location: Annotated[str | None, typer.Option("--location")] = None,
    body: BodyOpt = None,
    now: NowOpt = None,
) -> None:
    """Eine Sitzung anlegen."""
    from models.domain.timeutil import to_local
    from models.services.meetings import add_meeting

    with session() as active:
        change = add_meeting(
            active,
            body_name=body_name(body),
            committee=committee,
            day=day_option(day, "DATUM"),
            location=location,
            now=now_from(now),
            at=_time(at),
            rules=rulebook(),
        )
        start = to_local(change.meeting.start)
        typer.echo(f"Sitzung angelegt: {committee} {start:%d.%m.%Y %H:%M}")
        _report(change)


@meetings_app.command("plan")
def plan(
    committee: CommitteeArg,
    rrule: Annotated[str, typer.Option("--rrule", help="RFC 5545, z. B. FREQ=MONTHLY;BYDAY=2TU")],
    start: Annotated[str, typer.Option("--from", help="erster möglicher Tag")],
    until: Annotated[str, typer.Option("--until", help="letzter möglicher Tag")],
    at: StartOpt = None,
    exceptions: Annotated[
        str | None, typer.Option("--except", help="ausgenommene Tage, z. B. 2021-07-13,2021-08-10")
    ] = None,
    keep_closed: Annotated[
        bool, typer.Option("--keep-closed-days", help="auch an Feiertagen/Schließtagen")
    ] = False,
    body: BodyOpt = None,
    now: NowOpt = None,
) -> None:
    """Sitzungen nach einer Regel (RRULE) anlegen, ohne Ausnahmen und Feiertage."""
    from models.domain.timeutil import to_local
    from models.services.meetings import plan_meetings

    skipped_days = (
        [day_option(d, "--except") for d in exceptions.split(",") if d.strip()]
        if exceptions
        else []
    )
    with session() as active:
        created, existing = plan_meetings(
            active,
            body_name=body_name(body),
            committee=committee,
            rrule=rrule,
            start=day_option(start, "--from"),
            until=day_option(until, "--until"),
            exceptions=skipped_days,
            rules=rulebook(),
            skip_closed=not keep_closed,
            now=now_from(now),
            at=_time(at),
        )
        for meeting in created:
            typer.echo(f"  {to_local(meeting.start):%a %d.%m.%Y %H:%M}")
    typer.echo(f"{len(created)} Sitzungen angelegt, {len(existing)} schon vorhanden")


@meetings_app.command("move")
def move(
    committee: CommitteeArg,
    day: DayArg,
    new_day: Annotated[str, typer.Argument(help="neues Datum")],
    at: TimeOpt = None,
    body: BodyOpt = None,
    now: NowOpt = None,
) -> None:
    """Eine Sitzung verlegen; alle Fristen, die an ihr hängen, werden neu berechnet."""
    from models.services.meetings import move_meeting

    with session() as active:
        change = move_meeting(
            active,
            body_name=body_name(body),
            committee=committee,
            day=day_option(day, "DATUM"),
            new_day=(moved_to := day_option(new_day, "NEUES_DATUM")),
            at=_time(at) if at else None,  # a moved meeting keeps its hour unless told
            now=now_from(now),
            rules=rulebook(),
        )
        typer.echo(f"Sitzung {committee} verlegt auf {moved_to:%d.%m.%Y}")
        _report(change)


@meetings_app.command("cancel")
def cancel(committee: CommitteeArg, day: DayArg, now: NowOpt = None, body: BodyOpt = None) -> None:
    """Eine Sitzung absagen; ihre Fristen entfallen."""
    from models.services.meetings import cancel_meeting

    with session() as active:
        change = cancel_meeting(
            active,
            body_name=body_name(body),
            committee=committee,
            day=(when := day_option(day, "DATUM")),
            now=now_from(now),
            rules=rulebook(),
        )
        typer.echo(f"Sitzung {committee} am {when:%d.%m.%Y} abgesagt")
        _report(change)


@meetings_app.command("minutes")
def minutes(committee: CommitteeArg, day: DayArg, now: NowOpt = None, body: BodyOpt = None) -> None:
    """Niederschrift einer Sitzung ist erstellt (erfüllt deren Fristen)."""
    from models.services.meetings import record_minutes

    with session() as active:
        rows = record_minutes(
            active,
            body_name=body_name(body),
            committee=committee,
            day=(when := day_option(day, "DATUM")),
            now=now_from(now),
            rules=rulebook(),
        )
    typer.echo(f"Niederschrift {committee} {when:%d.%m.%Y}: {len(rows)} Fristen erfüllt")


#: `ratsfrist meetings check` ends with this code when an invitation sent at --now would
#: break a notice period (2 is bad input, as everywhere).
NOTICE_BROKEN = 3


@meetings_app.command("check")
def check(
    committee: CommitteeArg,
    day: DayArg,
    as_json: JsonOpt = False,
    now: NowOpt = None,
    body: BodyOpt = None,
) -> None:
    """Vor dem Versand der Einladung: welche Ladungsfrist oder Stellungnahme der Vorlagen
    dieser Sitzung wäre verletzt, wenn die Einladung --now (Standard: jetzt) hinausginge.
    Exit-Code 0: alles rechtzeitig; 3: mindestens eine Frist verletzt."""
    from models.domain.timeutil import format_local
    from models.services.meeting_check import check_meeting

    instant = now_from(now)
    with session() as active:
        meeting, rows, broken = check_meeting(
            active,
            body_name=body_name(body),
            committee=committee,
            day=day_option(day, "DATUM"),
            rules=rulebook(),
            now=instant,
        )
        name = meeting.name
    if as_json:
        print_json(
            {
                "meeting": name,
                "invitation_at": format_local(instant),
                "checked": len(rows),
                "broken": [
                    {
                        "reference": r.reference,
                        "item": r.item,
                        "title": r.title,
                        "deadline": r.label,
                        "rule": r.rule_words,
                        "required_by": format_local(r.due),
                    }
                    for r in broken
                ],
            }
        )
    else:
        typer.echo(f"{name}, Einladung am {format_local(instant)}: {len(rows)} Fristen geprüft")
        for r in broken:
            what = ", ".join(x for x in (f"TOP {r.item}" if r.item else "", r.reference) if x)
            typer.echo(
                f"  {what} {r.title}: {r.label} verletzt – {r.rule_words}; "
                f"verlangt bis {format_local(r.due)}"
            )
        if not broken:
            typer.echo("  alles rechtzeitig")
    if broken:
        raise typer.Exit(NOTICE_BROKEN)


@committees_app.command("list")
def list_committees(
    as_json: JsonOpt = False, body: BodyFilterOpt = None, now: NowOpt = None
) -> None:
    """Die Gremien aller Körperschaften oder der mit --body."""
    from models.services.meetings import list_committees as query

    with session() as active:
        rows = query(active, body_filter(active, body))
    if as_json:
        print_json(rows)
        return
    several = len({row["body"] for row in rows}) > 1
    for row in rows:
        short = f" ({row['short_name']})" if row["short_name"] else ""
        typer.echo(row["name"] + short + (f" – {row['body']}" if several else ""))


@committees_app.command("add")
def add_committee(
    name: Annotated[str, typer.Argument(help="Name, z. B. Sozialausschuss")],
    short: Annotated[str | None, typer.Option("--short", help="Kurzname, z. B. SozA")] = None,
    body: BodyOpt = None,
    now: NowOpt = None,
) -> None:
    """Ein Gremium anlegen."""
    from models.services.meetings import add_committee as create

    with session() as active:
        create(active, body_name=body_name(body), name=name, short_name=short)
    typer.echo(f"Gremium angelegt: {name}")
