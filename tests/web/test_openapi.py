"""The OpenAPI description (shared/web/openapi.yaml, served at /api/v1/openapi.json) cannot go stale:
every /api/v1 route and method of the app is described, every described path and method is a
route, and the description is valid OpenAPI. tests/web/test_schemathesis.py checks the answers."""
from __future__ import annotations

import re

import schemathesis
import yaml

from tests.support.env import ROOT

METHODS = {"get", "put", "post", "delete", "patch"}


def described(description: dict) -> set[tuple[str, str]]:
    return {(path, method.upper()) for path, item in description["paths"].items()
            for method in item if method in METHODS}


def routed(app) -> set[tuple[str, str]]:
    """Each /api/v1 rule as an OpenAPI path (``<int:ticket_id>`` -> ``{ticket_id}``), with its methods."""
    out = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            out |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return out


def test_the_api_description_is_served_as_json_and_is_valid_openapi(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    description = resp.get_json()
    assert description == yaml.safe_load((ROOT / "shared" / "web" / "openapi.yaml").read_text(encoding="utf-8"))
    assert description["openapi"].startswith("3.")
    schemathesis.openapi.from_dict(description).validate()  # against the OpenAPI meta-schema


def test_every_api_route_is_described_and_every_described_operation_exists(app, client):
    description = client.get("/api/v1/openapi.json").get_json()
    routes, documented = routed(app), described(description)
    assert len(routes) >= 16  # the walk found the API at all
    assert not routes - documented, f"routes missing from shared/web/openapi.yaml: {sorted(routes - documented)}"
    assert not documented - routes, f"described but not routed: {sorted(documented - routes)}"


def test_every_described_operation_declares_its_path_parameters_errors_and_security(client):
    description = client.get("/api/v1/openapi.json").get_json()
    components = description["components"]["parameters"]
    for path, item in description["paths"].items():
        for method, op in item.items():
            params = [components[p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p for p in op.get("parameters", [])]
            in_path = {p["name"] for p in params if p["in"] == "path"}
            assert in_path == set(re.findall(r"{([^}]+)}", path)), (method, path)
            staff = path.startswith("/api/v1/staff/")
            assert bool(op.get("security")) == staff, (method, path)  # the staff API, and only it, wants credentials
            if staff:
                assert {"401", "429", "503"} <= set(op["responses"]), (method, path)
                if method == "post":
                    assert "403" in op["responses"], (method, path)  # cross_site
