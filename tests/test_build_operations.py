"""Builder semantics of operations, on `tests/specs/build/semantics.yaml`: parameters, bodies, responses, security."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus.harness import build_ir

from generator import ir
from generator.naming import digest
from generator.render import render_api

SPEC = Path(__file__).parent / "specs" / "build" / "semantics.yaml"


@pytest.fixture(scope="module")
def api() -> ir.Api:
    return build_ir(SPEC)[0]


def operation(api: ir.Api, name: str) -> ir.Operation:
    return next(item for item in api.operations if item.function_name == name)


def test_path_level_parameters_apply_and_operation_level_ones_override(api: ir.Api) -> None:
    params = {param.wire_name: param for param in operation(api, "get_pet").parameters}
    assert (params["pet-id"].location, params["pet-id"].py_name, params["pet-id"].required) == (
        "path",
        "pet_id",
        True,
    )
    assert params["verbose"].type == ir.Primitive("str")
    assert params["verbose"].description == "operation level wins"


def test_header_and_cookie_parameters_and_clashing_names(api: ir.Api) -> None:
    params = {param.wire_name: param for param in operation(api, "get_pet").parameters}
    assert (params["X-Trace"].location, params["X-Trace"].py_name) == ("header", "x_trace")
    assert (params["session"].location, params["session"].py_name) == ("cookie", "session")
    # Reserved argument names of endpoint functions, and two wire names that sanitize alike.
    assert (params["client"].py_name, params["self"].py_name) == ("client_", "self_")
    # The wire name already spelled as the Python name keeps it; the other's suffix hashes its own place.
    assert (params["page_size"].py_name, params["page[size]"].py_name) == (
        "page_size",
        "page_size_" + digest("query:page[size]", 6),
    )


def test_style_and_explode_of_query_arrays_and_objects(api: ir.Api) -> None:
    params = {param.wire_name: param for param in operation(api, "get_pet").parameters}
    assert (params["tags"].type, params["tags"].style, params["tags"].explode) == (
        ir.ListOf(ir.Primitive("str")),
        "form",
        False,
    )
    assert (params["filter"].style, params["filter"].explode) == ("deepObject", True)
    assert (params["pet-id"].style, params["pet-id"].explode) == ("simple", False)


@pytest.mark.parametrize(
    ("name", "content_type", "kind", "body_type"),
    [
        ("create_thing", "application/json", "json", ir.ModelRef("CreateThingBody")),
        ("send_form", "application/x-www-form-urlencoded", "form", ir.ModelRef("SendFormBody")),
        ("upload", "multipart/form-data", "multipart", ir.ModelRef("UploadBody")),
    ],
)
def test_request_bodies(
    api: ir.Api, name: str, content_type: str, kind: str, body_type: ir.TypeExpr
) -> None:
    body = operation(api, name).body
    assert body is not None
    assert (body.content_type, body.kind, body.type) == (content_type, kind, body_type)


def test_responses_binary_text_default_and_json_preferred(api: ir.Api) -> None:
    get_pet = operation(api, "get_pet")
    assert [(r.status, r.content_type, r.type) for r in get_pet.responses] == [
        ("200", "application/json", ir.ModelRef("Pet")),  # preferred over application/xml
        ("default", "application/json", ir.ModelRef("Error")),
    ]
    assert [(r.status, r.kind) for r in operation(api, "send_form").responses] == [
        ("200", "text"),
        ("204", "empty"),
    ]
    assert [(r.kind, r.type) for r in operation(api, "upload").responses] == [
        ("binary", ir.Primitive("bytes"))
    ]


def test_security_schemes_and_requirements(api: ir.Api) -> None:
    kinds = {scheme.name: type(scheme).__name__ for scheme in api.security_schemes}
    assert kinds == {
        "key_header": "ApiKeyScheme",
        "key_query": "ApiKeyScheme",
        "key_cookie": "ApiKeyScheme",
        "basic": "BasicScheme",
        "bearer": "TokenScheme",
        "digest": "AuthorizationScheme",
    }
    assert [req.schemes for req in operation(api, "get_pet").security] == [
        (("key_header", ()),)
    ]  # the document's default
    assert [req.schemes for req in operation(api, "upload").security] == [
        (("basic", ()),),
        (("bearer", ()),),
    ]  # the operation's own, alternatives in order


def test_deprecated_is_shown_in_docstrings(api: ir.Api) -> None:
    files = render_api(api)
    module = next(
        text for path, text in files.items() if path.startswith("api/") and "def get_pet(" in text
    )
    assert "Deprecated" in module.split("def get_pet(", 1)[1].split('"""', 2)[1]
    assert "Deprecated." in files["models/pet.py"].split("legacy:", 1)[1]


def test_servers_take_variable_defaults(api: ir.Api) -> None:
    assert api.servers == ("https://eu.example.com",)


@pytest.mark.parametrize(
    ("operation_yaml", "message"),
    [
        (
            "callbacks: {cb: {'{$request.body#/url}': {post: {responses: {'200': {description: ok}}}}}}",
            "callbacks",
        ),
        (
            "requestBody: {content: {application/xml: {schema: {type: object, properties: {a: {type: string}}}}}}",
            "application/xml content is passed as raw text or bytes",
        ),
        (
            "parameters: [{name: q, in: query, content: {application/json: {schema: {}}}}]",
            "without `schema`",
        ),
        (
            "security: [{a: [], c: []}, {b: []}]",
            "this alternative needs c, which the client cannot send",
        ),
        (
            "parameters: [{name: 'X Trace', in: header, schema: {type: string}}]",
            "not a valid HTTP token",
        ),
        (
            "parameters: [{name: 'séance', in: cookie, schema: {type: string}}]",
            "not a valid HTTP token",
        ),
    ],
)
def test_approximations_warn_with_their_location(
    tmp_path: Path, operation_yaml: str, message: str
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"
        "components: {securitySchemes: {a: {type: http, scheme: basic}, b: {type: http, scheme: bearer}}}\n"
        "paths:\n  /x:\n    post:\n"
        f"      {operation_yaml}\n"
        "      responses: {'200': {description: ok}}\n",
        encoding="utf-8",
    )
    found = [diagnostic.format() for diagnostic in build_ir(spec)[1]]
    assert len(found) == 1 and message in found[0], found
    assert found[0].startswith("spec.yaml:7: #/paths/~1x/post/"), found


def test_an_api_key_header_that_is_not_an_http_token_is_not_sent(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
        "components:\n  securitySchemes:\n    key: {type: apiKey, in: header, name: 'Api Key'}\n",
        encoding="utf-8",
    )
    api, diagnostics = build_ir(spec)
    assert api.security_schemes == ()
    assert [d.format() for d in diagnostics] == [
        "spec.yaml:6: #/components/securitySchemes/key: warning: 'Api Key' is not a valid HTTP token; "
        "requests will not carry it"
    ]
