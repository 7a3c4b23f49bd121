"""`ratsfrist rules` on the shipped example profiles: listing them with their state and
holiday categories, printing one with its recess, and the explained computation of one rule;
bad input is one line and exit code 2."""

from __future__ import annotations

import json

import pytest

from flows.cli import run


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_rules_lists_the_shipped_profiles(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(capsys, "rules", "--list")
    assert code == 0
    assert "muenchen: München, Stadtrat (Beispiel), BY (catholic)" in out.splitlines()
    assert "sachsen: Sächsische Stadt (Beispiel), SN" in out.splitlines()
    code, out, _ = _cli(capsys, "rules", "--list", "--json")
    states = {row["profile"]: row["state"] for row in json.loads(out)}
    assert (states["erfurt"], states["wolfsburg"], states["bw_gemeinde"]) == ("TH", "NI", "BW")


def test_rules_prints_a_profile_with_its_recess(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(capsys, "rules", "--check", "muenchen", "--now", "2021-06-01")
    assert code == 0
    assert "  Sitzungspause: Ferienzeit des Stadtrats 2021, 30.07.2021–09.09.2021" in out
    assert (
        "  antrag_behandlung: Antrag zur Beratung stellen – 3 Monate nach dem Eingang, ruht in "
        "der Sitzungspause (GeschO München § 60 Abs. 2); fachamt [Antrag]"
    ) in out
    code, out, _ = _cli(capsys, "rules", "--check", "sachsen", "--json", "--now", "2021-06-01")
    rule = json.loads(out)["deadlines"]["tagesordnung_fraktion"]["rule"]
    assert rule.startswith("spätestens in der übernächsten Sitzung nach dem Eingang, ohne")


def test_rules_explain(capsys: pytest.CaptureFixture[str]) -> None:
    # Neuss, urgent: 3 Werktage before Wed 17.02.2021: Tue 16., Rosenmontag 15. (a Werktag),
    # Sat 13.02.
    code, out, _ = _cli(
        capsys, "rules", "--check", "rhein_kreis_neuss", "--explain", "ladung",
        "--anchor", "2021-02-17T17:00", "--urgent",
    )  # fmt: skip
    assert code == 0
    assert out.splitlines()[0] == "13.02.2021 23:59"
    assert out.splitlines()[-1] == (
        "Sitzung Mi 17.02.2021 − 3 Werktage (ohne Sonn- und Feiertage) = Sa 13.02.2021; "
        "Werktag; 23:59"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--explain", "ladung"], "--explain braucht --anchor"),
        (["--explain", "gibtsnicht", "--anchor", "2021-06-15"], "keine Regel 'gibtsnicht'"),
        (["--explain", "ladung", "--anchor", "morgen"], "--anchor: 'morgen' ist kein Zeitpunkt"),
    ],
)
def test_rules_explain_bad_input_is_one_line(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = _cli(capsys, "rules", "--check", "bw_gemeinde", *args)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
