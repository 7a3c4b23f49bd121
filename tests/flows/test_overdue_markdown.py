"""The overdue artifact as markdown: one table per committee, cells cut to fit 1440 px (the
browser measures the fit in test_ui_screens.py; this checks the text)."""

from __future__ import annotations

from datetime import date, datetime

from flows.render import CELL_CHARS, OVERDUE_COLUMNS, overdue_markdown
from models.domain.timeutil import BERLIN
from models.services.overview import Overdue, overdue_table


def _item(committee: str | None, ref: str, due: str, **kw: object) -> Overdue:
    values: dict[str, object] = {
        "committee": committee,
        "reference": ref,
        "title": "Sanierung der Turnhalle an der Grundschule Am Lindenplatz",
        "public": True,
        "label": "Stellungnahme der Verwaltung",
        "responsible": "fachamt",
        "office": "Amt 61 (Stadtplanung und Bauordnung)",
        "due": datetime.fromisoformat(due).replace(tzinfo=BERLIN),
    }
    values.update(kw)
    return Overdue(**values)  # type: ignore[arg-type]


def test_one_table_per_committee_with_the_committee_as_heading() -> None:
    rows = overdue_table(
        [
            _item("Sozialausschuss", "A 26/0002", "2026-11-20T12:00", office=None),
            _item("Bauausschuss", "A 26/0003", "2026-11-25T23:59"),
            _item(
                "Sozialausschuss",
                "A 26/0001",
                "2026-11-02T23:59",
                responsible="gremium",
                office=None,
                label="Beratung in der Sitzung",
            ),
            _item(
                None,
                "A 26/0004",
                "2026-10-01T12:00",
                public=False,
                label="Wiedervorlage: Stand der Umsetzung",
            ),
        ],
        date(2026, 11, 30),
        lambda ref: f"http://ui/verlauf/{ref[-4:]}",
    )
    text = overdue_markdown(rows, heading="Überfällige Fristen, Stand 30.11.2026 07:00", note="4")
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        "# Überfällige Fristen, Stand 30.11.2026 07:00",
        "## Bauausschuss (1)",
        "## Sozialausschuss (2)",
        "## (ohne Gremium) (1)",
    ]
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert table.count("| " + " | ".join(OVERDUE_COLUMNS) + " |") == 3  # no Gremium column
    body = [line for line in table if not line.startswith("| Vorlage")]
    assert body == [
        "| [A 26/0003](http://ui/verlauf/0003) | Sanierung der Turnhalle… | Stellungnahme… "
        "| Amt 61 | 25.11.26 | 5 |",
        "| [A 26/0001](http://ui/verlauf/0001) | Sanierung der Turnhalle… "
        "| Beratung in der Sitzung | Gremium | 02.11.26 | 28 |",
        "| [A 26/0002](http://ui/verlauf/0002) | Sanierung der Turnhalle… | Stellungnahme… "
        "| Fachamt | 20.11.26 | 10 |",
        "| [A 26/0004](http://ui/verlauf/0004) | nichtöffentlich | Wiedervorlage | Amt 61 "
        "| 01.10.26 | 60 |",
    ]
    for line in body:
        cells = dict(zip(OVERDUE_COLUMNS, line.strip("| ").split(" | "), strict=True))
        assert all(len(cells[c]) <= n for c, n in CELL_CHARS.items()), cells


def test_nothing_overdue_says_so() -> None:
    text = overdue_markdown([], heading="Überfällige Fristen, Stand 30.11.2026 07:00")
    assert "Keine überfälligen Fristen." in text
    assert "|" not in text


def test_an_extended_deadline_says_so_within_the_frist_column() -> None:
    # extended from 20.11. to 25.11.2026 and from 01.10. to 15.10.2026: "fällig seit" is the
    # extended date, the Frist cell keeps a mark however long the label
    extended = {"extended_from": datetime(2026, 11, 20, 12, tzinfo=BERLIN)}
    rows = overdue_table(
        [
            _item("Sozialausschuss", "A 26/0002", "2026-11-25T12:00", office=None, **extended),
            _item("Sozialausschuss", "A 26/0003", "2026-11-24T12:00", office=None),
            _item(
                "Sozialausschuss",
                "A 26/0004",
                "2026-10-15T23:59",
                label="Wiedervorlage: Stand der Umsetzung",
                extended_from=datetime(2026, 10, 1, 23, 59, tzinfo=BERLIN),
            ),
            _item("Sozialausschuss", "A 26/0005", "2026-11-26T23:59", label="Ladung", **extended),
        ],
        date(2026, 11, 30),
    )
    assert [r["Frist"] for r in rows] == [
        "Wiedervorlage: Stand der Umsetzung (verlängert)",
        "Stellungnahme der Verwaltung",
        "Stellungnahme der Verwaltung (verlängert)",
        "Ladung (verlängert)",
    ]
    text = overdue_markdown(rows, heading="Überfällige Fristen, Stand 30.11.2026 07:00")
    body = [line for line in text.splitlines() if line.startswith("| A 26/")]
    cells = [
        dict(zip(OVERDUE_COLUMNS, line.strip("| ").split(" | "), strict=True)) for line in body
    ]
    assert [(c["Vorlage"], c["Frist"], c["fällig seit"], c["Tage"]) for c in cells] == [
        ("A 26/0004", "Wiedervorlage (verl.)", "15.10.26", "46"),
        ("A 26/0003", "Stellungnahme…", "24.11.26", "6"),
        ("A 26/0002", "Stellungnahme… (verl.)", "25.11.26", "5"),
        ("A 26/0005", "Ladung (verlängert)", "26.11.26", "4"),
    ]
    for c in cells:
        assert all(len(c[column]) <= n for column, n in CELL_CHARS.items()), c


def test_the_title_cut_to_fit_opens_the_verlauf() -> None:
    rows = overdue_table(
        [
            _item("Sozialausschuss", "A 26/0001", "2026-11-02T23:59", office=None),
            _item("Sozialausschuss", "A 26/0002", "2026-11-03T23:59", title="Bänke [Nord]"),
        ],
        date(2026, 11, 30),
        lambda ref: f"http://ui/form/{ref[-4:]}",
        lambda ref: f"http://ui/verlauf/{ref[-4:]}",
    )
    text = overdue_markdown(rows, heading="Überfällige Fristen")
    body = [line for line in text.splitlines() if line.startswith("| [A 26/")]
    titles = [line.split(" | ")[1] for line in body]
    # cut first (the link's address takes no room on the screen), then linked
    assert titles == [
        "[Sanierung der Turnhalle…](http://ui/verlauf/0001)",
        "[Bänke \\[Nord\\]](http://ui/verlauf/0002)",
    ]
    assert body[0].startswith("| [A 26/0001](http://ui/form/0001) |")


def test_the_links_lead_into_the_current_ui() -> None:
    from flows.links import run_page, step_link, verlauf_link

    verlauf = verlauf_link("https://prefect.intern/")
    assert verlauf is not None
    assert verlauf("A 21/0500-01") == (
        "https://prefect.intern/v2/artifacts/key/verlauf-a-21-0500-01"
    )
    # the run page of the form's deployment, the reference filled in (JSON in the address,
    # nothing in it that ends a markdown link: no space, no bracket)
    page = run_page("https://prefect.intern/v2", "d-1", "Ä 21/0500-01 (neu)")
    assert page == (
        "https://prefect.intern/v2/deployments/deployment/d-1/run?parameters="
        "%7B%22reference%22%3A%22%C3%84%2021/0500-01%20%28neu%29%22%7D"
    )
    form = step_link("https://prefect.intern", "d-1")
    assert form is not None and form("A 1") == run_page("https://prefect.intern", "d-1", "A 1")
    assert step_link(None, "d-1") is None and verlauf_link("") is None
