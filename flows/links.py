"""Where a motion's links in the managers' tables lead in the current Prefect UI.

A manager who opens the overdue table (flows.sweep) or the watch lists (flows.reports) and
clicks a motion wants to act on it: the motion's reference opens the run page of the
record-step deployment with the reference filled in (the current UI takes a deployment's
parameters from the address: `/v2/deployments/deployment/<id>/run?parameters=<json>`), so
that one click on "Submit" starts the forms for this motion. Where that deployment is not on
the server (a server without the ratsfrist deployments), the reference opens the motion's
Verlauf instead. The title opens the Verlauf (the key page of the current UI shows the newest
version), which names the full title the table had to cut.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import quote

from notifications.links import ui_page

Link = Callable[[str], str | None]

DEPLOYMENT = "record-step/schritt-eintragen"
"""The record-step deployment (prefect.yaml, `ratsfrist serve`): flow name / deployment name."""


def verlauf_link(ui_url: str | None) -> Link | None:
    """A motion's reference → its Verlauf artifact in the current Prefect UI (None without a
    UI address: the table then shows plain text)."""
    if not ui_url:
        return None
    from flows.lifecycle import artifact_key

    return lambda reference: ui_page(ui_url, f"artifacts/key/{artifact_key(reference)}")


def run_page(ui_url: str, deployment_id: str, reference: str) -> str:
    """The deployment's run page with `reference` filled in (JSON in the address, encoded
    so that the address is one word in markdown)."""
    parameters = json.dumps({"reference": reference}, ensure_ascii=False, separators=(",", ":"))
    return ui_page(
        ui_url, f"deployments/deployment/{deployment_id}/run?parameters={quote(parameters)}"
    )


def record_step_id() -> str | None:
    """The record-step deployment's id on the server in use; None where it is not deployed
    or the server cannot be asked (a link is worth a look-up, not a failed sweep)."""
    from prefect import get_client

    try:
        with get_client(sync_client=True) as client:
            return str(client.read_deployment_by_name(DEPLOYMENT).id)
    except Exception:  # not deployed (ObjectNotFound), or no server: link the Verlauf
        return None


def step_link(ui_url: str | None, deployment_id: str | None = None) -> Link | None:
    """A motion's reference → "Schritt eintragen" for it (`run_page`), with the deployment
    looked up unless given; without the deployment, its Verlauf (`verlauf_link`)."""
    if not ui_url:
        return None
    deployment_id = deployment_id or record_step_id()
    if deployment_id is None:
        return verlauf_link(ui_url)
    found = deployment_id
    return lambda reference: run_page(ui_url, found, reference)
