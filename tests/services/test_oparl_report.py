"""The sync report staff read: counts first, long lists cut with how many more (issue 14)."""

from __future__ import annotations

from models.services.oparl_report import SHOWN, SyncReport


def test_a_first_sync_of_an_archive_reads_as_counts_and_the_first_lines() -> None:
    report = SyncReport(
        steps=[f"{n}/2007: historisch, Ergebnis unbekannt" for n in range(4325)],
        review=[f"Ergebnis prüfen: Stimmen unklar – {n}/2020, TOP 3" for n in range(307)],
    )
    report.created["Paper"] = 2097
    lines = report.lines()
    assert lines[:3] == [
        "Paper: 2097 neu, 0 geändert, 0 unverändert",
        "Schritte: 4325",
        "Ergebnis prüfen: 307",
    ]
    assert sum(line.startswith("Schritt: ") and "weitere" not in line for line in lines) == SHOWN
    assert "Schritt: … und 4305 weitere (--json zeigt alle)" in lines
    assert "Ergebnis prüfen: … und 287 weitere (--json zeigt alle)" in lines
    assert not any(line.startswith("Ergebnis prüfen: Ergebnis prüfen") for line in lines)
    assert len(report.lines(shown=None)) == 3 + 4325 + 307
    assert len(report.as_dict()["steps"]) == 4325
