"""OParl from files (`ratsfrist import-oparl`): the specification's examples, and a bad file
that changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from models.domain.oparl import OParlError
from models.services.oparl_files import import_files, read_files
from models.store.profiles import default_rules
from tests.conftest import snapshot
from tests.oparl_server import OParlServer, populate
from tests.services.test_oparl import EXAMPLES, FIRST


@pytest.fixture
def server() -> Iterator[OParlServer]:
    server = OParlServer(page_size=2)
    populate(server)
    yield server
    server.close()


def test_spec_examples_are_read(tmp_path: Path) -> None:
    """The specification's own example objects parse (where they hold ratsfrist's types)."""
    objects = read_files(
        [
            EXAMPLES / n
            for n in ("Paper-01.json", "Meeting-01.json", "Organization-01.json", "Body-01.json")
        ]
    )
    kinds = {type(o).__name__ for o in objects}
    assert kinds == {"PaperIn", "MeetingIn", "OrganizationIn", "BodyIn"}
    paper_in = next(o for o in objects if type(o).__name__ == "PaperIn")
    assert paper_in.reference and paper_in.consultations  # type: ignore[union-attr]


def test_a_bad_file_imports_nothing(engine: Engine, tmp_path: Path, server: OParlServer) -> None:
    good = tmp_path / "organization.json"
    good.write_text(json.dumps({"data": server.lists["organizations"], "links": {}}))
    bad = tmp_path / "paper.json"
    bad.write_text('{"data": [\n  {"id": "x", "type": "https://schema.oparl.org/1.1/Paper",\n')
    before = snapshot(engine)
    with pytest.raises(OParlError, match=r"paper\.json:3: kein gültiges JSON"):
        import_files(engine, [good, bad], now=FIRST, rules=default_rules(), fallback_name="x")
    assert snapshot(engine) == before
