"""What a manager sees, photographed at 1440×900 in Chromium against the real Prefect UI (the
session's server, tests/flows/conftest.py): the current overdue table and the overview as the
07:00 sweep leaves them, and the record-step form. Screenshots go to test-artifacts/ (CI keeps
it); the assertions are what a manager would check with the eye: nothing hidden to the right,
the offices named, the motions linked, the form in German with the result as a dropdown."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import EXAMPLE, REPO
from tests.prefect_server import BIN, SHOTS, Server, browser_page, latest_artifact

pytestmark = [pytest.mark.server, pytest.mark.slow, pytest.mark.xdist_group("prefect-server")]
REF = "A 21/0500-01"
LONG = "A 26/0612-01"
LONG_TITLE = (
    "Sanierung und energetische Ertüchtigung der Dreifachturnhalle an der Gesamtschule Nord"
)
LONG_COMMITTEE = "Ausschuss für Stadtentwicklung, Bauen und Verkehr"
LONG_OFFICE = "Amt 61 (Stadtplanung und Bauordnung)"

FITS = """() => {
  const root = document.documentElement;
  const tables = [...document.querySelectorAll('.markdown-renderer__table')];
  return {
    page: [root.scrollWidth, root.clientWidth],
    tables: tables.map(t => [t.scrollWidth, t.clientWidth]),
  };
}"""
"""Widths of the page and of each table container (the element that scrolls sideways when a
table is too wide): scrollWidth > clientWidth is a horizontal scrollbar."""


@pytest.fixture(scope="module")
def town(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Two motions with overdue deadlines as of today: the example (2021, the report owed by
    the Fachamt) and one with a long title, a long committee name and a named office; the
    deployments as `prefect deploy` leaves them (the table links the record-step form's);
    then the sweep as the schedule runs it (no `now`: the current artifacts, not a replay)."""
    home = tmp_path_factory.mktemp("town")
    env = {
        "RATSFRIST_DATABASE_URL": f"sqlite:///{home / 'town.sqlite'}",
        "RATSFRIST_CONFIG": str(home / "none.toml"),
        "RATSFRIST_HOME": str(REPO),
        "RATSFRIST_UI_URL": server.url,
    }
    long = (
        EXAMPLE.read_text(encoding="utf-8")
        .replace(REF, LONG)
        .replace("Kommunales Integrationsmanagement", LONG_TITLE)
        .replace("Sozialausschuss", LONG_COMMITTEE)
        .replace("07.06.2021", "02.11.2026")
        .replace("15.06.2021", "24.11.2026")
    )
    (home / "long.txt").write_text(long, encoding="utf-8")
    ratsfrist = str(BIN / "ratsfrist")
    server.run(ratsfrist, "import", str(EXAMPLE), "--now", "2021-06-07T10:15", env=env)
    server.run(ratsfrist, "import", str(home / "long.txt"), "--now", "2026-11-02T10:15", env=env)
    # its committee is new to the town: proposed for review, created once confirmed
    server.run(ratsfrist, "review", LONG, "--confirm", "--now", "2026-11-02T10:20", env=env)
    server.run(ratsfrist, "schedule", LONG, "--item", "7", "--now", "2026-11-03T08:00", env=env)
    server.run(
        ratsfrist,
        "request-report",
        LONG,
        "--office",
        LONG_OFFICE,
        "--now",
        "2026-11-03T09:00",
        env=env,
    )
    server.run(ratsfrist, "schedule", REF, "--item", "5", "--now", "2021-06-08T09:00", env=env)
    _deploy(server, env)
    sweep = "from flows.sweep import deadline_sweep; deadline_sweep()"
    server.run(str(BIN / "python"), "-c", sweep, env=env)
    yield env
    _undeploy(server)


def _deploy(server: Server, town: dict[str, str]) -> None:
    prefect = str(BIN / "prefect")
    server.run(prefect, "work-pool", "create", "ratsfrist", "--type", "process", "--overwrite")
    server.run(prefect, "--no-prompt", "deploy", "--all", env=town)


def _undeploy(server: Server) -> None:
    """Leave no deployments behind: `ratsfrist serve` refuses to run over them."""
    for deployment in server.api("POST", "/deployments/filter", {}):
        server.api("DELETE", f"/deployments/{deployment['id']}")


def _form_deployment(server: Server) -> str:
    (found,) = server.api(
        "POST", "/deployments/filter", {"deployments": {"name": {"any_": ["schritt-eintragen"]}}}
    )
    return str(found["id"])


@pytest.fixture(scope="module")
def page(server: Server) -> Iterator[Any]:
    with browser_page(server, 1440, 900) as opened:
        yield opened


def _open_artifact(server: Server, page: Any, key: str, text: str) -> None:
    page.goto(
        f"{server.url}/artifacts/artifact/{latest_artifact(server, key)['id']}",
        wait_until="networkidle",
    )
    page.get_by_text(text).first.wait_for(timeout=30_000)


def _assert_no_horizontal_scroll(page: Any) -> None:
    widths = page.evaluate(FITS)
    assert widths["tables"], "no table rendered"
    assert widths["page"][0] <= widths["page"][1], widths
    for scroll, client in widths["tables"]:
        assert scroll <= client, widths  # the columns at the right are not hidden


def test_the_overdue_table_fits_1440x900_and_names_offices_and_links_motions(
    server: Server, town: dict[str, str], page: Any
) -> None:
    _open_artifact(server, page, "ueberfaellige-fristen", LONG)
    page.screenshot(path=str(SHOTS / "ueberfaellige-fristen.png"))
    page.screenshot(path=str(SHOTS / "ueberfaellige-fristen-ganz.png"), full_page=True)
    _assert_no_horizontal_scroll(page)
    headings = page.locator("h2").all_inner_texts()
    assert any(h.startswith(LONG_COMMITTEE) for h in headings), headings
    assert any(h.startswith("Sozialausschuss") for h in headings), headings
    cells = page.locator(".markdown-renderer__table td").all_inner_texts()
    assert "Amt 61" in cells  # the office named in request-report, not 'fachamt'
    assert "Fachamt" in cells  # no office named: the role as a word
    assert "fachamt" not in cells and "gremium" not in cells
    # the reference opens "Schritt eintragen" for it in the current UI, the reference filled
    # in; the title (cut to fit) opens its Verlauf, which names all of it
    deployment = _form_deployment(server)
    for ref in (REF, LONG):
        link = page.locator(f"a:text-is('{ref}')").first.get_attribute("href")
        assert link == (
            f"{server.url}/v2/deployments/deployment/{deployment}/run?parameters="
            + quote(json.dumps({"reference": ref}, separators=(",", ":")))
        )
    header = page.locator(".markdown-renderer__table th").all_inner_texts()[:6]
    assert header == ["Vorlage", "Titel", "Frist", "wer", "fällig seit", "Tage"]
    # the last column is in view, not scrolled off to the right
    last = page.locator(".markdown-renderer__table th").nth(5).bounding_box()
    assert last is not None and last["x"] + last["width"] <= 1440
    title = page.locator(".markdown-renderer__table a").filter(has_text="Sanierung und").first
    assert title.get_attribute("href") == f"{server.url}/v2/artifacts/key/verlauf-a-26-0612-01"
    page.goto(title.get_attribute("href"), wait_until="networkidle")
    page.get_by_text(f"{LONG}: {LONG_TITLE}").first.wait_for(timeout=30_000)
    page.screenshot(path=str(SHOTS / "verlauf-hinter-dem-titel.png"))


def test_the_overview_fits_1440x900(server: Server, town: dict[str, str], page: Any) -> None:
    _open_artifact(server, page, "fristen-uebersicht", "Fristenübersicht")
    page.screenshot(path=str(SHOTS / "fristen-uebersicht.png"))
    _assert_no_horizontal_scroll(page)
    header = page.locator(".markdown-renderer__table th").all_inner_texts()
    assert header == ["Gremium", "offen", "in 7 Tagen fällig", "heute fällig", "überfällig"]
    assert page.get_by_text("Offene Vorlagen nach Zustand").count() == 1


def _logs(server: Server, run_id: str) -> list[str]:
    logs = server.api("POST", "/logs/filter", {"logs": {"flow_run_id": {"any_": [run_id]}}})
    return [entry["message"] for entry in logs]


def _choose(page: Any, field: Any, option: str) -> list[str]:
    """Open a dropdown of the form (the UI's select opens on Space, not on a click in
    headless Chromium), read its options and pick one."""
    field.locator("button.p-select-button__control").focus()
    page.keyboard.press("Space")
    options = page.get_by_role("option")
    options.first.wait_for(timeout=10_000)
    texts = [t.strip() for t in options.all_inner_texts()]
    page.get_by_role("option", name=option, exact=True).click()
    return texts


def _worker_once(server: Server, town: dict[str, str]) -> None:
    """One worker pass: it starts the due run and returns when the run's process has ended
    (completed, or suspended: then nothing of the run stays in memory)."""
    prefect = str(BIN / "prefect")
    server.run(prefect, "worker", "start", "--pool", "ratsfrist", "--run-once", env=town)


def _labels(page: Any) -> tuple[Any, list[str]]:
    """Open the run's Resume dialog; its form fields and their labels."""
    page.get_by_role("button", name="Resume").first.click()
    dialog = page.get_by_role("dialog")
    dialog.locator(".schema-form-property__label").first.wait_for(timeout=30_000)
    fields = dialog.locator(".schema-form-property")
    return fields, fields.locator(".schema-form-property__label").all_inner_texts()


def _submit_and_wait(server: Server, page: Any, run_id: str) -> None:
    page.get_by_role("dialog").get_by_role("button", name="Submit").click()
    deadline = time.monotonic() + 60
    while server.api("GET", f"/flow_runs/{run_id}")["state_type"] == "PAUSED":
        assert time.monotonic() < deadline, "Submit did not resume the run"
        time.sleep(0.5)


def test_a_motion_s_link_starts_the_forms_which_ask_only_what_its_step_needs(
    server: Server, town: dict[str, str], page: Any
) -> None:
    """From the overdue table to a recorded step: the motion's link opens the form
    deployment's run page with the reference filled in; Submit starts the run, which asks
    for the step, then only for that step's fields (the run holding no process while a
    form waits)."""
    _deploy(server, town)  # as the town left it, also when run alone
    try:
        _from_the_table_to_a_recorded_step(server, town, page)
    finally:
        _undeploy(server)


def _from_the_table_to_a_recorded_step(server: Server, town: dict[str, str], page: Any) -> None:
    deployment = _form_deployment(server)
    _open_artifact(server, page, "ueberfaellige-fristen", LONG)
    page.goto(page.locator(f"a:text-is('{REF}')").first.get_attribute("href"))
    vorlage = page.locator("textarea").first
    vorlage.wait_for(timeout=30_000)
    assert vorlage.input_value() == REF  # filled in from the link
    assert page.get_by_text("Vorlage", exact=True).count() == 1
    page.screenshot(path=str(SHOTS / "schritt-eintragen-aus-der-tabelle.png"))
    page.get_by_role("button", name="Submit").click()
    deadline = time.monotonic() + 30
    runs: list[dict[str, Any]] = []
    while not runs:
        assert time.monotonic() < deadline, "Submit created no run"
        runs = server.api(
            "POST", "/flow_runs/filter", {"flow_runs": {"deployment_id": {"any_": [deployment]}}}
        )
        time.sleep(0.5)
    (run,) = runs
    run_id = run["id"]
    assert run["parameters"] == {"reference": REF, "step": "", "attempts": 3, "timeout_hours": 72}
    _worker_once(server, town)  # returns: the run suspended and its process exited
    run = server.api("GET", f"/flow_runs/{run_id}")
    assert (run["state_type"], run["state"]["name"], run["name"]) == (
        "PAUSED",
        "Suspended",
        f"Eingabe {REF}",
    )

    # the first form: the step, nothing else
    page.goto(f"{server.url}/runs/flow-run/{run_id}", wait_until="networkidle")
    fields, labels = _labels(page)
    page.screenshot(path=str(SHOTS / "formular-schritt.png"))
    assert labels == ["Schritt"]
    # the motion and what resuming does, on top and visible (not a collapsed box)
    box = fields.first.get_by_text("Aktueller Zustand").bounding_box()
    assert box is not None and box["height"] > 0
    assert "auf der Tagesordnung" in fields.first.inner_text()
    assert "zweites Formular" in fields.first.inner_text()
    steps = _choose(page, fields.nth(0), "Ergebnis der Beratung")
    assert steps == [
        "Beratung zuweisen",
        "Bericht liegt vor",
        "Ergebnis der Beratung",
        "Dringlichkeit feststellen",
        "Fristverlängerung",
    ]
    _submit_and_wait(server, page, run_id)
    _worker_once(server, town)  # it starts again, finds the step and asks for its fields
    assert server.api("GET", f"/flow_runs/{run_id}")["state"]["name"] == "Suspended"

    # the second form: the decision's fields only; the result required (no "(Optional)")
    page.goto(f"{server.url}/runs/flow-run/{run_id}", wait_until="networkidle")
    fields, labels = _labels(page)
    page.screenshot(path=str(SHOTS / "formular.png"))
    assert labels == ["Ergebnis", "verwiesen an (Optional)", "eingetragen von (Optional)"]
    assert "Schritt: Ergebnis der Beratung" in fields.first.inner_text()
    results = _choose(page, fields.nth(0), "vertagt")
    assert {"beschlossen", "abgelehnt", "vertagt", "verwiesen"} <= set(results)
    page.screenshot(path=str(SHOTS / "formular-ausgefuellt.png"))
    _submit_and_wait(server, page, run_id)

    _worker_once(server, town)  # a worker starts it again; it finds the input and records
    run = server.api("GET", f"/flow_runs/{run_id}")
    assert run["state_type"] == "COMPLETED", run["state"]
    lines = _logs(server, run_id)
    assert (
        f"{REF}: Beratung eingetragen von Prefect-UI (Name nicht angegeben) – Ergebnis: vertagt; "
        "Zustand jetzt: eingereicht"
    ) in lines, lines
    # the server was asked who resumed (an open-source server names nobody), without error
    assert not [line for line in lines if line.startswith("Angemeldeten Benutzer")], lines
    (step,) = server.api(
        "POST", "/flow_runs/filter", {"flow_runs": {"name": {"any_": [f"Beratung {REF}"]}}}
    )
    assert f"Beratung erfasst: {REF} – Ergebnis: vertagt; Zustand jetzt: eingereicht" in _logs(
        server, step["id"]
    )


def _resume(server: Server, run_id: str, run_input: dict[str, str]) -> None:
    server.api("POST", f"/flow_runs/{run_id}/resume", {"run_input": run_input})
    deadline = time.monotonic() + 60
    while server.api("GET", f"/flow_runs/{run_id}")["state_type"] == "PAUSED":
        assert time.monotonic() < deadline, "the run was not resumed"
        time.sleep(0.5)


def test_a_refused_form_stays_refused_when_the_suspended_run_starts_again(
    server: Server, town: dict[str, str]
) -> None:
    """The re-run after each Submit gets the earlier forms back: a decision refused while the
    motion was not on an agenda must not be recorded once it is."""
    prefect, ratsfrist = str(BIN / "prefect"), str(BIN / "ratsfrist")
    _deploy(server, town)
    try:
        # REF 'eingereicht' (vertagt): no decision can be taken
        state = json.loads(server.run(ratsfrist, "show", REF, "--json", env=town))["state"]
        if state == "scheduled":  # run alone, without the form test before it
            server.run(ratsfrist, "decide", REF, "--result", "vertagt", env=town)
        out = server.run(
            prefect,
            "deployment",
            "run",
            "record-step/schritt-eintragen",
            "--param",
            f"reference={REF}",
            env=town,
        )
        run_id = next(line.split()[-1] for line in out.splitlines() if "UUID" in line)
        _worker_once(server, town)
        _resume(server, run_id, {"step": "Ergebnis der Beratung"})
        _worker_once(server, town)
        _resume(server, run_id, {"result": "beschlossen"})
        _worker_once(server, town)  # refused; the forms come again, suspended
        run = server.api("GET", f"/flow_runs/{run_id}")
        assert (run["state_type"], run["state"]["name"]) == ("PAUSED", "Suspended")
        server.run(  # now it could be
            ratsfrist, "schedule", REF, "--item", "9", "--meeting", "2026-12-15", env=town
        )
        _resume(server, run_id, {"step": "Ergebnis der Beratung"})
        _worker_once(server, town)
        _resume(server, run_id, {"result": "abgelehnt"})
        _worker_once(server, town)
        run = server.api("GET", f"/flow_runs/{run_id}")
        assert run["state_type"] == "COMPLETED", run["state"]
    finally:
        _undeploy(server)
    view = json.loads(server.run(ratsfrist, "show", REF, "--json", env=town))
    results = [e["details"].get("result") for e in view["history"] if e["event"] == "decide"]
    assert results[-1] == "abgelehnt" and "beschlossen" not in results, results
    assert any("Nicht übernommen" in line for line in _logs(server, run_id))
