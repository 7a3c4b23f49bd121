"""Bodies as configuration: add, change, list and show them, and the Rulebook that gives each
paper its body's rules.

A body's profile, state and categories left empty (NULL) follow the settings
(RATSFRIST_RULES and that profile's state), so a one-body installation and bodies created by
an OParl sync or a document import plan exactly as before until `ratsfrist bodies` sets them.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from models.domain.bodies import (
    CATEGORIES,
    SLUG_PREFIX,
    STATES,
    BodyRules,
    Rulebook,
    check_categories,
    check_slug,
    check_state,
    slugify,
    split_categories,
    with_calendar,
)
from models.domain.errors import InvalidInput, NotFound
from models.domain.planning import TERMINAL_STATES
from models.domain.rules import RuleError, RuleSet
from models.services.deadlines import PlanChange, replan
from models.store.profiles import load_profile
from models.store.tables import Body, Organization, Paper


def slug_of(body: Body) -> str:
    """The body's routing slug: the one stored, else its name's."""
    return body.slug or slugify(body.name)


def rules_of_body(body: Body) -> BodyRules:
    return BodyRules(body.profile, body.state, split_categories(body.holiday_categories))


@lru_cache(maxsize=256)
def body_ruleset(profile: str, state: str | None, categories: tuple[str, ...]) -> RuleSet:
    """A profile with a body's calendar, built once per process for each (profile, state,
    categories): 396 bodies of a few profiles share a few RuleSets."""
    return with_calendar(load_profile(profile), state, categories)


def rulebook(engine: Engine, default_profile: str, *, every_body: bool = False) -> Rulebook:
    """Body id → rules, each body read (in a short session of its own, so that any caller's
    transaction may use it) and resolved on first use: built once per batch, step or sweep.
    A body not committed yet (new in the caller's transaction) has no rules of its own yet:
    it gets the default, as its NULL columns say.

    `every_body` (the sweep, which touches every body with a missed deadline): all bodies
    read at once, one statement for 396 bodies instead of one per body; bodies sharing
    (profile, state, categories) share one RuleSet (`body_ruleset`)."""
    default = load_profile(default_profile)

    def effective(config: BodyRules) -> RuleSet:
        return body_ruleset(config.profile or default_profile, config.state, config.categories)

    def resolve(body_id: int) -> RuleSet:
        with Session(engine) as session:
            body = session.get(Body, body_id)
        return default if body is None else effective(rules_of_body(body))

    known: dict[int, RuleSet] = {}
    if every_body:
        with Session(engine) as session:
            rows = session.exec(
                select(Body.id, Body.profile, Body.state, Body.holiday_categories)
            ).all()
        for body_id, profile, state, categories in rows:
            if body_id is None:
                continue
            try:
                known[body_id] = effective(BodyRules(profile, state, split_categories(categories)))
            except RuleError:
                continue  # a profile gone from disk: an error only if this body is asked for
    return Rulebook(default, resolve, known)


def body_slugs(engine: Engine) -> dict[int, str]:
    """Body id → routing slug, one query: what a dispatch matches `koerperschaft-…` on."""
    with Session(engine) as session:
        rows = session.exec(select(Body)).all()
        return {b.id: slug_of(b) for b in rows if b.id is not None}


def bodies_with_papers(session: Session) -> list[tuple[int, str, str]]:
    """(id, slug, name) of every body that has papers, by name: whose overview the sweep
    publishes on its own when there is more than one."""
    rows = session.exec(
        select(Body)
        .where(select(Paper.id).where(Paper.body_id == Body.id).exists())
        .order_by(col(Body.name))
    ).all()
    return [(b.id, slug_of(b), b.name) for b in rows if b.id is not None]


def profile_roles(engine: Engine, default_profile: str) -> frozenset[str]:
    """The roles of every profile in use (the settings' and each body's): the role tags a
    routing file may use."""
    with Session(engine) as session:
        names = set(session.exec(select(Body.profile).distinct()).all())
    roles: set[str] = set(load_profile(default_profile).roles)
    for name in names - {None}:
        try:
            roles |= load_profile(name or default_profile).roles
        except RuleError:
            continue  # a profile gone from disk: `bodies show` names it; routing still loads
    return frozenset(roles)


def _profile(choice: str) -> str:
    try:
        load_profile(choice)
    except RuleError as exc:
        raise InvalidInput(f"--profile {choice!r}: {exc}") from None
    return choice


def _free_slug(session: Session, slug: str, body_id: int | None) -> str:
    clash = session.exec(select(Body).where(Body.slug == slug)).first()
    if clash is not None and clash.id != body_id:
        raise InvalidInput(f"--slug {slug!r}: schon vergeben an {clash.name!r}")
    return slug


def find_body(session: Session, name: str) -> Body:
    """A body by its name, its slug or its short name."""
    wanted = " ".join(name.split())
    body = session.exec(
        select(Body).where(
            (Body.name == wanted) | (Body.slug == wanted) | (Body.short_name == wanted)
        )
    ).first()
    if body is None:
        known = session.exec(select(Body.name).order_by(col(Body.name))).all()
        hint = f" (bekannt: {', '.join(known)})" if known else " (noch keine erfasst)"
        raise NotFound(f"--body {name!r}: unbekannte Körperschaft{hint}")
    return body


def add_body(
    session: Session,
    *,
    name: str,
    profile: str,
    state: str,
    categories: list[str] | tuple[str, ...] = (),
    slug: str | None = None,
    short_name: str | None = None,
) -> Body:
    """A new body with its own rules; every value is checked before anything is written."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("NAME: leer")
    if session.exec(select(Body.id).where(Body.name == name)).first() is not None:
        raise InvalidInput(f"NAME {name!r}: Körperschaft gibt es schon (ändern: bodies set)")
    code = check_state(state)
    kinds = check_categories(categories, code)
    body = Body(
        name=name,
        short_name=short_name,
        profile=_profile(profile),
        state=code,
        holiday_categories=",".join(kinds) or None,
        slug=_free_slug(session, check_slug(slug) if slug else slugify(name), None),
    )
    session.add(body)
    session.flush()
    return body


def update_body(
    session: Session,
    body: Body,
    *,
    profile: str | None = None,
    state: str | None = None,
    categories: list[str] | None = None,
    slug: str | None = None,
) -> Body:
    """Change what was given (OParl bodies come with defaults and are edited here). The
    caller re-plans the body's open deadlines (models.services.deadlines.replan_body)."""
    code = check_state(state) if state else body.state
    if profile is not None:
        body.profile = _profile(profile)
    if categories is not None:
        body.holiday_categories = ",".join(check_categories(categories, code or "")) or None
    elif state is not None:  # a new state must still allow the categories it has
        check_categories(split_categories(body.holiday_categories), code or "")
    body.state = code
    if slug is not None:
        body.slug = _free_slug(session, check_slug(slug), body.id)
    session.add(body)
    session.flush()
    return body


def replan_body(session: Session, body: Body, default_profile: str, now: datetime) -> PlanChange:
    """After a body's rules changed: every paper of it still in progress planned anew by
    the new rules (read from the row in hand, since a Rulebook reads committed bodies)."""
    config = rules_of_body(body)
    rules = body_ruleset(config.profile or default_profile, config.state, config.categories)
    papers = session.exec(
        select(Paper).where(
            Paper.body_id == body.id, col(Paper.state).not_in(list(TERMINAL_STATES))
        )
    ).all()
    change = PlanChange()
    for paper in papers:
        change.merge(replan(session, paper, rules, now))
    return change


def body_view(session: Session, body: Body, default_profile: str) -> dict[str, Any]:
    """A body as `bodies show` and `bodies list --json` print it; effective values beside
    what is stored, so that 'from the settings' is visible."""
    config = rules_of_body(body)
    rules = body_ruleset(config.profile or default_profile, config.state, config.categories)
    papers = session.exec(select(func.count()).where(Paper.body_id == body.id)).one()
    committees = session.exec(select(func.count()).where(Organization.body_id == body.id)).one()
    return {
        "name": body.name,
        "slug": slug_of(body),
        "tag": SLUG_PREFIX + slug_of(body),
        "profile": rules.name,
        "profile_source": body.profile or f"Einstellung RATSFRIST_RULES={default_profile}",
        "state": rules.calendar.state,
        "state_name": STATES.get(rules.calendar.state, rules.calendar.state),
        "state_source": "Körperschaft" if body.state else "Regelprofil",
        "categories": list(config.categories),
        "category_names": [CATEGORIES[c] for c in config.categories if c in CATEGORIES],
        "oparl_id": body.oparl_id,
        "papers": papers,
        "committees": committees,
    }


def list_bodies(session: Session, default_profile: str) -> list[dict[str, Any]]:
    bodies = session.exec(select(Body).order_by(col(Body.name))).all()
    return [body_view(session, b, default_profile) for b in bodies]
