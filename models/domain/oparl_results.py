"""Agenda item results read the way a Sitzungsdienst reads them. Pure: text in, reading out.

Council information systems write `AgendaItem.result` as free text. What the recorded real
answers hold (tests/domain/oparl_results_huertgenwald.tsv lists every distinct one of
Hürtgenwald's 2,030 results) falls into a few kinds:

- a result word or sentence: "beschlossen", "einstimmig angenommen", "Ohne Widerrede wird dem
  Vorschlag zugestimmt", "zur Kenntnis genommen", "vertagt", also at the end of a long text
  ("…Mit diesem Beratungsergebnis wurde die Hebesatzsatzung abgelehnt.");
- a vote alone: "einstimmig, 0 Enthaltungen" (accepted), "6 Ja-Stimmen, 6 Nein-Stimmen,
  1 Enthaltung" (decided by the counts: more yes than no is accepted; a tie is a rejection,
  GO NRW § 50 (1) Satz 2 "Bei Stimmengleichheit gilt ein Antrag als abgelehnt");
- "ohne" (no vote): for a Mitteilungsvorlage that is the Kenntnisnahme; "entfällt": the
  item was not dealt with.

Everything else is not guessed but flagged ("Ergebnis prüfen") with the reason: votes on
several parts with different outcomes, vote tables whose totals run into each other
("…Gesamt2410"), votes that need a qualified majority, counts without a Nein, texts without
any result word. A flagged result is stored and listed for staff (`ratsfrist oparl-review`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.domain.states import Result, ResultKind, UnknownResult, parse_result

REVIEW = "Ergebnis prüfen"
ACCEPTED = Result.beschlossen
REJECTED = Result.abgelehnt

NOT_HELD = "abgesetzt"
WITHDRAWN = "zurückgezogen"


@dataclass(frozen=True, slots=True)
class Reading:
    """What a result text says: a Result, 'abgesetzt' / 'zurückgezogen' for an item not dealt
    with, or None; `review` names why staff must look at it (None: nothing to check)."""

    result: Result | str | None
    review: str | None = None
    how: str = ""
    """How it was read: Wortlaut, Abstimmung, ohne Abstimmung (for the audit log)."""


#: Result phrases, most specific first; matched on the folded text (lower case, one space).
_PHRASES: tuple[tuple[str, Result | str], ...] = (
    (r"\babgesetzt\b|\bentf[äa]llt\b", NOT_HELD),
    (r"\bzur[üu]ckgezogen\b", WITHDRAWN),
    (r"\bnicht empfohlen\b|\bnicht zu empfehlen\b", Result.nicht_empfohlen),
    (
        r"\bmit [äa]nderungen? empfohlen\b|\bge[äa]ndert empfohlen\b",
        Result.mit_aenderungen_empfohlen,
    ),
    (r"\bempfohlen\b|\bempfiehlt\b", Result.empfohlen),
    (
        r"\babgelehnt\b|\bzur[üu]ckgewiesen\b|\bnicht stattgegeben\b|\bnicht gefolgt\b"
        r"|\babgeleh",
        REJECTED,
    ),
    (r"\bvertagt\b", Result.vertagt),
    (r"\bzur[üu]ckgestellt\b", Result.zurueckgestellt),
    (r"\bverwiesen\b", Result.verwiesen),
    (r"\bzur kenntnis\b|\bkenntnis genommen\b", Result.zur_kenntnis_genommen),
    (r"\bunver[äa]ndert beschlossen\b", Result.ungeaendert_beschlossen),
    (
        r"\bge[äa]ndert beschlossen\b|\bmit [äa]nderungen? (?:beschlossen|angenommen)\b",
        Result.geaendert_beschlossen,
    ),
    (r"\bbeschlossen\b|\bangenommen\b|\bzugestimmt\b|\bstattgegeben\b", ACCEPTED),
)
_PHRASE = re.compile("|".join(f"(?P<p{i}>{p})" for i, (p, _) in enumerate(_PHRASES)))

#: "einstimmig" with the typos the recorded data has (enstimmig, einstimimig, Einstimmung).
_UNANIMOUS = re.compile(r"\bei?nstim+i?m+i[gt]|\beinstimmung")
#: One count of a vote: "12 Ja-Stimmen", "1x nein", "2 Gegenstimmen", "0 Enthaltungen".
_COUNT = re.compile(
    r"(\d+)\s*x?\s*[-–]?\s*(?:(?P<ja>ja)\b|(?P<nein>nein\b|gegenstimme)|(?P<enth>(?:stimm)?enthalt))"
)
_TABLE = re.compile(r"janeinenthaltung|mitgliedparteiabstimmung|\(\w+\)\s*:\s*ja\w")
_PARTS = re.compile(
    r"(?:^|[\s.:;)])(?:zu\s+)?(?:[a-e]\)|\d\.\s?\D|\d\))|\bnr\.?\s*\d|\bpunkt\s+[a-z0-9]"
    r"|\balternative\b|\bvorschlag\s+\d|\bgrundsteuer\b|\bantrag\s+(?:der|des)\b"
)
_QUALIFIED = re.compile(r"zwei\s*dritt|2/3|qualifizierte|gesetzlichen zahl")
_NO_VOTE = re.compile(
    r"^(?:(?:ohne|keine)(?:\s*abstimmung)?(?:,? da mitteilungsvorlage)?"
    r"|es erfolgte? keine abstimmung)$"
)


def fold(text: str) -> str:
    """Lower case, one space between words, trailing dots and commas gone."""
    return re.sub(r"\s+", " ", text.lower()).strip(" .,;")


def read_result(text: str | None, *, paper_type: str | None = None) -> Reading:
    """Read a result text; see the module docstring for what is read and what is flagged."""
    if text is None or not text.strip():
        return Reading(None)
    try:
        return Reading(parse_result(text.strip()), how="Wortlaut")
    except UnknownResult:
        pass
    folded = fold(text)
    if _NO_VOTE.match(folded):
        if paper_type and "mitteilung" in paper_type.lower():
            return Reading(Result.zur_kenntnis_genommen, how="ohne Abstimmung (Mitteilung)")
        return Reading(None, f"{REVIEW}: ohne Abstimmung, aber keine Mitteilungsvorlage")
    if _QUALIFIED.search(folded):
        return Reading(None, f"{REVIEW}: qualifizierte Mehrheit nötig, von Hand entscheiden")
    phrases = [
        _PHRASES[int(name[1:])][1]
        for match in _PHRASE.finditer(folded)
        for name, value in match.groupdict().items()
        if value is not None
    ]
    votes, unreadable = _votes(folded)
    several = len(_PARTS.findall(folded)) > 1 or len(votes) + unreadable > 1 + _doubled(folded)
    if phrases and not several:
        return Reading(phrases[-1], how="Wortlaut")
    outcomes = set(phrases) | set(votes)
    if several and len(outcomes) == 1 and not unreadable:
        return Reading(outcomes.pop(), how="mehrere Abstimmungen, gleicher Ausgang")
    if several and outcomes:
        return Reading(None, f"{REVIEW}: mehrere Teilabstimmungen mit verschiedenem Ausgang")
    if unreadable:
        return Reading(None, f"{REVIEW}: Abstimmung ohne lesbares Gesamtergebnis")
    if votes:
        return Reading(votes[0], how="Abstimmung")
    return Reading(None, f"{REVIEW}: kein Ergebnis im Text erkannt")


def _votes(folded: str) -> tuple[list[Result], int]:
    """The outcomes of the votes in the text, and how many votes could not be read.

    Counts are grouped in the order written; a kind seen again starts the next vote. A vote
    with Ja and Nein is decided by them (more yes than no carries it; a tie is a rejection,
    GO NRW § 50 (1)); Ja with abstentions and no Nein at all is a complete record without
    opposition; Ja alone (an election among candidates, a count left unfinished) is not."""
    outcomes: list[Result] = [ACCEPTED for _ in _UNANIMOUS.finditer(folded)]
    unreadable = len(_TABLE.findall(folded))
    groups: list[dict[str, int]] = []
    for match in _COUNT.finditer(folded):
        kind = next(k for k in ("ja", "nein", "enth") if match.group(k))
        if not groups or kind in groups[-1]:
            groups.append({})
        groups[-1][kind] = int(match.group(1))
    for group in groups:
        if "ja" in group and "nein" in group:
            outcomes.append(ACCEPTED if group["ja"] > group["nein"] else REJECTED)
        elif "ja" in group and "enth" in group and group["ja"] > 0 and "nein" not in folded:
            outcomes.append(ACCEPTED)
        elif "ja" in group or "nein" in group:
            unreadable += 1
    return outcomes, unreadable


def _doubled(folded: str) -> int:
    """'einstimmig12 Ja-Stimmen, 0 Nein-Stimmen' is one vote said twice."""
    return len(re.findall(r"ein?stimmig\s*[:,]?\s*\d+\s*[-–]?\s*ja", folded))


# --- what a result means for one consultation ---------------------------------------------------

#: A preliminary committee that "beschließt" recommends; a deciding one that "empfiehlt"
#: decides. Council systems use both wordings for both roles.
_AS_RECOMMENDATION = {
    Result.beschlossen: Result.empfohlen,
    Result.ungeaendert_beschlossen: Result.empfohlen,
    Result.geaendert_beschlossen: Result.mit_aenderungen_empfohlen,
    Result.abgelehnt: Result.nicht_empfohlen,
}
_AS_RESOLUTION = {v: k for k, v in _AS_RECOMMENDATION.items() if k is not Result.beschlossen}


def for_consultation(result: Result | str | None, *, authoritative: bool) -> Result | str | None:
    """The result as the lifecycle takes it for a deciding or a preliminary consultation."""
    if not isinstance(result, Result):
        return result
    if not authoritative and result.kind is ResultKind.resolution:
        return _AS_RECOMMENDATION[result]
    if authoritative and result.kind is ResultKind.recommendation:
        return _AS_RESOLUTION[result]
    return result


def result_of(text: str | None, *, authoritative: bool) -> Result | str | None:
    """The lifecycle result an agenda item's result text means for a consultation, 'abgesetzt'
    / 'zurückgezogen' for an item not dealt with, or None for no or an unreadable result."""
    return for_consultation(read_result(text).result, authoritative=authoritative)


# --- roles the source leaves unsaid ------------------------------------------------------------

_COUNCIL = re.compile(
    r"\b(?:rat|gemeinderat|stadtrat|kreistag|bezirksvertretung|ratsversammlung|"
    r"stadtverordnetenversammlung|gemeindevertretung|b[üu]rgerschaft|"
    r"verbandsversammlung|regionalrat|landschaftsversammlung)\b"
)
DECIDING = ("Entscheidung", True)
PRELIMINARY = ("Vorberatung", False)


def is_council(*names: str | None) -> bool:
    """Does a name or classification name a council ("Rat der Stadt", "Gemeinderat",
    "Kreistag", "Bezirksvertretung" …)? A Beirat or Ältestenrat is not one."""
    return any(_COUNCIL.search(name.lower()) for name in names if name)


def inferred_roles(councils: list[bool]) -> list[tuple[str, bool]]:
    """Role and authoritative for a Beratungsfolge whose source says neither (SD.NET).

    The rule: a consultation in a council decides (the council has the last word on what
    comes before it); so does the last consultation of the paper (a committee deciding by
    delegation, or the council); every earlier one in another committee is a Vorberatung.
    `councils` holds, in the order of the Beratungsfolge, whether each organization is a
    council (is_council)."""
    last = len(councils) - 1
    return [
        DECIDING if council or index == last else PRELIMINARY
        for index, council in enumerate(councils)
    ]
