"""What a manager opens in the Prefect UI, as real flow runs on a test harness: the overdue
table with its links and words (and, in test_human_form.py, the record-step form)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from models.domain.timeutil import BERLIN
from tests.conftest import EXAMPLE

pytestmark = [pytest.mark.prefect, pytest.mark.slow]
HARNESS = pytest.mark.xdist_group("prefect-harness")  # see test_flows.py


@pytest.fixture(scope="module")
def prefect_api() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


@HARNESS
def test_the_overdue_table_links_each_motion_to_its_form_and_its_verlauf(
    prefect_api: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reference opens the record-step deployment's run page in the current UI with the
    reference filled in; the title, cut to fit, opens the motion's Verlauf there."""
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    from flows.app import current_settings, dispose_engines, engine_for
    from flows.links import DEPLOYMENT
    from flows.sweep import OVERDUE_KEY, REPLAY_SUFFIX, deadline_sweep
    from models.domain.intake import parse_document
    from models.services import intake
    from models.store.db import session_scope

    monkeypatch.setenv("RATSFRIST_DATABASE_URL", f"sqlite:///{tmp_path / 'm.sqlite'}")
    monkeypatch.setenv("RATSFRIST_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("RATSFRIST_UI_URL", "https://prefect.example.org/")
    monkeypatch.delenv("RATSFRIST_APPRISE_CONFIG", raising=False)
    dispose_engines()
    flow_name, deployment_name = DEPLOYMENT.split("/")
    with get_client(sync_client=True) as client:  # as `prefect deploy` leaves it
        deployment = client.create_deployment(
            client.create_flow_from_name(flow_name), name=deployment_name
        )
    try:
        with session_scope(engine_for(current_settings())) as session:
            intake.import_paper(
                session,
                parse_document(EXAMPLE.read_bytes(), "v.txt"),
                body_name="Kommune",
                now=at("2021-06-07T10:15"),
                actor="t",
            )
        deadline_sweep(now=at("2021-06-11T07:05"))  # a replay: its own key, nothing sent
    finally:
        dispose_engines()
    with get_client(sync_client=True) as client:
        (artifact,) = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[OVERDUE_KEY + REPLAY_SUFFIX])
            ),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    text = str(artifact.data)
    assert artifact.type == "markdown"
    assert "## Sozialausschuss (2)" in text  # the committee is the heading, not a column
    form = (
        f"https://prefect.example.org/v2/deployments/deployment/{deployment}/run"
        "?parameters=%7B%22reference%22%3A%22A%2021/0500-01%22%7D"
    )
    verlauf = "https://prefect.example.org/v2/artifacts/key/verlauf-a-21-0500-01"
    rows = [line for line in text.splitlines() if line.startswith(f"| [A 21/0500-01]({form}) ")]
    assert [line.split(" | ")[1] for line in rows] == [
        f"[Kommunales Integrationsma…]({verlauf})"
    ] * 2
    assert [line.split(" | ")[2:] for line in rows] == [
        ["Ladung mit Tagesordnung", "Sitzungsdienst", "07.06.21", "4 |"],
        ["Stellungnahme…", "Fachamt", "10.06.21", "1 |"],  # the label cut to fit 1440 px
    ]
    assert "nach Gremium" in (artifact.description or "")


@HARNESS
def test_the_sweep_publishes_for_all_bodies_and_for_each(
    prefect_api: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nordheim (NW) and Kamenz (SN), the same motion for Tue 04.11.2025: on Thu 30.10.2025
    07:05 Kamenz's Stellungnahme (Wed 29.10., 12:00: Reformationstag counts there) is one
    day overdue, Nordheim's (Thu 30.10., 12:00) not yet. One sweep run: the table for all
    shows Kamenz's row, Kamenz's own table the same, Nordheim's says nothing is overdue."""
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    from flows.app import current_settings, dispose_engines, engine_for, submit_document
    from flows.sweep import OVERDUE_KEY, OVERVIEW_KEY, REPLAY_SUFFIX, deadline_sweep
    from models.services.bodies import add_body
    from models.store.db import session_scope
    from tests.services.test_bodies import PROFILES, document

    monkeypatch.setenv("RATSFRIST_DATABASE_URL", f"sqlite:///{tmp_path / 'b.sqlite'}")
    monkeypatch.setenv("RATSFRIST_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("RATSFRIST_APPRISE_CONFIG", raising=False)
    monkeypatch.delenv("RATSFRIST_UI_URL", raising=False)
    dispose_engines()
    path = document(tmp_path, "04.11.2025", "10.10.2025")
    try:
        with session_scope(engine_for(current_settings())) as session:
            for name, profile, land in (
                ("Stadt Nordheim", "nrw-stadt", "NW"),
                ("Stadt Kamenz", "sachsen-stadt", "SN"),
            ):
                add_body(session, name=name, profile=str(PROFILES / f"{profile}.toml"), state=land)
        for name in ("Stadt Nordheim", "Stadt Kamenz"):
            received = at("2025-10-10T09:00")
            submit_document(path, now=received, actor="t", received_at=received, body=name)
        deadline_sweep(now=at("2025-10-30T07:05"))  # a replay: its own keys, nothing sent
    finally:
        dispose_engines()
    keys = {
        scope: OVERDUE_KEY + scope + REPLAY_SUFFIX
        for scope in ("", "-stadt-kamenz", "-stadt-nordheim")
    }
    tables = {}
    with get_client(sync_client=True) as client:
        for scope, key in keys.items():
            (artifact,) = client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
                sort=ArtifactSort.CREATED_DESC,
                limit=1,
            )
            tables[scope] = str(artifact.data)
        (overview,) = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[OVERVIEW_KEY + "-stadt-kamenz" + REPLAY_SUFFIX])
            ),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    # Kamenz (SN): Reformationstag 31.10. is a holiday there, so its Stellungnahme fell due
    # on 29.10. and is one day overdue on the 30th; Nordheim (NW) owes nothing yet.
    for scope in ("", "-stadt-kamenz"):
        assert "| 29.10.25 | 1 |" in tables[scope] and "Stellungnahme" in tables[scope]
        assert "1 überfällig" in tables[scope]
    assert "Keine überfälligen Fristen." in tables["-stadt-nordheim"]
    assert "29.10.25" not in tables["-stadt-nordheim"]
    assert "| Sozialausschuss | 1 |" in str(overview.data)


@HARNESS
def test_the_overview_counts_and_lists_the_deadlines_not_computable_yet(
    prefect_api: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Zittau (Saxon rules: an Antrag goes on the agenda "spätestens der übernächsten
    Sitzung") has the example as an Antrag before a Sozialausschuss whose calendar holds one
    meeting; Nordheim the example as it is. One sweep run: the overview for all and
    Zittau's count and list the deadline that waits for the calendar (a table as narrow as
    the overdue table's), their descriptions say so, Nordheim's overview does not."""
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    from flows.app import current_settings, dispose_engines, engine_for, submit_document
    from flows.sweep import OVERVIEW_KEY, REPLAY_SUFFIX, deadline_sweep
    from models.services.bodies import add_body
    from models.store.db import session_scope
    from tests.services.test_bodies import PROFILES

    monkeypatch.setenv("RATSFRIST_DATABASE_URL", f"sqlite:///{tmp_path / 'w.sqlite'}")
    monkeypatch.setenv("RATSFRIST_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("RATSFRIST_APPRISE_CONFIG", raising=False)
    monkeypatch.delenv("RATSFRIST_UI_URL", raising=False)
    dispose_engines()
    antrag = tmp_path / "antrag.txt"
    antrag.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace(" Vorschlag\n", " Antrag\n", 1),
        encoding="utf-8",
    )
    try:
        with session_scope(engine_for(current_settings())) as session:
            add_body(session, name="Stadt Zittau", profile="sachsen", state="SN")
            add_body(
                session, name="Stadt Nordheim", profile=str(PROFILES / "nrw-stadt.toml"), state="NW"
            )
        received = at("2021-06-07T10:00")
        submit_document(antrag, now=received, actor="t", received_at=received, body="Stadt Zittau")
        submit_document(
            EXAMPLE, now=received, actor="t", received_at=received, body="Stadt Nordheim"
        )
        deadline_sweep(now=at("2021-06-08T12:00"))  # a replay: its own keys, nothing sent
    finally:
        dispose_engines()
    published = {}
    with get_client(sync_client=True) as client:
        for scope in ("", "-stadt-zittau", "-stadt-nordheim"):
            (artifact,) = client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    key=ArtifactFilterKey(any_=[OVERVIEW_KEY + scope + REPLAY_SUFFIX])
                ),
                sort=ArtifactSort.CREATED_DESC,
                limit=1,
            )
            published[scope] = (str(artifact.data), artifact.description or "")
    for scope in ("", "-stadt-zittau"):
        text, description = published[scope]
        assert "Noch nicht berechenbare Fristen: **1** (warten auf terminierte Sitzungen)" in text
        assert "1 Frist noch nicht berechenbar" in description
        from models.services.overview import WAITING_CHARS, WAITING_COLUMNS

        header = "| " + " | ".join(WAITING_COLUMNS) + " |"
        lines = text.splitlines()
        table = lines[lines.index(header) :]
        table = table[: table.index("")] if "" in table else table
        assert table[1] == "|---|---|---|---|"
        rows = [[c.strip() for c in line.strip("|").split("|")] for line in table[2:]]
        committee = "Stadt Zittau: Sozialausschuss" if not scope else "Sozialausschuss"
        assert rows == [
            [
                "Sozialausschuss",
                "A 21/0500-01",
                "Auf die Tagesordnung…",
                "noch keine übernächste Sitzung terminiert",
            ]
        ]
        assert all(
            len(cell) <= WAITING_CHARS.get(column, 20)
            for row in rows
            for column, cell in zip(WAITING_COLUMNS, row, strict=True)
        )
        assert f"| {committee} | 1 |" in text
        # for all bodies, each body's own table under its name
        assert ("### Stadt Zittau (1)" in lines) is (not scope)
    text, description = published["-stadt-nordheim"]
    assert "Noch nicht berechenbar" not in text and "berechenbar" not in description
