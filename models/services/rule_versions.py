"""Adopting a new version of a body's rules of procedure (`ratsfrist rules --adopt`).

A Geschäftsordnung lapses with the electoral term and is re-adopted, often changed: the
profile file gets a new [[versions]] entry (models.domain.rules). Deadlines are computed by
the version valid on their anchor's day, so the deadlines already planned whose anchor lies in
the new version's period were computed by the old one. `adopt_version` re-plans exactly those,
open ones only (met and missed are history and stay as they were), and logs one line with the
counts; run twice, the second run finds nothing to change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from models.domain.bodies import Rules, rules_of
from models.domain.errors import InvalidInput
from models.domain.rules import RuleVersion
from models.domain.vocab import DeadlineStatus
from models.services.deadlines import PlanChange, replan
from models.store.tables import Body, Deadline, Paper

log = logging.getLogger("ratsfrist.rules")


@dataclass
class Adoption:
    """What adopting a version did for one body."""

    body: str
    profile: str
    version: str
    period: str
    papers: int
    """Papers with an open deadline looked at."""
    change: PlanChange

    def line(self) -> str:
        """The audit line, in German (CLI and log)."""
        c = self.change
        return (
            f"{self.body}: Fassung „{self.version}“ ({self.period}) von {self.profile} "
            f"übernommen; {self.papers} Vorlagen mit offenen Fristen geprüft, "
            f"{len(c.moved)} Fristen neu berechnet, {len(c.added)} neu"
        )


def pick_version(versions: tuple[RuleVersion, ...], name: str | None, what: str) -> RuleVersion:
    """The version named (default: the newest); bad input names the known ones."""
    if not versions:
        raise InvalidInput(
            f"{what}: Regelprofil ohne Fassungen ([[versions]]): nichts zu übernehmen"
        )
    if name is None:
        return versions[-1]
    for version in versions:
        if version.name == name:
            return version
    known = ", ".join(repr(v.name) for v in versions)
    raise InvalidInput(f"--fassung {name!r}: unbekannt in {what} (Fassungen: {known})")


def adopt_version(
    session: Session, body: Body, rules: Rules, now: datetime, *, version: str | None = None
) -> Adoption:
    """Re-plan the body's open deadlines whose anchor lies in `version`'s period (default:
    the newest version of the body's profile). Papers without an open deadline are not
    touched; within a paper only the deadlines anchored in the period (`replan(version=)`)."""
    ruleset = rules_of(rules, body.id)
    chosen = pick_version(ruleset.versions, version, f"{body.name} ({ruleset.origin})")
    owing = (
        select(Deadline.paper_id)
        .where(Deadline.body_id == body.id, Deadline.status == DeadlineStatus.open.value)
        .distinct()
    )
    papers = session.exec(
        select(Paper).where(col(Paper.id).in_(owing)).order_by(col(Paper.id))
    ).all()
    change = PlanChange()
    for paper in papers:
        change.merge(replan(session, paper, ruleset, now, version=chosen.name))
    adoption = Adoption(
        body=body.name,
        profile=ruleset.name,
        version=chosen.name,
        period=chosen.period(),
        papers=len(papers),
        change=change,
    )
    log.info("%s", adoption.line())
    return adoption
