"""The overdue table managers read at 07:00: rows built as plain functions (content and
order), and the start of tracking keeping the archive's old deadlines off the list."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from models.domain.intake import parse_document
from models.domain.states import State
from models.domain.timeutil import BERLIN
from models.services import intake
from models.services.deadlines import WaitingList
from models.services.overview import (
    Overdue,
    fit,
    overdue_count,
    overdue_rows,
    overdue_table,
    overview_line,
    overview_markdown,
    short,
    state_line,
    who,
)
from models.store.db import session_scope
from models.store.tables import Body
from tests.conftest import EXAMPLE


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def _item(committee: str | None, ref: str, due: str, **kw: object) -> Overdue:
    values: dict[str, object] = {
        "committee": committee,
        "reference": ref,
        "title": "Kurz",
        "public": True,
        "label": "Stellungnahme der Verwaltung",
        "responsible": "fachamt",
        "office": None,
        "due": at(due),
    }
    values.update(kw)
    return Overdue(**values)  # type: ignore[arg-type]


def test_rows_by_committee_then_oldest_first_with_words_links_and_short_titles() -> None:
    long_title = (
        "Sanierung und energetische Ertüchtigung der Dreifachturnhalle an der "
        "Gesamtschule Nord einschließlich Außenanlagen"
    )
    items = [
        _item("Sozialausschuss", "A 26/0002", "2026-11-20T12:00"),
        _item("Bauausschuss", "A 26/0003", "2026-11-25T23:59", office="Amt 23 (Liegenschaften)"),
        _item("Sozialausschuss", "A 26/0001", "2026-11-02T23:59", title=long_title),
        _item(None, "A 26/0004", "2026-10-01T12:00", responsible="sitzungsdienst"),
        _item(
            "Bauausschuss",
            "A 26/0005",
            "2026-11-10T17:00",
            responsible="gremium",
            public=False,
            title="Grundstücksverkauf Müller",
            label="Beratung",
        ),
    ]
    link = {"A 26/0001": "http://ui/artifacts/key/verlauf-a-26-0001"}.get
    rows = overdue_table(items, date(2026, 11, 30), link)
    assert list(rows[0]) == ["Gremium", "Vorlage", "Titel", "Frist", "wer", "fällig seit", "Tage"]
    assert [(r["Gremium"], r["Vorlage"], r["Tage"]) for r in rows] == [
        ("Bauausschuss", "A 26/0005", 20),
        ("Bauausschuss", "A 26/0003", 5),
        ("Sozialausschuss", "[A 26/0001](http://ui/artifacts/key/verlauf-a-26-0001)", 28),
        ("Sozialausschuss", "A 26/0002", 10),
        ("(ohne Gremium)", "A 26/0004", 60),
    ]
    assert [r["wer"] for r in rows] == [
        "Bauausschuss",  # the committee owes its own session
        "Amt 23 (Liegenschaften)",  # the office named in the step, not 'fachamt (…)'
        "Fachamt",
        "Fachamt",
        "Sitzungsdienst",
    ]
    assert rows[0]["Titel"] == "nichtöffentlich"
    assert rows[2]["Titel"].endswith("…") and len(rows[2]["Titel"]) <= 60
    assert rows[2]["Titel"] == "Sanierung und energetische Ertüchtigung…"  # not "… der…"
    assert rows[1]["fällig seit"] == "25.11.26"  # short: the table fits 1440 px
    assert overdue_table(items, date(2026, 11, 30))[2]["Vorlage"] == "A 26/0001"  # no UI


def test_short_and_who_edge_cases() -> None:
    assert short("  Kurzer   Titel ") == "Kurzer Titel"
    assert short("x" * 61) == "x" * 59 + "…"
    assert len(short("wort " * 30)) <= 60
    assert who("fachamt", "", None) == "Fachamt"
    assert who("gremium", None, None) == "Gremium"
    assert who("ortsbeirat_nord", None, "Rat") == "Ortsbeirat nord"
    # a cut text does not end on a function word, and keeps a last word that ends at the cut
    assert short("Stellungnahme der Verwaltung zum Haushalt", 20) == "Stellungnahme…"
    assert short("Mehr Grün für die Wohnquartiere im Westen", 32) == (
        "Mehr Grün für die Wohnquartiere…"
    )


def test_fit_keeps_the_name_of_an_office_or_a_deadline() -> None:
    assert fit("Amt 23 (Liegenschaften)", 24) == "Amt 23 (Liegenschaften)"
    assert fit("Amt 61 (Stadtplanung und Bauordnung)", 20) == "Amt 61"
    assert fit("Wiedervorlage: Stand der Umsetzung", 24) == "Wiedervorlage"
    assert fit("Stellungnahme der Verwaltung", 24) == "Stellungnahme…"
    assert fit("Bürgermeister/in", 20) == "Bürgermeister/in"


def test_overview_line_is_numbers_and_the_states_a_list_that_wraps() -> None:
    waiting = {State.submitted: 2, State.scheduled: 0, State.report_requested: 1}
    line = overview_line("Sozialausschuss", waiting, {"kommend": 4, "heute": 0, "überfällig": 3})
    assert line == "| Sozialausschuss | 3 | 4 | 0 | **3** |"
    long = "Ausschuss für Stadtentwicklung, Bauen, Verkehr und Digitalisierung"
    assert overview_line(long, waiting, {"kommend": 0, "heute": 0, "überfällig": 0}).startswith(
        "| Ausschuss für Stadtentwicklung, Bauen… | 3 |"
    )
    assert state_line(long, waiting) == f"- **{long}**: 2 eingereicht, 1 Bericht angefordert"


def _import(engine: Engine, text: str, ref: str, when: str) -> None:
    with session_scope(engine) as session:
        intake.import_paper(
            session,
            parse_document(text.encode(), f"{ref}.txt"),
            body_name="Kommune",
            now=at(when),
            actor="t",
        )


def test_the_committees_of_a_long_named_body_keep_their_names_in_the_table(
    engine: Engine,
) -> None:
    """Two bodies share the database, so the table names each committee with its body; the
    body of a long name is cut, not the committee ('Große Kreisstadt Hoyerswerda-Mitte:
    Sozialausschuss' used to be cut to the body, which both of its committees then read),
    and the list below keeps the names whole."""
    from models.services.meetings import add_committee
    from models.services.overview import GREMIUM_CHARS

    long = "Große Kreisstadt Hoyerswerda-Mitte"
    text = EXAMPLE.read_text(encoding="utf-8")
    papers = [
        (long, "Sozialausschuss", "A 21/0500-01"),
        (long, "Bauausschuss", "A 21/0501-01"),
        ("Stadt Kamenz", "Sozialausschuss", "A 21/0502-01"),
    ]
    for body, committee, ref in papers:
        with session_scope(engine) as session:
            add_committee(session, body_name=body, name=committee)
            intake.import_paper(
                session,
                parse_document(
                    text.replace("A 21/0500-01", ref)
                    .replace("Sozialausschuss 15.06.2021", f"{committee} 15.06.2021")
                    .encode(),
                    f"{ref}.txt",
                ),
                body_name=body,
                now=at("2021-06-07T10:15"),
                actor="t",
            )
    with session_scope(engine) as session:
        overview = overview_markdown(session, at("2021-06-08T07:00"), waiting=WaitingList([]))
    lines = overview.splitlines()
    table = lines[lines.index("|---|--:|--:|--:|--:|") + 1 :]
    cells = [line.split(" | ")[0].removeprefix("| ") for line in table[: table.index("")]]
    assert cells == [
        "Große Kreisstadt…: Bauausschuss",
        "Große Kreisstadt…: Sozialausschuss",
        "Stadt Kamenz: Sozialausschuss",
    ]
    assert all(len(cell) <= GREMIUM_CHARS for cell in cells)
    assert f"- **{long}: Sozialausschuss**: 1 eingereicht" in lines
    assert f"- **{long}: Bauausschuss**: 1 eingereicht" in lines


def test_cut_committee_names_stay_apart() -> None:
    """Where cutting the body first is not enough (bodies alike at the start, committees
    alike at the start), the cell keeps both ends, or else the whole name."""
    from models.services.overview import cell_names

    mitte, nord = "Große Kreisstadt Hoyerswerda-Mitte", "Große Kreisstadt Hoyerswerda-Nord"
    umwelt = "Ausschuss für Umwelt, Klima und Energie"
    parts: dict[int, tuple[str | None, str]] = {
        1: (mitte, "Sozialausschuss"),
        2: (nord, "Sozialausschuss"),
        3: (mitte, umwelt),
        4: (mitte, umwelt.replace("Energie", "Verkehr")),
        5: ("Stadt Kamenz", "Rat"),
        6: (None, "Ausschuss für Stadtentwicklung, Bauen, Verkehr und Digitalisierung"),
    }
    cells = cell_names(parts, 40)
    assert len(set(cells.values())) == len(parts)
    assert all(len(cell) <= 40 for cell in cells.values())
    assert cells[1].endswith("tte: Sozialausschuss") and cells[2].endswith("ord: Sozialausschuss")
    assert cells[3].endswith("Energie") and cells[4].endswith("Verkehr")
    assert cells[5] == "Stadt Kamenz: Rat"
    assert cells[6] == "Ausschuss für Stadtentwicklung, Bauen…"
    # names alike at both ends: whole rather than one cell for two
    a = "Ausschuss für Umwelt und Klima (Unterausschuss A) der Großen Kreisstadt Hoyerswerda"
    b = a.replace("(Unterausschuss A)", "(Unterausschuss B)")
    assert cell_names({1: (None, a), 2: (None, b)}, 40) == {1: a, 2: b}


def test_the_list_not_computable_yet_keeps_committees_apart() -> None:
    """Two committees alike in their first 24 characters: the list's column tells them
    apart (it cut both to 'Ausschuss für Umwelt…')."""
    from models.services.deadlines import Waiting
    from models.services.overview import waiting_section

    label, reason = "Auf die Tagesordnung", "noch keine übernächste Sitzung terminiert"
    items = [
        Waiting(1, "Stadt", f"A 21/000{i}-01", committee, "r", label, reason)
        for i, committee in enumerate(
            ("Ausschuss für Umwelt, Klima und Energie", "Ausschuss für Umwelt, Klima und Verkehr")
        )
    ]
    rows = [line for line in waiting_section(WaitingList(items)) if "A 21/" in line]
    committees = [row.split(" | ")[0].removeprefix("| ") for row in rows]
    assert len(set(committees)) == 2, committees
    assert all(len(c) <= 24 for c in committees)


def test_an_archive_motion_before_the_start_of_tracking_does_not_top_the_list(
    engine: Engine,
) -> None:
    old = EXAMPLE.read_text(encoding="utf-8")
    new = (
        old.replace("A 21/0500-01", "A 26/0612-01")
        .replace("07.06.2021", "02.11.2026")
        .replace("15.06.2021", "24.11.2026")
    )
    _import(engine, old, "A 21/0500-01", "2021-06-07T10:15")
    _import(engine, new, "A 26/0612-01", "2026-11-02T10:15")
    now = at("2026-11-30T07:00")
    with session_scope(engine) as session:
        before = overdue_rows(session, now)
        assert before[0]["Vorlage"] == "A 21/0500-01"  # 1999 days: the archive tops the list
        assert before[0]["Tage"] > 1900
        body = session.exec(select(Body)).one()
        body.oparl_history_before = at("2026-01-01T00:00")  # tracking started this year
        session.add(body)
    with session_scope(engine) as session:
        rows = overdue_rows(session, now)
        count = overdue_count(session, now)
        overview = overview_markdown(session, now, waiting=WaitingList([]))
    assert rows and {r["Vorlage"] for r in rows} == {"A 26/0612-01"}
    assert max(r["Tage"] for r in rows) < 40
    assert count == len(rows)
    assert f"Überfällige Fristen insgesamt: **{count}**" in overview


def test_the_oldest_are_chosen_across_open_and_missed_deadlines(engine: Engine) -> None:
    """The table's oldest `limit` are read per status from the sweep index and merged: with
    open and missed deadlines whose due dates alternate, the first rows are the oldest of
    both, in due order, and a body's table holds only its own."""
    import sqlalchemy as sa

    from models.services.overview import overdue_items
    from models.store.tables import Deadline

    old = EXAMPLE.read_text(encoding="utf-8")
    _import(engine, old, "A 21/0500-01", "2021-06-07T10:15")
    _import(engine, old.replace("A 21/0500-01", "A 21/0501-01"), "A 21/0501-01", "2021-06-07T10:16")
    table = Deadline.__table__  # type: ignore[attr-defined]
    with session_scope(engine) as session:
        found = session.exec(select(Deadline.id).order_by(col(Deadline.id))).all()
        ids = [i for i in found if i is not None]
        assert len(ids) >= 4
        for n, deadline_id in enumerate(ids):  # the last id due first; missed/open in turn
            session.connection().execute(
                sa.update(table)
                .where(table.c.id == deadline_id)
                .values(
                    due=at(f"2021-06-{len(ids) - n:02d}T12:00"),
                    status="missed" if n % 2 == 0 else "open",
                    kind="report",
                )
            )
        body_id = session.exec(select(Body.id)).one()
    now = at("2021-07-01T07:00")
    with session_scope(engine) as session:
        oldest = overdue_items(session, now, limit=3)
        everything = overdue_items(session, now)
        of_body = overdue_items(session, now, limit=3, body_id=body_id)
        other = overdue_items(session, now, body_id=body_id + 1)
    days = [item.due.astimezone(BERLIN).day for item in oldest]
    assert days == [1, 2, 3]
    assert [i.due for i in everything] == sorted(i.due for i in everything)
    assert len(everything) == len(ids)
    assert of_body == oldest
    assert other == []
