"""The sweep and its neighbours as real Prefect flow runs on a test harness: a scheduled run
that the worker starts early, a replay that must not send, the OParl sync without an address,
and `serve` next to deployments made by `prefect deploy --all`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from models.domain.timeutil import BERLIN
from tests.conftest import EXAMPLE
from tests.smtp import SmtpSink, apprise_config

pytestmark = [pytest.mark.prefect, pytest.mark.slow]
# on one xdist worker with the other harness tests (--dist loadgroup), see test_flows.py
HARNESS = pytest.mark.xdist_group("prefect-harness")
REF = "A 21/0500-01"


@pytest.fixture(scope="module")
def prefect_api() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, SmtpSink]]:
    """A SQLite database and the loopback SMTP sink as the flows' configuration."""
    from flows.app import dispose_engines

    url = f"sqlite:///{tmp_path / 'sweep.sqlite'}"
    sink = SmtpSink()
    sink.start()
    monkeypatch.setenv("RATSFRIST_DATABASE_URL", url)
    monkeypatch.setenv(
        "RATSFRIST_APPRISE_CONFIG", str(apprise_config(tmp_path / "apprise.yml", sink.port))
    )
    monkeypatch.setenv("RATSFRIST_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("RATSFRIST_OPARL_URL", raising=False)
    dispose_engines()
    yield url, sink
    sink.stop()
    dispose_engines()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def _import(now: str) -> None:
    from flows.app import current_settings, engine_for
    from models.domain.intake import parse_document
    from models.services import intake
    from models.store.db import session_scope

    with session_scope(engine_for(current_settings())) as session:
        intake.import_paper(
            session,
            parse_document(EXAMPLE.read_bytes(), "v.txt"),
            body_name="Kommune",
            now=at(now),
            actor="t",
            received_at=at(now),
        )


def _dispatch(now: str) -> None:
    from flows.app import current_settings, engine_for, rules_for
    from notifications.dispatch import dispatch
    from notifications.routes import load_routes

    settings = current_settings()
    assert settings.apprise_config
    dispatch(
        engine_for(settings),
        now=at(now),
        rules=rules_for(settings),
        routes=load_routes(settings.apprise_config),
    )


def _steps(status: str) -> list[str]:
    from flows.app import current_settings, engine_for
    from models.store.tables import Reminder

    with Session(engine_for(current_settings())) as session:
        rows = session.exec(select(Reminder).where(Reminder.status == status)).all()
        return sorted(f"{r.tag}:{r.step}" for r in rows)


def _scheduled_run(flow: Any, name: str, cron: str, start: datetime) -> Any:
    """Register `flow` as a deployment with a cron schedule and let the server's scheduler
    logic create its next run after `start` (POST /deployments/{id}/schedule, the backfill
    path of the scheduler service): a run with `auto_scheduled` set, as a worker gets it."""
    from prefect import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.client.schemas.schedules import CronSchedule

    deployment_id = flow.to_deployment(
        name=name, schedules=[CronSchedule(cron=cron, timezone="Europe/Berlin")]
    ).apply()
    with get_client(sync_client=True) as client:
        client.request(
            "POST",
            f"/deployments/{deployment_id}/schedule",  # type: ignore[arg-type]
            json={
                "start_time": start.isoformat(),
                "end_time": (start + timedelta(hours=2)).isoformat(),
                "max_runs": 1,
            },
        )
        (run,) = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
        )
    return run


@HARNESS
def test_the_0700_sweep_started_at_065951_sends_the_days_reminders(
    prefect_api: None, configured: tuple[str, SmtpSink], monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.flow_engine import run_flow

    import flows.app
    from flows.sweep import deadline_sweep

    _, sink = configured
    _import("2021-06-08T10:00")  # Tuesday; report due Thursday 10.06 12:00
    _dispatch("2021-06-08T10:05")  # the 'neu' notices of that day are out
    sink.clear()
    run = _scheduled_run(deadline_sweep, "fristenlauf", "0 7 * * 1-5", at("2021-06-09T06:00"))
    assert run.auto_scheduled and run.expected_start_time == at("2021-06-09T07:00")
    # the worker starts it nine seconds early, as on the server in the issue
    monkeypatch.setattr(flows.app, "clock", lambda: at("2021-06-09T06:59:51"))
    outcome = run_flow(deadline_sweep, flow_run=run, parameters={})
    assert isinstance(outcome, dict)
    assert (outcome["now"], outcome["now_source"]) == (
        "2021-06-09T05:00:00+00:00",
        "Zeitplan",
    )
    assert "fachamt:vorher-1@2021-06-10" in _steps("sent")
    got = sorted((m.to[0], m.subject.split(":")[0]) for m in sink.mails)
    # the report's 1-day reminder to both offices and the escalation of the missed invitation
    assert got == [
        ("fachamt-soz@example.org", "Erinnerung"),
        ("fachamt@example.org", "Erinnerung"),
        ("leitung@example.org", "ÜBERFÄLLIG"),
    ]
    from prefect import get_client

    with get_client(sync_client=True) as client:
        assert client.read_flow_run(run.id).name == "Fristenlauf 09.06.2021 07:00"


def _latest_artifact(key: str) -> Any:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    return found[0] if found else None


@HARNESS
def test_a_replay_sends_nothing_and_leaves_the_current_artifacts_alone(
    prefect_api: None, configured: tuple[str, SmtpSink], monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.app
    from flows.sweep import OVERDUE_KEY, OVERVIEW_KEY, REPLAY_SUFFIX, deadline_sweep

    _, sink = configured
    _import("2021-06-07T10:15")
    # the present is Friday 11.06., 12:00: a sweep by the clock publishes the current tables
    monkeypatch.setattr(flows.app, "clock", lambda: at("2021-06-11T12:00"))
    deadline_sweep(send=False)
    current = {key: _latest_artifact(key) for key in (OVERDUE_KEY, OVERVIEW_KEY)}
    assert "Stand 11.06.2021 12:00" in current[OVERDUE_KEY].description
    sent_before, mails_before = _steps("sent"), len(sink.mails)
    assert mails_before > 0  # the clock's sweep did send: the escalation, the report's notice
    # the docs' replay: Wednesday's sweep, on the live database
    outcome = deadline_sweep(now=at("2021-06-09T07:05"))
    assert (outcome["replay"], outcome["dry_run"], outcome["sent_rows"]) == (True, True, 0)
    assert len(sink.mails) == mails_before and _steps("sent") == sent_before
    for key, artifact in current.items():
        assert _latest_artifact(key).id == artifact.id, key  # no new version over it
    replayed = _latest_artifact(OVERDUE_KEY + REPLAY_SUFFIX)
    assert "Rückblick" in replayed.description and "Stand 09.06.2021 07:05" in replayed.description
    # asked for explicitly, a replay sends (the same outbox: only what is still due)
    deadline_sweep(now=at("2021-06-11T07:05"), send=True)
    assert _latest_artifact(OVERDUE_KEY).id == current[OVERDUE_KEY].id


@HARNESS
def test_a_permanent_delivery_failure_ends_the_sweep_failed(
    prefect_api: None, configured: tuple[str, SmtpSink]
) -> None:
    """A 5xx from the mail server is a red run with the reason, not a green "Completed"."""
    from flows.sweep import deadline_sweep

    _, sink = configured
    _import("2021-06-07T06:00")
    sink.refuse("5xx")
    state = deadline_sweep(now=at("2021-06-07T07:30"), send=True, return_state=True)
    assert state.is_failed(), state
    assert "endgültig nicht zugestellt" in (state.message or "")
    assert _steps("failed") and not _steps("sent")


@HARNESS
def test_the_oparl_sync_without_an_address_is_skipped_not_failed(
    prefect_api: None, configured: tuple[str, SmtpSink]
) -> None:
    from flows.oparl_flow import SKIPPED, oparl_sync

    state = oparl_sync(return_state=True)
    assert state.is_completed(), state
    assert (state.name, state.message) == ("Übersprungen", SKIPPED)
    assert SKIPPED == "Übersprungen: keine OParl-Adresse konfiguriert"


@HARNESS
def test_serve_refuses_to_run_over_deployments_made_by_deploy_all(
    prefect_api: None, configured: tuple[str, SmtpSink], capsys: pytest.CaptureFixture[str]
) -> None:
    from prefect import get_client
    from prefect.client.schemas.actions import WorkPoolCreate

    from flows.cli import run
    from flows.serve import deployed_by_workers, load_deployments
    from flows.sweep import deadline_sweep

    definitions = load_deployments()
    # what serve itself registers (no work pool, no pull steps) is no reason to refuse
    deadline_sweep.to_deployment(name="fristenlauf").apply()
    assert deployed_by_workers(definitions) == []
    # what `prefect deploy --all` makes of prefect.yaml's sweep
    with get_client(sync_client=True) as client:
        client.create_work_pool(WorkPoolCreate(name="ratsfrist", type="process"), overwrite=True)
        client.create_deployment(
            flow_id=client.create_flow(deadline_sweep),
            name="fristenlauf",
            work_pool_name="ratsfrist",
            entrypoint="flows/sweep.py:deadline_sweep",
            pull_steps=[
                {"prefect.deployments.steps.set_working_directory": {"directory": "/opt/ratsfrist"}}
            ],
        )
    assert deployed_by_workers(definitions) == ["deadline-sweep/fristenlauf"]
    capsys.readouterr()
    assert run(["serve"]) == 2  # refused before serving anything
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "deadline-sweep/fristenlauf" in err[0]
    assert "prefect deploy --all" in err[0] and "Traceback" not in err[0]
    with get_client(sync_client=True) as client:  # and left as it was
        kept = client.read_deployment_by_name("deadline-sweep/fristenlauf")
    assert kept.work_pool_name == "ratsfrist" and kept.pull_steps


@HARNESS
def test_the_escalation_mail_links_the_overdue_table_just_published(
    prefect_api: None, configured: tuple[str, SmtpSink], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 07:00 sweep's escalation mail leads to the table itself (its artifact id, in the
    current UI at /v2), not to the key page listing versions; a reminder that fails for good
    in that run is added to that same table, so the link stays the newest one."""
    import re

    import flows.app
    from flows.sweep import OVERDUE_KEY, deadline_sweep

    _, sink = configured
    monkeypatch.setenv("RATSFRIST_UI_URL", "https://prefect.example.org/")
    _import("2021-06-08T10:00")
    _dispatch("2021-06-08T10:05")
    sink.clear()
    sink.handler.unknown = {"fachamt@example.org"}
    monkeypatch.setattr(flows.app, "clock", lambda: at("2021-06-09T07:00"))
    state = deadline_sweep(now=at("2021-06-09T07:00"), return_state=True)  # not a replay
    assert state.is_failed()  # the refused mail
    (mail,) = [m for m in sink.mails if m.to == ["leitung@example.org"]]
    links = set(re.findall(r"https://prefect\.example\.org/\S+?(?=[\s\"<])", mail.text))
    table = _latest_artifact(OVERDUE_KEY)
    assert links == {f"https://prefect.example.org/v2/artifacts/artifact/{table.id}"}
    assert "Ladung mit Tagesordnung" in str(table.data)
    # fachamt@ was refused (550) in this run: listed in the very table the mail links
    assert "## Nicht zugestellte Erinnerungen: 1" in str(table.data)
