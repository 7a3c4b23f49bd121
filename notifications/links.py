"""Where a mail's link leads in the Prefect UI: one place for the UI's addresses.

Prefect 3 serves two UIs from one server: the old one at `/` and the current one at `/v2`
(the default a browser is sent to from `/`; any deeper old-UI path stays in the old UI, so a
link must name `/v2` itself). The overdue table is a keyed artifact whose key page only lists
versions (`/artifacts/key/<key>`); the table itself is `/artifacts/artifact/<id>`. The sweep
publishes the table before it sends, so its escalation mails link the very version just
written; a dispatch without a fresh table (`ratsfrist dispatch`) links the key page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

#: The overdue table's artifact key (flows.sweep publishes it; a body's own table adds
#: "-<slug>").
OVERDUE_KEY = "ueberfaellige-fristen"

#: Where the current UI lives below the server's UI address.
CURRENT_UI = "/v2"


def ui_page(ui_url: str, page: str) -> str:
    """`page` (e.g. "runs") in the current Prefect UI below `ui_url`, whether the address
    configured is the server's (`https://prefect.intern`) or already the current UI's
    (`https://prefect.intern/v2`)."""
    base = ui_url.rstrip("/")
    if not base.endswith(CURRENT_UI):
        base += CURRENT_UI
    return f"{base}/{page.lstrip('/')}"


@dataclass(frozen=True, slots=True)
class UiLinks:
    """The links one dispatch puts in its mails. `tables`: the overdue tables the sweep has
    just published, by body id (None: the table for all bodies) → artifact id."""

    ui_url: str | None
    tables: Mapping[int | None, str] = field(default_factory=dict)

    def escalation(self, body_id: int | None) -> str | None:
        """The newest overdue table of the escalation's body (else the one for all bodies);
        without a fresh table, the table's key page."""
        if not self.ui_url:
            return None
        artifact = self.tables.get(body_id) or self.tables.get(None)
        if artifact:
            return ui_page(self.ui_url, f"artifacts/artifact/{artifact}")
        return ui_page(self.ui_url, f"artifacts/key/{OVERDUE_KEY}")

    def reminder(self) -> str | None:
        """A deadline's reminder: the flow runs (where the waiting forms are)."""
        return ui_page(self.ui_url, "runs") if self.ui_url else None
