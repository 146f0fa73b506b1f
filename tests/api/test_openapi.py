"""The OpenAPI 3.1 description: served at a stable address, made of valid JSON Schemas,
and describing every /api/v1 rule the app serves (and nothing it does not)."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from collector.api.routes import API_PREFIX, ROUTES, SCHEMAS, openapi_document

DOCUMENT_URI = "urn:collector-openapi"


def _registry() -> Registry:
    document = {"components": {"schemas": SCHEMAS}}
    return Registry().with_resource(
        DOCUMENT_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )


def assert_matches(name: str, value: Any) -> None:
    """The value is valid by the schema of that name the description declares."""
    schema = {"$ref": f"{DOCUMENT_URI}#/components/schemas/{name}"}
    jsonschema.Draft202012Validator(schema, registry=_registry()).validate(value)


def test_the_description_is_served_without_a_token(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    served = response.get_json()
    assert served["openapi"].startswith("3.1")
    assert served == openapi_document(served["info"]["version"])


def test_every_schema_is_valid_json_schema_and_every_ref_resolves():
    for schema in SCHEMAS.values():
        jsonschema.Draft202012Validator.check_schema(schema)
    document = openapi_document("test")
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(document)
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[1] in document["components"]["schemas"]


def test_every_operation_is_complete():
    document = openapi_document("test")
    ids = []
    for path, operations in document["paths"].items():
        assert path.startswith(API_PREFIX)
        for method, operation in operations.items():
            assert method in {"get", "post", "put", "patch", "delete"}
            assert operation["summary"] and operation["responses"]
            ids.append(operation["operationId"])
            declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert declared == {part[1:-1] for part in path.split("/") if part.startswith("{")}
    assert len(ids) == len(set(ids)) == len(ROUTES)


def test_every_api_rule_the_app_serves_is_described(app):
    document = openapi_document("test")
    described = {
        (path, method.upper())
        for path, operations in document["paths"].items()
        for method in operations
    }
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX):
            continue
        assert rule.endpoint.startswith("api."), rule.endpoint
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods or ():
            if method not in {"HEAD", "OPTIONS"}:
                served.add((path, method))
    assert served
    assert served == described
