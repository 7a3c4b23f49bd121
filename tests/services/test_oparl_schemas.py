"""The OParl 1.1 schemas shipped in models/oparl_schema/ are the official ones, byte for byte,
and valid JSON Schemas: the export validates against them."""

from __future__ import annotations

import hashlib
import json

from models.services.oparl_export import SCHEMAS

#: SHA-256 of the official OParl 1.1 schemas (github.com/OParl/spec, commit 0ca3435, schema/).
OFFICIAL_SCHEMAS = {
    "AgendaItem.json": "942328621cf0300aa7f2a166d7c47fab3a85a75953de44a29f42e5cff0c5722e",
    "Body.json": "9e456ddd1b6988350794beccf29d42859a2bd9c4a94a1441b06eda146f8b31ff",
    "Consultation.json": "412535f09dd48ec51936274c9aa68553f1f94ea2e95b8037ca244a93a13be320",
    "File.json": "9b2ca31df6edc6ee0ccc6263bd482c6dc8890cb376c59e4b91a8c7eb2c6bc0f7",
    "LegislativeTerm.json": "aeaa43ddeb229764a7edbf0be1cefa214f23cfb4c1cdc5eca30b2975d2700d9a",
    "Location.json": "32932e5acb84d1d6281c47d508062d3a281ad3435ec7414cbdaf0bf5f3a95eb8",
    "Meeting.json": "00168590d03f5d0299219014929affb881ecddbcda511d24555e9f8a73d15a47",
    "Membership.json": "aad5ae39efacd97af4557a25751ec26a87a6aa42c6ad00f8b6bbc628984002d1",
    "Organization.json": "cf7ea3540a12694784abc043445b366c55b83cc5427fa1d591fa091454496de1",
    "Paper.json": "97b235a325422e2b2273bfbec161bd2abab131bf9f39581dce095647e76885aa",
    "Person.json": "fb61718797c0d200fe956cc642f5945f033df8cce686bfd55f010a39890dbb8c",
    "System.json": "5e6bccf1115d9ff057d1cbb73350ad3cb5b59f7aa23781f664fbd28372489a1a",
}


def test_the_shipped_schemas_are_the_official_ones() -> None:
    import jsonschema

    shipped = {p.name: p for p in SCHEMAS.glob("*.json")}
    assert set(shipped) == set(OFFICIAL_SCHEMAS)
    for name, path in shipped.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == OFFICIAL_SCHEMAS[name], name
        schema = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.validators.validator_for(schema).check_schema(schema)
