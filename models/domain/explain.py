"""Deadlines that explain themselves: beside the due instant, which profile, version,
paragraph and wording produced it, and the steps of its computation in German
("Sitzung Di 15.06.2021 − 6 Tage = Mi 09.06.2021; Arbeitstag; 23:59").

Pure. The arithmetic is models.domain.reckoning (the same code `due_date` runs, so the
explanation cannot drift from the date); storing and showing the explanation (show --json,
mail, .ics, OParl) is the services' and views' business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from models.domain.extension import EXTENSION_STEP, Extension
from models.domain.planning import PlannedDeadline
from models.domain.rules import Rule, RuleError, RuleSet, due_or_none
from models.domain.timeutil import to_local


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a deadline ends when it does."""

    profile: str
    version: str | None
    rule: str
    """The rule's name in the profile (e.g. 'ladung')."""
    label: str
    source: str | None
    """The paragraph, e.g. 'GO Rhein-Kreis Neuss § 1 Abs. 1'."""
    wording: str | None
    """The rule's own words, as the profile quotes them."""
    steps: tuple[str, ...]
    urgent: bool = False

    def text(self) -> str:
        """One paragraph in German, for a mail, a calendar entry or a terminal."""
        head = f"{self.label} nach {self.profile}"
        if self.version:
            head += f" ({self.version})"
        if self.source:
            head += f", {self.source}"
        if self.urgent:
            head += ", verkürzt wegen Dringlichkeit"
        parts = [head + "."]
        if self.wording:
            parts.append(f"„{self.wording}“")
        parts.append("; ".join(self.steps))
        return "\n".join(parts)

    def line(self) -> str:
        """One line for a mail: "So berechnet: …" (the paragraph, then the steps)."""
        where = self.source or f"{self.profile}, {self.label}"
        urgent = " (verkürzt wegen Dringlichkeit)" if self.urgent else ""
        return f"So berechnet: {where}{urgent}: " + "; ".join(self.steps)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Explanation:
        """The explanation as stored on the deadline row (`as_dict`'s output)."""
        return cls(
            profile=str(data.get("profile") or ""),
            version=data.get("version"),
            rule=str(data.get("rule") or ""),
            label=str(data.get("label") or ""),
            source=data.get("source"),
            wording=data.get("wording"),
            steps=tuple(str(s) for s in data.get("steps") or ()),
            urgent=bool(data.get("urgent")),
        )

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (show --json, the OParl extension field)."""
        return {
            "profile": self.profile,
            "version": self.version,
            "rule": self.rule,
            "label": self.label,
            "source": self.source,
            "wording": self.wording,
            "urgent": self.urgent,
            "steps": list(self.steps),
        }


@dataclass(frozen=True, slots=True)
class ExplainedDue:
    due: datetime
    explanation: Explanation

    def extended(self, extension: Extension) -> ExplainedDue:
        """The deadline after a granted extension: the new date, the step that says why."""
        step = extension.step()
        return ExplainedDue(
            extension.new_due,
            replace(self.explanation, steps=(*self.explanation.steps, step)),
        )


def explain_due(
    rules: RuleSet,
    name: str,
    anchor: datetime,
    *,
    urgent: bool = False,
    meetings: Sequence[datetime] = (),
) -> ExplainedDue | None:
    """The deadline of rule `name` of this profile for `anchor`, with its explanation.
    None where a meeting count has too few meetings yet. `urgent` applies the rule's
    shortened variant; a rule without one stays as it is and says so."""
    steps: list[str] = []
    version = rules.version_at(anchor)
    if version is not None:
        steps.append(version_step(rules, anchor))
    rules = rules.at(anchor)
    rule = _rule(rules, name)
    lead = rules.profile.deadlines[rule.reachable_by] if rule.reachable_by else None
    shortened = urgent and rule.urgent is not None
    if urgent and not shortened:
        steps.append("dringlich, aber das Profil kennt keine verkürzte Frist: reguläre Frist")
    due = due_or_none(
        rule, anchor, rules.calendar, urgent=urgent, meetings=meetings, lead=lead, steps=steps
    )
    if due is None:
        return None
    period = rule.period(urgent)
    head = rules.profile.profile
    return ExplainedDue(
        due,
        Explanation(
            profile=head.name,
            version=head.version,
            rule=name,
            label=rule.title,
            source=period.source or rule.source,
            wording=period.wording or rule.wording,
            steps=tuple(steps),
            urgent=shortened,
        ),
    )


def explain_planned(
    rules: RuleSet, planned: PlannedDeadline, *, meetings: Sequence[datetime] = ()
) -> ExplainedDue | None:
    """The explanation of a deadline `plan` produced (what show, mail and .ics display)."""
    if planned.anchor is None:
        return None
    return explain_due(
        rules, planned.rule, planned.anchor, urgent=planned.urgent, meetings=meetings
    )


def stored_explanation(
    rules: RuleSet, planned: PlannedDeadline, *, meetings: Sequence[datetime] = ()
) -> dict[str, Any] | None:
    """What the deadline row keeps (`Deadline.explanation`), written when the deadline is
    planned or re-dated by either path that writes rows (models.services.deadlines.replan and
    the OParl bulk replay), so both store the same JSON."""
    explained = explain_planned(rules, planned, meetings=meetings)
    return explained.explanation.as_dict() if explained else None


def with_steps(stored: dict[str, Any] | None, steps: Sequence[str]) -> dict[str, Any] | None:
    """A stored explanation with steps appended that the rules do not compute: the
    Dringlichkeit that chose the shortened rule, a Fristverlängerung that moved the date."""
    if stored is None or not steps:
        return stored
    return {**stored, "steps": [*stored.get("steps", ()), *steps]}


def extension_steps(stored: dict[str, Any] | None) -> list[str]:
    """The Fristverlängerung steps of a stored explanation, to carry over when the deadline
    is re-planned while its extension holds."""
    return [s for s in (stored or {}).get("steps", ()) if str(s).startswith(EXTENSION_STEP)]


def urgency_step(at: datetime, reason: str | None) -> str:
    """'dringlich festgestellt am 08.06.2021, Grund: …': why the shortened rule applies."""
    return f"dringlich festgestellt am {to_local(at):%d.%m.%Y}" + (
        f", Grund: {reason}" if reason else ""
    )


def explained_line(stored: dict[str, Any] | None) -> str | None:
    """The one German line a mail, a calendar entry or a table shows for a stored explanation
    ("So berechnet: …"); None for a deadline planned before it was stored (migration 0010)."""
    return Explanation.from_dict(stored).line() if stored else None


def version_step(rules: RuleSet, anchor: datetime) -> str:
    """The first step of a deadline of a versioned profile: which version its anchor's day
    falls in ("Fassung „GO 2020“ (ab 01.11.2020) gilt am 03.11.2020")."""
    version = rules.version_at(anchor)
    assert version is not None
    day = to_local(anchor).date()
    if day < version.valid_from:
        return (
            f"{day:%d.%m.%Y} liegt vor der ersten erfassten Fassung: "
            f"Fassung „{version.name}“ ({version.period()}) angewandt"
        )
    return f"Fassung „{version.name}“ ({version.period()}) gilt am {day:%d.%m.%Y}"


def _rule(rules: RuleSet, name: str) -> Rule:
    try:
        return rules.profile.deadlines[name]
    except KeyError:
        known = ", ".join(rules.profile.deadlines)
        raise RuleError(f"{rules.name}: keine Regel {name!r} ({known})") from None
