"""`ratsfrist deadlines`, `calendar` and `rules`: what is due, when, and by which rule."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from flows.cli.common import (
    BodyFilterOpt,
    JsonOpt,
    NowOpt,
    body_filter,
    now_from,
    parse_window,
    print_json,
    rulebook,
    rules,
    session,
    settings,
)
from flows.cli.root import app

if TYPE_CHECKING:
    from datetime import datetime

    from sqlmodel import Session

    from models.domain.profile_checks import ProfileCheck
    from models.domain.rules import RuleSet
    from models.services.deadlines import WaitingList


@app.command()
def deadlines(
    due_within: Annotated[
        str | None, typer.Option("--due-within", help="nur fällig bis jetzt + Zeitraum, z. B. 14d")
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="nur überfällige")] = False,
    committee: Annotated[str | None, typer.Option("--committee", help="nur dieses Gremium")] = None,
    include_closed: Annotated[
        bool, typer.Option("--all", help="auch erledigte und entfallene Fristen")
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="zu jeder Frist, wie sie berechnet wurde")
    ] = False,
    as_json: JsonOpt = False,
    body: BodyFilterOpt = None,
    now: NowOpt = None,
) -> None:
    """Fristen aller Vorlagen (oder einer Körperschaft), die nächste zuerst (Stand: --now);
    darunter die noch nicht berechenbaren (in Sitzungen gezählt, der Sitzungskalender hat zu
    wenige; nicht mit --overdue: sie können noch nicht verstrichen sein)."""
    from models.services.views import list_deadlines

    instant = now_from(now)
    window = parse_window(due_within) if due_within else None
    with session() as active:
        body_id = body_filter(active, body)
        rows = list_deadlines(
            active,
            now=instant,
            due_within=window,
            overdue=overdue,
            committee=committee,
            include_closed=include_closed,
            body_id=body_id,
        )
        waiting = None if overdue else _waiting(active, body_id=body_id, committee=committee)
    items = waiting.items if waiting else []
    if as_json:
        print_json(
            {
                "deadlines": rows,
                "deadlinesNotYetComputable": [w.as_dict() for w in items],
            }
        )
    else:
        from flows.render import render_deadlines, render_waiting
        from models.domain.timeutil import format_local

        render_deadlines(rows, title=f"Fristen, Stand {format_local(instant)}", explain=explain)
        if items:
            render_waiting(items)
    for line in waiting.unchecked if waiting else ():
        typer.echo(f"Hinweis: nicht auf noch nicht berechenbare Fristen geprüft: {line}", err=True)


def _waiting(active: Session, *, body_id: int | None, committee: str | None) -> WaitingList:
    from flows.app import waiting_for

    return waiting_for(settings(), active, body_id=body_id, committee=committee)


@app.command()
def overview(
    body: BodyFilterOpt = None,
    as_json: JsonOpt = False,
    now: NowOpt = None,
) -> None:
    """Offene Vorlagen und Fristen je Gremium, überfällige und noch nicht berechenbare
    Fristen (wie die Artefakte)."""
    from models.services.overview import overdue_count, overdue_rows, overview_markdown

    instant = now_from(now)
    with session() as active:
        body_id = body_filter(active, body)
        waiting = _waiting(active, body_id=body_id, committee=None)
        text = overview_markdown(active, instant, body_id, waiting=waiting)
        rows = overdue_rows(active, instant, body_id=body_id)
        total = overdue_count(active, instant, body_id)
    if as_json:
        print_json(
            {
                "overview": text,
                "overdue": rows,
                "overdue_total": total,
                "deadlinesNotYetComputable": [w.as_dict() for w in waiting.items],
            }
        )
        return
    typer.echo(text)
    for row in rows:
        typer.echo(
            f"  {row['fällig seit']}  {row['Vorlage']}  {row['Frist']} – {row['wer']}"
            f" ({row['Tage']} Tage)"
        )


@app.command()
def calendar(
    out: Annotated[Path, typer.Option("--out", help="Zieldatei (.ics)")],
    committee: Annotated[str | None, typer.Option("--committee", help="nur dieses Gremium")] = None,
    role: Annotated[
        str | None, typer.Option("--role", help="nur Fristen dieser Rolle (z. B. fachamt)")
    ] = None,
    include_confidential: Annotated[
        bool,
        typer.Option("--include-confidential", help="Titel nichtöffentlicher Vorlagen aufnehmen"),
    ] = False,
    body: BodyFilterOpt = None,
    now: NowOpt = None,
) -> None:
    """Fristen und Sitzungen als iCalendar-Datei (RFC 5545) zum Abonnieren."""
    from models.domain import ics
    from models.services.meetings import calendar_entries

    with session() as active:
        entries = calendar_entries(
            active,
            committee=committee,
            role=role,
            include_confidential=include_confidential,
            body_id=body_filter(active, body),
        )
    name = "ratsfrist" + (f" – {body}" if body else "") + (f" – {committee}" if committee else "")
    name += f" – {role}" if role else ""
    data = ics.build(entries, name=name, now=now_from(now))
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(out)  # subscribers never read a half-written file
    typer.echo(f"{out}: {len(entries)} Einträge")


@app.command("rules")
def rules_(
    profile: Annotated[
        str | None,
        typer.Argument(help="diese Profildatei (oder ein mitgeliefertes Profil) statt der aktiven"),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="das Profil prüfen (ohne PROFIL und --body: die Profile aller "
            "Körperschaften); Exit-Code 2, wenn eine Regel nicht berechenbar ist",
        ),
    ] = False,
    listing: Annotated[
        bool, typer.Option("--list", help="die mitgelieferten Profile auflisten")
    ] = False,
    explain: Annotated[
        str | None,
        typer.Option("--explain", help="eine Regel des Profils für --anchor vorrechnen"),
    ] = None,
    anchor: Annotated[
        str | None,
        typer.Option("--anchor", help="Sitzung bzw. Eingang, z. B. 2021-06-15T17:00"),
    ] = None,
    urgent: Annotated[
        bool, typer.Option("--urgent", help="mit der verkürzten Frist bei Dringlichkeit")
    ] = False,
    adopt: Annotated[
        bool,
        typer.Option(
            "--adopt",
            help="neue Fassung übernehmen (nachdem sie als [[versions]] in die Profildatei "
            "eingetragen ist): offene Fristen, deren Anker in ihrem Geltungszeitraum liegt, "
            "neu berechnen; ohne --body für alle Körperschaften mit Fassungen",
        ),
    ] = False,
    fassung: Annotated[
        str | None,
        typer.Option("--fassung", help="mit --adopt: diese Fassung statt der neuesten"),
    ] = None,
    as_json: JsonOpt = False,
    body: BodyFilterOpt = None,
    now: NowOpt = None,
) -> None:
    """Das aktive Regelprofil (RATSFRIST_RULES; mit --body das der Körperschaft, mit PROFIL
    diese Datei) mit jeder Frist in Worten, die am --now geltende Fassung, und seine Fassungen
    mit Geltungszeitraum. --check prüft es, jede Fassung für sich: Hinweise, wenn eine
    Antragsfrist oder Stellungnahme erst nach der Ladung endet; Fehler (Exit-Code 2), wenn eine
    Regel nicht berechenbar ist. `rules --check` allein prüft die Profile aller
    Körperschaften.

    Jede Frist rechnet nach der Fassung, die am Tag ihres Ankers gilt (Sitzung, Eingang,
    Beschlusssitzung). Neue Fassung der Geschäftsordnung: als [[versions]] (version,
    valid_from, adopted, geänderte Regeln) in die Profildatei eintragen, dann `rules --adopt
    [--body SLUG] [--now …]`: berechnet nur die offenen Fristen neu, deren Anker im
    Geltungszeitraum der Fassung liegt; erfüllte und versäumte bleiben, ein zweiter Lauf
    ändert nichts."""
    from models.domain.profile_checks import check_profile
    from models.domain.rules import describe_rule
    from models.domain.timeutil import format_local
    from models.store.profiles import load_profile, shipped_profiles

    if listing:
        _list_profiles(shipped_profiles(), as_json)
        return
    if adopt:
        _adopt(profile, body, fassung, now_from(now), as_json)
        return
    if check and profile is None and body is None and explain is None:
        _check_all(now_from(now), as_json)
        return
    if profile is not None:
        active = load_profile(profile)
    elif body:
        with session() as db:
            active = rulebook().for_body(body_filter(db, body))
    else:
        active = rules()
    if explain is not None:
        _explain(active, explain, anchor, urgent, as_json)
        return
    found = check_profile(active, now_from(now))
    warnings = found.warnings
    in_force = active.at(now_from(now))
    head = in_force.profile.profile
    data = {
        "name": active.name,
        "file": active.origin,
        "version": head.version,
        "versions": [
            {
                "version": v.name,
                "valid_from": v.valid_from.isoformat(),
                "valid_until": v.valid_until.isoformat() if v.valid_until else None,
                "period": v.period(),
                "adopted": v.adopted,
                "source": v.source,
                "changed": {n: describe_rule(v.profile.deadlines[n]) for n in v.changed},
            }
            for v in active.versions
        ],
        "state": active.calendar.state,
        "categories": sorted(active.calendar.categories),
        "closed_days": list(head.closed_days),
        "recess": [
            {"name": r.name, "start": r.start.isoformat(), "end": r.end.isoformat()}
            for r in head.recess
        ],
        "deadlines": {
            name: {
                "kind": rule.kind.value,
                "label": rule.title,
                "rule": describe_rule(rule),
                "responsible": rule.responsible,
                "paper_types": list(rule.paper_types) if rule.paper_types else None,
            }
            for name, rule in in_force.profile.deadlines.items()
        },
        "warnings": warnings,
        "errors": found.errors,
    }
    if as_json:
        print_json(data)
        _fail_on(found.errors if check else [])
        return
    categories = f" ({', '.join(head.categories)})" if head.categories else ""
    typer.echo(f"{data['name']} ({data['file']}), Feiertage {data['state']}{categories}")
    for period in head.recess:
        typer.echo(f"  Sitzungspause: {period.name}, {period.start:%d.%m.%Y}–{period.end:%d.%m.%Y}")
    if active.versions:
        day = format_local(now_from(now), with_time=False)
        typer.echo(f"  Fristen nach der Fassung „{head.version}“ (gilt am {day})")
    described: dict[str, dict[str, Any]] = data["deadlines"]  # type: ignore[assignment]
    for name, rule in described.items():
        types = f" [{', '.join(rule['paper_types'])}]" if rule["paper_types"] else ""
        typer.echo(f"  {name}: {rule['label']} – {rule['rule']}; {rule['responsible']}{types}")
    for version in active.versions:
        adopted = f"; {version.adopted}" if version.adopted else ""
        typer.echo(f"Fassung „{version.name}“: {version.period()}{adopted}")
        for name in version.changed:
            typer.echo(f"    ändert {name}: {describe_rule(version.profile.deadlines[name])}")
    for warning in warnings:
        typer.echo(f"Hinweis: {warning}")
    _fail_on(found.errors if check else [])


def _adopt(
    profile: str | None, body: str | None, version: str | None, instant: datetime, as_json: bool
) -> None:
    """`rules --adopt`: the newest (or --fassung) version of each body's profile adopted,
    one line per body with what changed; all bodies in one transaction."""
    from models.domain.errors import InvalidInput
    from models.services.bodies import find_body
    from models.services.rule_versions import adopt_version
    from models.store.tables import Body

    if profile is not None:
        raise InvalidInput(
            "--adopt übernimmt eine Fassung des Profils, das die Körperschaft schon hat; "
            "ein anderes Profil: bodies set NAME --profile PROFIL"
        )
    book = rulebook()
    done = []
    with session() as db:
        if body is not None:
            targets = [find_body(db, body)]
        else:
            from sqlmodel import col, select

            everyone = db.exec(select(Body).order_by(col(Body.name))).all()
            targets = [b for b in everyone if book.for_body(b.id).versions]
            if version is not None:
                targets = [
                    b
                    for b in targets
                    if any(v.name == version for v in book.for_body(b.id).versions)
                ]
        for target in targets:
            done.append(adopt_version(db, target, book, instant, version=version))
    if as_json:
        print_json(
            [
                {
                    "body": a.body,
                    "profile": a.profile,
                    "version": a.version,
                    "period": a.period,
                    "papers": a.papers,
                    "replanned": len(a.change.moved),
                    "added": len(a.change.added),
                }
                for a in done
            ]
        )
        return
    if not done:
        typer.echo("keine Körperschaft mit dieser Fassung im Regelprofil ([[versions]])")
    for adoption in done:
        typer.echo(adoption.line())


def _fail_on(errors: list[str]) -> None:
    """A rule that cannot be computed: each on one line on stderr, exit code 2 (bad input,
    as every error of a profile file)."""
    if errors:
        for line in errors:
            typer.echo(line, err=True)
        raise typer.Exit(2)


def _check_all(instant: datetime, as_json: bool) -> None:
    """`rules --check` alone: the settings' profile and each body's (its profile on its own
    holiday calendar; bodies sharing profile and calendar share the RuleSet, which is
    checked once); a body whose profile file cannot be loaded is an error line naming the
    file, as `rules --check FILE` gives it."""
    from flows.app import engine_for
    from models.domain.errors import RatsfristError
    from models.domain.profile_checks import check_profile
    from models.services.bodies import body_slugs

    book = rulebook()
    targets: list[tuple[str, Any]] = [("Einstellung RATSFRIST_RULES", rules)]
    for body_id, slug in sorted(body_slugs(engine_for(settings())).items(), key=lambda b: b[1]):
        targets.append((slug, lambda b=body_id: book.for_body(b)))
    rows, errors = [], []
    checked: dict[int, ProfileCheck] = {}
    for who, load in targets:
        try:
            active = load()
        except RatsfristError as exc:
            errors.append(str(exc))
            rows.append({"for": who, "errors": [str(exc)], "warnings": []})
            continue
        found = checked.get(id(active))
        if found is None:
            found = checked[id(active)] = check_profile(active, instant)
            errors += found.errors
        rows.append(
            {
                "for": who,
                "name": active.name,
                "file": active.origin,
                "warnings": found.warnings,
                "errors": found.errors,
            }
        )
    if as_json:
        print_json(rows)
    else:
        for row in rows:
            if "file" not in row:
                continue
            verdict = "in Ordnung" if not row["warnings"] and not row["errors"] else ""
            typer.echo(f"{row['for']}: {row['name']} ({row['file']}) {verdict}".rstrip())
            for warning in row["warnings"]:
                typer.echo(f"  Hinweis: {warning}")
    _fail_on(errors)


def _list_profiles(names: list[str], as_json: bool) -> None:
    from models.store.profiles import load_profile

    rows = []
    for name in names:
        head = load_profile(name).profile.profile
        kinds = list(head.categories)
        rows.append({"profile": name, "name": head.name, "state": head.state, "categories": kinds})
    if as_json:
        print_json(rows)
        return
    for row in rows:
        categories = f" ({', '.join(row['categories'])})" if row["categories"] else ""
        typer.echo(f"{row['profile']}: {row['name']}, {row['state']}{categories}")


def _explain(active: RuleSet, name: str, anchor: str | None, urgent: bool, as_json: bool) -> None:
    """A demonstration of an explained deadline; meeting counts need the body's meetings
    and are not computed here."""
    from models.domain.errors import InvalidInput
    from models.domain.explain import explain_due
    from models.domain.timeutil import format_local, parse_instant

    if anchor is None:
        raise InvalidInput("--explain braucht --anchor (Sitzung bzw. Eingang)")
    explained = explain_due(active, name, parse_instant(anchor, "--anchor"), urgent=urgent)
    if explained is None:
        raise InvalidInput(f"--explain {name}: zählt Sitzungen; hier ohne Sitzungskalender")
    if as_json:
        print_json({"due": format_local(explained.due), **explained.explanation.as_dict()})
        return
    typer.echo(f"{format_local(explained.due)}")
    typer.echo(explained.explanation.text())
