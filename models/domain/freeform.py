"""The layout-independent reader: RIS pages (ALLRIS vo020/to020, ALLRIS 4, SessionNet),
forms read cell by cell, and the letters factions type. Pure.

Why a second reader beside the RIS print's (models.domain.intake): that one reads one layout
line by line and refuses the rest. Here labelled fields are taken wherever they stand, the
body is cut at the headings any of these layouts uses, and every field the reader had to
guess or could not find is named in `ParsedPaper.uncertain` (German, for staff), so that the
paper waits for review instead of being taken in wrong. A faction's motion without number or
Beratungsfolge is registered that way, not refused.
"""

from __future__ import annotations

import re
from datetime import date

from models.domain.document import (
    MAX_LEGAL_BASIS,
    QUESTION_TYPES,
    IntakeError,
    ParsedPaper,
    ParsedSignatory,
    Uncertainty,
)
from models.domain.header_lines import HeadFacts, paper_type_of, read_line
from models.domain.intake_text import Line, join_wrapped
from models.domain.items import proposal, prose_questions
from models.domain.labels import header_fields
from models.domain.letter_end import signatures, split_end
from models.domain.paper_fields import (
    consultations_of,
    end_date,
    paper_date,
    paper_type_from,
    public_of,
    reference_of,
    submitters_of,
    title_of,
)
from models.domain.text import fold

_HEADINGS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("rows", re.compile(
        r"^(?:Beratungsfolge|Gremium\s+Sitzung\s+Sitzungsdatum\b.*)\s*:?\s*$", re.I)),
    ("proposal", re.compile(
        r"^(?:Beschlussvorschlag|Beschlussentwurf|Beschlussempfehlung|Antragstext|Beschlusstext"
        r"|Wir beantragen|Ich beantrage)(?:\s*:\s*(?P<rest>.*)|\s*)$", re.I)),
    ("proposal", re.compile(r"^(?P<whole>(?:Wir beantragen|Ich beantrage),\s.*)$", re.I)),
    ("proposal", re.compile(
        r"^(?P<lead>.{0,160}\b(?:beschließen|beschließt|beantragt|beantragen|gestellt))"
        r"\s*:\s*(?P<rest>.*)$")),
    ("questions", re.compile(
        r"^(?:Fragen|Wir fragen[^:]{0,80}|Ich (?:möchte|frage)[^:]{0,60}"
        r"|.{0,80}folgenden? Fragen[^:]{0,40})"
        r"\s*:\s*(?P<rest>.*)$", re.I)),
    ("reasoning", re.compile(
        r"^\.?(?:Begründung|Sachverhalt|Erläuterungen?|Problembeschreibung|Kurzfassung)"
        r"(?:\s*/\s*\w+)?(?:\s+zum Zeitpunkt[^:]*)?\s*[:.]?\s*(?P<rest>.*)$", re.I)),
    ("attachments", re.compile(r"^Anlagen?\s*:\s*(?P<rest>.*)$|^Anlagen?$", re.I)),
    ("rows", re.compile(r"^Beratungsverlauf\s*:?\s*$", re.I)),
    ("letter", re.compile(r"^(?:Sehr geehrte[rs]?|Liebe[rs]?)\b.*[,!]?$")),
    ("protocol", re.compile(r"^Wortprotokoll$", re.I)),
)  # fmt: skip
_TYPE_COLON = re.compile(r"^(?P<type>\S+(?:\s\S+)?)\s*:\s*\S")
"""'Antrag: Änderung der StUB-Trasse …': a paper type, a colon and the title."""
_TITLE_TAIL = re.compile(r"^[A-ZÄÖÜ„\"][^.!?:;]{0,58}$")
"""'Lindnerstraße': the end of a title wrapped onto the next line - short, no sentence."""
_OPEN_ENDS = frozenset((
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "einem", "eines", "und",
    "oder", "in", "im", "an", "am", "auf", "aus", "bei", "durch", "für", "gegen", "mit", "nach",
    "ohne", "über", "um", "unter", "von", "vom", "zu", "zum", "zur",
))  # fmt: skip
"""Words a title does not end with: 'Änderung der … anstelle durch die' ⏎ 'Lindnerstraße'."""
_SALUTATION = re.compile(r"^(?:Sehr geehrte[rs]?|Liebe[rs]?)\b[^.;:!?]{0,80},$", re.I)
"""A further line of the greeting ('sehr geehrte Damen und Herren,'): no motion text."""
_COLUMN_HEADS = re.compile(
    r"^(?:Gremium|Datum|Sitzung)\b.*(?:Zuständigkeit|Status|Rolle|Beratungstyp)", re.I
)
"""'Gremium : Datum: Status: Zuständigkeit:': the column heads of a Beratungsfolge, no row."""
_BARE_MOTION = re.compile(r"^(?:Antrag|Antragstext|Beschlusstext)\s*:?$")
_HEADING_WORDS = (
    "beratungsfolge", "gremium", "beschluss", "antragstext", "wir", "ich", "fragen",
    "begründung", "sachverhalt", "erläuterung", "problembeschreibung", "kurzfassung", "anlage",
    "sehr", "liebe", "wortprotokoll", "antrag",
)  # fmt: skip
"""First words of the headings that need no colon: a quick test before the patterns."""
_UI_NOISE = frozenset({"reduzieren", "erweitern"})
"""Buttons of ALLRIS 4 pages that their text keeps."""
_SAME_NUMBER = re.compile(r"^(\s*)1\.(\s)")
MAX_QUESTION = 600
"""A question longer than this is more likely two questions or a question and its reasoning."""
_MINUTES_HEADING = re.compile(
    r"^(?:Sitzungs)?(?:Niederschrift|Verhandlungsschrift|Protokoll|Sitzungsprotokoll"
    r"|Ergebnisprotokoll|Beschlussprotokoll|Wortprotokoll)(?:\s{3,}|\s+(?:über|der|zur|vom)\b|$)",
    re.IGNORECASE,
)
_MINUTES_PROOF = re.compile(
    r"^(?:Beginn(?: der Sitzung)?\s*:|Sitzungsbeginn\s*:|A\s?n\s?w\s?e\s?s\s?e\s?n\s?d"
    r"|Teilnehmer(?:innen)?\s*:)",
    re.IGNORECASE,
)
_INVITATION_HEADING = re.compile(
    r"^(?:Einladung(?:\s{3,}|\s+(?:zur|zum|zu|für|der)\b|$)|Tagesordnung\s+(?:zur|für|der)\b)",
    re.IGNORECASE,
)
"""'Einladung' (Erlangen and Wels: the letterhead's column beside it), 'Einladung zur 4.
Sitzung …', 'Tagesordnung der Sitzung …'. Not a bare 'Tagesordnung': a motion to put an item
on the agenda may quote it as a heading; nor 'Tagesordnung - 29. Sitzung …', the head of an
ALLRIS agenda item with its Vorlage."""
_AGENDA = re.compile(
    r"^(?:(?:Öffentliche|Nicht\s?öffentliche)\s+)?Tagesordnung\b|^TOP\s*1\b", re.IGNORECASE
)
"""The agenda's own heading or its first item, at the start of a line."""
_MEETING_TIME = re.compile(r"\b\d{1,2}[.:]\d{2}\s*Uhr\b|^Beginn\s*:", re.IGNORECASE)
"""'18:30 Uhr', 'um 15.00 Uhr', 'Beginn: 17 Uhr': when the meeting starts."""
MEETING_PAPERS: tuple[tuple[str, re.Pattern[str], tuple[re.Pattern[str], ...]], ...] = (
    ("Niederschrift einer Sitzung", _MINUTES_HEADING, (_MINUTES_PROOF,)),
    ("Einladung zu einer Sitzung", _INVITATION_HEADING, (_AGENDA, _MEETING_TIME)),
)
"""A meeting's own papers: what staff are told, the heading, and what proves it (every
pattern somewhere near the top). Minutes prove themselves by their start time or the list of
those present; an invitation by its agenda and the hour the meeting begins."""
MEETING_HEAD_LINES = 40
"""Non-blank lines at the top searched for the heading of a meeting's minutes or invitation."""
MEETING_NEAR_LINES = 12
"""How far below the heading "Sitzung" may stand: Wels puts the letterhead's column of
address lines between 'Verhandlungsschrift' and '5. Sitzung des Gemeinderates' (10 lines),
and between 'Einladung' and '4. Sitzung des Gemeinderates' (11 lines)."""
MEETING_PROOF_LINES = 120
"""Non-blank lines at the top searched for the proof (start time, those present, agenda)."""


def parse_freeform(lines: list[Line], source: str, received: date | None = None) -> ParsedPaper:
    """Every field this reader can find, the doubtful ones named in `uncertain`; an
    IntakeError only where there is nothing to register (no title, no text, no date and no
    `received` day to fall back on)."""
    meeting = meeting_heading(lines)
    if meeting is not None:
        what, heading = meeting
        raise IntakeError(
            source,
            heading.no,
            f"{what} ({heading.text.split('   ')[0].strip()!r}), keine "
            "Vorlage – Anträge und Anfragen bitte einzeln einlesen",
        )
    doubts: list[Uncertainty] = []
    head, sections = _cut(lines)
    running = [line for line in head if _is_prose(line.text)]
    if running:  # sentences before any heading: the text of a letter or a listing's entry
        sections["letter"] = sorted(sections.get("letter", []) + running, key=lambda x: x.no)
        head = [line for line in head if not _is_prose(line.text)]
    fields, rest = header_fields(head)
    facts = HeadFacts()
    for line in rest:
        read_line(line.text, facts)
    facts.row_lines = sections.get("rows", [])
    glued = any(
        len(line.text) < 30 and fold(line.text).replace(" ", "") == "ursprungaktuell"
        for line in head
    )

    paper_type, type_word = paper_type_from(fields, facts, sections)
    if type_word:
        doubts.append(Uncertainty("paper_type", f"{type_word!r} als {paper_type} gelesen"))
    consultations = consultations_of(fields, sections, paper_type, source, doubts)
    reference = reference_of(fields, facts, doubts, source)
    public = public_of(fields, doubts)
    name, subtitle = title_of(fields, facts, rest, doubts)

    body_kind = "questions" if paper_type in QUESTION_TYPES else "proposal"
    texts = {key: list(value) for key, value in sections.items() if key not in ("rows", "protocol")}
    if "letter" in texts:
        merged = texts.setdefault(body_kind, []) + texts.pop("letter")
        texts[body_kind] = sorted(merged, key=lambda line: line.no)
    last = max(texts, key=lambda k: texts[k][-1].no if texts[k] else 0, default=None)
    people: tuple[ParsedSignatory, ...] = ()
    if last is not None and last != "attachments":
        texts[last], block, greeted = split_end(texts[last])
        people, signature_doubts = signatures(block, greeted)
        doubts.extend(Uncertainty("signatories", reason) for reason in signature_doubts)
    signed_on = end_date(texts, last)
    when = paper_date(fields, facts, signed_on, consultations, doubts, source, lines, received)
    if not name:
        name = _stand_in_title(texts)
        if not name:
            raise IntakeError(source, lines[0].no, "Titel fehlt (kein Betreff, keine Titelzeile)")
        doubts.append(Uncertainty("name", f"kein Titel; vorläufig der Anfang des Textes: {name!r}"))

    proposal_lines = _ended(_renumbered(texts.get("proposal", []) + texts.get("questions", [])))
    item_doubts: list[tuple[str, str]] = []
    resolution, items = proposal(proposal_lines, source, item_doubts)
    doubts.extend(Uncertainty(field, reason) for field, reason in item_doubts)
    prose = " ".join(line.text for line in proposal_lines)
    asks = paper_type in QUESTION_TYPES or bool(re.search(r"\bFrage|\bBeantwortung", prose))
    if paper_type in QUESTION_TYPES or "questions" in texts:
        questions = list(items)
    else:
        questions = [item for item in items if "?" in item]
    if not questions and asks:
        questions = prose_questions("\n".join(line.text for line in proposal_lines))
    if not questions and paper_type in QUESTION_TYPES and name.endswith("?"):
        questions = [name]  # 'Anfrage 24-2021: Wie werden … sichergestellt?': the title asks
    for question in questions:
        tail = question.rsplit("?", 1)[-1].strip()
        if "?" in question and tail and not tail.startswith(("“", '"', ")")):
            doubts.append(
                Uncertainty("questions", f"Frage endet nicht mit '?': {question[-60:]!r}")
            )
        if len(question) > MAX_QUESTION:
            doubts.append(
                Uncertainty(
                    "questions",
                    f"ungewöhnlich lange Frage ({len(question)} Zeichen): {question[:50]!r} …",
                )
            )
    reasoning = "\n".join(join_wrapped(p) for p in _paragraphs(texts.get("reasoning", [])) if p)
    if not resolution and not questions and not reasoning:
        raise IntakeError(
            source, lines[-1].no, "weder Beschlussvorschlag noch Fragen noch Begründung"
        )

    submitters = submitters_of(paper_type, fields, facts, people, glued, doubts)
    attachments = tuple(line.text for line in texts.get("attachments", []) if line.text)
    if not reference:
        doubts.append(
            Uncertainty(
                "reference",
                "keine Nummer (Drucksache, Vorlage-Nr.) – eine Eingangsnummer ist zu vergeben",
            )
        )
    if not consultations:
        doubts.append(
            Uncertainty(
                "consultations", "keine Beratungsfolge – Gremium und Sitzung sind zuzuweisen"
            )
        )
    legal_basis = facts.legal_basis
    if legal_basis and len(legal_basis) > MAX_LEGAL_BASIS:
        raise IntakeError(
            source, lines[0].no, f"Rechtsgrundlage zu lang ({len(legal_basis)} Zeichen)"
        )
    return ParsedPaper(
        paper_type=paper_type,
        reference=reference,
        date=when,
        public=public,
        name=name,
        legal_basis=legal_basis,
        subtitle=subtitle,
        submitters=submitters,
        consultations=consultations,
        resolution_proposal=resolution or None,
        questions=tuple(questions),
        reasoning=reasoning or None,
        signatories=people,
        attachments=attachments,
        uncertain=tuple(dict.fromkeys(doubts)),
        source=source,
    )


def meeting_heading(lines: list[Line]) -> tuple[str, Line] | None:
    """What the paper is (`MEETING_PAPERS`) and its heading line, if it is a meeting's minutes
    or invitation, else None. Staff drop them into the intake with the motions. A council's
    minutes quote motions and questions, so the reader found a type, a date and questions in
    them and registered the minutes as one Antrag (Wels, real PDF); an invitation was refused
    as 'unbekanntes Format', which does not tell staff what is wrong. Both are told by their
    heading near the top, "Sitzung" at most twelve lines below it, and their proof; a motion
    about minutes ("Antrag auf Veröffentlichung der Protokolle …") or about the agenda
    ("Antrag auf Aufnahme in die Tagesordnung") has no such heading or no such proof."""
    filled = [line for line in lines if line.text.strip()]
    top = [line.text.strip() for line in filled[:MEETING_PROOF_LINES]]
    found: list[tuple[int, str, Line]] = []
    for what, heading, proofs in MEETING_PAPERS:
        if not all(any(proof.search(text) for text in top) for proof in proofs):
            continue
        for index, line in enumerate(filled[:MEETING_HEAD_LINES]):
            if not heading.match(line.text.strip()):
                continue
            near = filled[index : index + MEETING_NEAR_LINES + 1]
            if any("sitzung" in fold(other.text) for other in near):
                found.append((index, what, line))
                break
    if not found:
        return None
    _, what, line = min(found, key=lambda hit: hit[0])
    return what, line


def _cut(lines: list[Line]) -> tuple[list[Line], dict[str, list[Line]]]:
    """The head (up to the first heading) and the sections by kind, in order. The list of
    attachments of a RIS page ends at its blank line: the text below belongs to the section
    before it ('Sachverhalt' ⏎ 'Anlagen:' ⏎ … ⏎⏎ the Sachverhalt's text)."""
    head: list[Line] = []
    sections: dict[str, list[Line]] = {}
    current: str | None = None
    previous: str | None = None
    listing_done = False
    title_open = False  # a type and title line under the greeting, its title maybe wrapped
    for line in lines:
        if len(line.text) < 12 and fold(line.text) in _UI_NOISE:
            continue
        if title_open and not line.text:
            continue
        if title_open:
            title_open = False
            if _TITLE_TAIL.match(line.text):
                head[-1] = Line(head[-1].no, f"{head[-1].text} {line.text}")
                continue
        listing = current == "attachments" and not listing_done
        kind, rest = _heading(line.text, current)
        if kind is None and _BARE_MOTION.match(line.text) and sum(1 for x in head if x.text) >= 2:
            kind, rest = "proposal", ""  # 'Antrag' over the motion's text, under its title
        if listing and ":" not in line.text:
            kind = None  # 'Beschlussempfehlung' in a list of attachments is an attachment
        if kind:
            previous, current = (current if kind == "attachments" else None), kind
            listing_done = False
            sections.setdefault(kind, [])
            if rest:
                sections[kind].append(Line(line.no, rest))
            continue
        if current is None:
            head.append(line)
        elif (
            current == "letter"
            and not any(x.text for x in sections["letter"])
            and _SALUTATION.match(line.text)
        ):
            continue  # 'Sehr geehrter Herr OB,' ⏎ 'Sehr geehrte Damen und Herren,': one greeting
        elif (
            current == "letter"
            and not any(x.text for x in sections["letter"])
            and (typed := _TYPE_COLON.match(line.text))
            and paper_type_of(typed.group("type"))[0]
        ):
            head.append(line)  # 'Sehr geehrter Herr OB,' ⏎ 'Antrag: Änderung der …' (Erlangen)
            title_open = line.text.split()[-1] in _OPEN_ENDS
        elif current == "attachments" and not line.text and sections["attachments"]:
            listing_done = True
            current = previous or current
        elif (
            current == "rows"
            and not line.text
            and any(not _COLUMN_HEADS.match(x.text) for x in sections["rows"])
        ):
            current = "after-rows"
        elif current == "after-rows":
            head.append(line) if line.text else None
        else:
            sections[current].append(line)
    return head, sections


def _heading(text: str, current: str | None) -> tuple[str | None, str]:
    if not text:
        return None, ""
    first = text.split(None, 1)[0].lower().lstrip(".").rstrip(":,")
    if ":" not in text and not first.startswith(_HEADING_WORDS):
        return None, ""  # most lines: no pattern can match, none is tried
    for kind, pattern in _HEADINGS:
        match = pattern.match(text)
        if not match:
            continue
        if kind == "letter" and current not in (None, "after-rows"):
            return None, ""
        if kind == "proposal" and "lead" in match.groupdict() and current == "proposal":
            return None, ""
        rest = (match.groupdict().get("rest") or match.groupdict().get("whole") or "").strip()
        if kind == "questions" and not re.match(r"^(?:Fragen|Wir fragen|Ich)\b", text):
            rest = text  # '… die folgenden Fragen beantwortet werden:' is the motion's text
        return kind, "" if kind in ("rows", "letter") else rest
    return None, ""


def _stand_in_title(texts: dict[str, list[Line]]) -> str:
    """A letter without any title line is registered under the start of its motion or
    reasoning (a few words, marked as such), not refused: staff give it its title in review."""
    for key in ("proposal", "questions", "reasoning"):
        words = " ".join(line.text for line in texts.get(key, []) if line.text).split()
        if words:
            return " ".join(words[:12]) + (" …" if len(words) > 12 else "")
    return ""


def _is_prose(text: str) -> bool:
    """A sentence of running text, not a head line: long and ending like a sentence."""
    return (
        len(text) >= 100
        and paper_type_of(text)[0] is None  # 'Gemeinsamer Antrag der Fraktion …:' is a head line
        and text.rstrip().endswith((".", "?", "!", ":", "“", '"'))
        and text.count(" ") >= 12
    )


def _paragraphs(lines: list[Line]) -> list[list[str]]:
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line.text:
            paragraphs[-1].append(line.text)
        elif paragraphs[-1]:
            paragraphs.append([])
    return paragraphs


def _ended(lines: list[Line]) -> list[Line]:
    """A question that ends at the end of its line ends its item when the next line starts a
    new sentence without a marker ('… zu?' ⏎ 'Ich bitte um Beantwortung.'): text without
    blank lines, as a PDF gives it, must not add that sentence to the question."""
    out: list[Line] = []
    for line in lines:
        if out and out[-1].text.endswith("?") and line.text[:1].isupper():
            out.append(Line(line.no, ""))
        out.append(line)
    return out


def _renumbered(lines: list[Line]) -> list[Line]:
    """ALLRIS 4 prints every item of a numbered list as '1.': counted again, so that three
    items stay three (the item reader takes a '1.' after the first as a continuation)."""
    ones = [i for i, line in enumerate(lines) if _SAME_NUMBER.match(line.text)]
    if len(ones) < 2 or any(re.match(r"^\s*2\.\s", line.text) for line in lines):
        return lines
    out = list(lines)
    for count, index in enumerate(ones, start=1):
        out[index] = Line(lines[index].no, _SAME_NUMBER.sub(rf"\g<1>{count}.\2", lines[index].text))
    return out
