"""`ratsfrist bodies …`: the Körperschaften of an installation, each with its own rules
profile, Bundesland and holiday categories (models.services.bodies)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from flows.cli.common import JsonOpt, NowOpt, now_from, print_json, session, settings

bodies_app = typer.Typer(
    help="Körperschaften (Kommunen, Kreise): Regelprofil, Bundesland, Feiertage.",
    no_args_is_help=True,
)

NameArg = Annotated[str, typer.Argument(help="Name, z. B. 'Stadt Leverkusen'")]
CategoryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--kategorie",
        help="Feiertagskategorie der Gemeinde: catholic, augsburg (mehrfach möglich)",
    ),
]
SlugOpt = Annotated[
    str | None,
    typer.Option("--slug", help="Kurzname für das Apprise-Tag koerperschaft-<slug>"),
]


@bodies_app.command("add")
def add(
    name: NameArg,
    profile: Annotated[str, typer.Option("--profile", help="Regelprofil (mitgeliefert oder Pfad)")],
    land: Annotated[str, typer.Option("--land", help="Bundesland, z. B. NW, BY, SN")],
    kategorie: CategoryOpt = None,
    slug: SlugOpt = None,
    short: Annotated[str | None, typer.Option("--short", help="Kurzname")] = None,
) -> None:
    """Eine Körperschaft mit eigenem Regelprofil und Feiertagskalender anlegen."""
    from models.services.bodies import add_body, slug_of

    with session() as active:
        body = add_body(
            active,
            name=name,
            profile=profile,
            state=land,
            categories=kategorie or [],
            slug=slug,
            short_name=short,
        )
        typer.echo(
            f"Körperschaft angelegt: {body.name} (Profil {body.profile}, {body.state}, "
            f"Tag koerperschaft-{slug_of(body)})"
        )


@bodies_app.command("set")
def set_(
    name: NameArg,
    profile: Annotated[
        str | None, typer.Option("--profile", help="Regelprofil (mitgeliefert oder Pfad)")
    ] = None,
    land: Annotated[str | None, typer.Option("--land", help="Bundesland, z. B. NW")] = None,
    kategorie: CategoryOpt = None,
    slug: SlugOpt = None,
    now: NowOpt = None,
) -> None:
    """Körperschaft ändern (auch aus dem OParl-Abgleich); offene Fristen neu berechnen."""
    from models.services.bodies import find_body, replan_body, update_body

    with session() as active:
        body = find_body(active, name)
        update_body(active, body, profile=profile, state=land, categories=kategorie, slug=slug)
        change = replan_body(active, body, settings().rules, now_from(now))
    typer.echo(
        f"Körperschaft geändert: {body.name}; Fristen: {len(change.added)} neu, "
        f"{len(change.moved)} verschoben, {len(change.cancelled)} entfallen"
    )


def _table(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("Körperschaft", "Slug", "Regelprofil", "Land", "Kategorien", "Vorlagen")
    for row in rows:
        table.add_row(
            row["name"],
            row["slug"],
            row["profile"],
            row["state"],
            ", ".join(row["categories"]) or "–",
            str(row["papers"]),
        )
    Console().print(table)


@bodies_app.command("list")
def list_(as_json: JsonOpt = False) -> None:
    """Alle Körperschaften mit ihren Regeln."""
    from models.services.bodies import list_bodies

    with session() as active:
        rows = list_bodies(active, settings().rules)
    if as_json:
        print_json(rows)
    elif rows:
        _table(rows)
    else:
        typer.echo("keine Körperschaften erfasst (ratsfrist bodies add NAME --profile P --land NW)")


@bodies_app.command("show")
def show(name: NameArg, as_json: JsonOpt = False) -> None:
    """Eine Körperschaft: Regelprofil, Bundesland, Feiertagskategorien, Routing-Tag."""
    from models.services.bodies import body_view, find_body

    with session() as active:
        view = body_view(active, find_body(active, name), settings().rules)
    if as_json:
        print_json(view)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("", view["name"], show_header=True)
    table.add_row("Regelprofil", f"{view['profile']} ({view['profile_source']})")
    table.add_row("Bundesland", f"{view['state']} – {view['state_name']} ({view['state_source']})")
    table.add_row("Feiertagskategorien", "; ".join(view["category_names"]) or "keine")
    table.add_row("Apprise-Tag", view["tag"])
    table.add_row("OParl", view["oparl_id"] or "–")
    table.add_row("Vorlagen / Gremien", f"{view['papers']} / {view['committees']}")
    Console().print(table)
