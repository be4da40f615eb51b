"""Endpoint.parse: status dispatch, error classes, bodies, ResponseValidationError."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

Runtime = Any  # the runtime package assembled by conftest.py; its modules are untyped here


def models(rt: Runtime) -> tuple[Any, Any, Any]:
    """Item {id: int, name: str}, Items {items: [Item]} and a FastAPI validation error, as generated models."""
    codec = rt.codec

    @dataclass(kw_only=True)
    class Item(codec.Model):  # type: ignore[misc,name-defined]
        id: int
        name: str
        additional_properties: dict[str, Any] = field(default_factory=dict)

    @dataclass(kw_only=True)
    class Items(codec.Model):  # type: ignore[misc,name-defined]
        items: list[Any]
        additional_properties: dict[str, Any] = field(default_factory=dict)

    @dataclass(kw_only=True)
    class ValidationErrorModel(codec.Model):  # type: ignore[misc,name-defined]
        detail: list[Any]
        additional_properties: dict[str, Any] = field(default_factory=dict)

    def table(*fields: Any) -> Any:
        return lambda: codec.Table(fields, codec.ANY)

    codec.register(
        Item,
        table(codec.Field("id", codec.INT, required=True), codec.Field("name", codec.STR, True)),
    )
    codec.register(Items, table(codec.Field("items", codec.ListOf(Item), required=True)))
    detail = codec.ListOf(codec.MapOf(codec.ANY))
    codec.register(ValidationErrorModel, table(codec.Field("detail", detail, required=True)))
    return Item, Items, ValidationErrorModel


def endpoint(
    rt: Runtime, success: dict[str, Any], errors: dict[str, Any] | None = None, method: str = "POST"
) -> Any:
    return rt.http.Endpoint(
        name="extend_dataset",
        method=method,
        path="/v2/datasets/{dataset_id}/extend",
        success=success,
        errors=errors or {},
        idempotent=False,
        security=("GalileoApiKey",),
    )


def response(
    status: int, body: object = None, *, headers: dict[str, str] | None = None, **kwargs: Any
) -> Any:
    request = httpx.Request("POST", "https://api.example.com/v2/datasets/d1/extend")
    if body is not None:
        kwargs["json"] = body
    return httpx.Response(status, headers=headers, request=request, **kwargs)


# --- Success dispatch ---------------------------------------------------------------------------------------------


def test_exact_status(rt: Runtime) -> None:
    Item, _, _ = models(rt)
    ep = endpoint(rt, {"200": rt.http.json_body(Item), "204": rt.http.empty_body()})
    result = ep.parse(response(200, {"id": 1, "name": "a"}, headers={"x-request-id": "req-1"}))
    assert result.parsed == Item(id=1, name="a")
    assert result.drift == ()
    assert (result.status_code, result.request_id, result.headers["x-request-id"]) == (
        200,
        "req-1",
        "req-1",
    )
    assert result.http_response.status_code == 200
    assert ep.parse(response(204)).parsed is None


def test_range_and_default(rt: Runtime) -> None:
    ep = endpoint(rt, {"2XX": rt.http.text_body()})
    assert ep.parse(response(202, content=b"queued")).parsed == "queued"
    ep = endpoint(rt, {"default": rt.http.binary_body()})
    assert ep.parse(response(201, content=b"\x00")).parsed == b"\x00"
    # A success "default" does not turn an error status into a success.
    with pytest.raises(rt.errors.InternalServerError):
        ep.parse(response(500, {"detail": "boom"}))


def test_undeclared_2xx_uses_the_first_success_decoder(rt: Runtime) -> None:
    Item, _, _ = models(rt)
    ep = endpoint(rt, {"201": rt.http.json_body(Item)})
    assert ep.parse(response(200, {"id": 2, "name": "b"})).parsed == Item(id=2, name="b")


def test_exact_beats_range_and_success_beats_errors(rt: Runtime) -> None:
    ep = endpoint(
        rt,
        {"200": rt.http.text_body(), "4XX": rt.http.text_body()},
        {"404": rt.http.json_body(rt.codec.ANY), "2XX": rt.http.json_body(rt.codec.ANY)},
    )
    assert ep.parse(response(200, content=b"ok")).parsed == "ok"
    assert (
        ep.parse(response(410, content=b"gone but declared as success")).parsed
        == "gone but declared as success"
    )
    with pytest.raises(rt.errors.NotFoundError):
        ep.parse(response(404, {"detail": "x"}))
    with pytest.raises(rt.errors.APIStatusError):
        ep.parse(response(201, {"x": 1}))  # "2XX" declared as an error response: spec's word


def test_lowercase_range_key(rt: Runtime) -> None:
    assert endpoint(rt, {"2xx": rt.http.text_body()}).parse(response(204)).parsed == ""


def test_2xx_with_nothing_declared(rt: Runtime) -> None:
    with pytest.raises(
        rt.errors.ResponseValidationError, match="no response is declared for status 200"
    ):
        endpoint(rt, {}).parse(response(200, {}))


def test_response_repr_hides_headers(rt: Runtime) -> None:
    result = endpoint(rt, {"200": rt.http.text_body()}).parse(
        response(200, content=b"hi", headers={"set-cookie": "session=s3cr3t", "request-id": "r9"})
    )
    assert repr(result) == "ApiResponse(status_code=200, request_id='r9', parsed='hi')"


# --- Response validation ------------------------------------------------------------------------------------------


def test_lenient_parse_keeps_the_body_and_reports_drift(
    rt: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    Item, Items, _ = models(rt)
    ep = endpoint(rt, {"200": rt.http.json_body(Items)})
    body = {"items": [{"id": 1, "name": "a"}, {"id": "2", "name": "b"}, {"id": "3", "name": "c"}]}
    with caplog.at_level("WARNING"):
        result = ep.parse(response(200, body))
        ep.parse(response(200, body))
    assert result.parsed.items[0] == Item(id=1, name="a")
    assert result.parsed.items[1] == Item(id="2", name="b")  # the raw value, kept
    assert [str(record) for record in result.drift] == [
        "$.items[1].id: expected an integer, got a string",
        "$.items[2].id: expected an integer, got a string",
    ]
    assert result.parsed.to_dict() == body
    assert rt.codec.drift(result.parsed) == result.drift
    # Logged once per operation and place, list indices as [*], and no value ("2", "3") in the message.
    assert [record.getMessage() for record in caplog.records] == [
        "extend_dataset: the response differs from the spec at $.items[*].id: expected an integer, "
        "got a string (kept as received)"
    ]


def test_body_nested_too_deeply_is_a_typed_error(rt: Runtime) -> None:
    ep = endpoint(
        rt, {"200": rt.http.json_body(rt.codec.ANY)}, {"500": rt.http.json_body(rt.codec.ANY)}
    )
    deep = b"[" * 100_000 + b"]" * 100_000
    for strict in (False, True):
        with pytest.raises(rt.errors.ResponseValidationError, match="nested too deeply"):
            ep.parse(response(200, content=deep), strict=strict)
    with pytest.raises(rt.errors.InternalServerError) as caught:
        ep.parse(response(500, content=deep))
    assert caught.value.body == deep.decode()  # not JSON Python can read: kept as text


def test_recursive_model_nested_deeper_than_the_decoder_can_go(rt: Runtime) -> None:
    codec = rt.codec

    @dataclass(kw_only=True)
    class Node(codec.Model):  # type: ignore[misc,name-defined]
        child: Any = codec.UNSET
        additional_properties: dict[str, Any] = field(default_factory=dict)

    codec.register(
        Node, lambda: codec.Table((codec.Field("child", codec.Nullable(Node)),), codec.ANY)
    )
    ep = endpoint(rt, {"200": rt.http.json_body(Node)})
    depth = sys.getrecursionlimit() * 5
    deep = b'{"child":' * depth + b"null" + b"}" * depth
    for strict in (False, True):  # json.loads gives up first
        with pytest.raises(rt.errors.ResponseValidationError, match="nested too deeply"):
            ep.parse(response(200, content=deep), strict=strict)
    value: dict[str, Any] = {"child": None}
    for _ in range(depth):  # built in Python: now the decoder is the one that gives up
        value = {"child": value}
    for strict in (False, True):
        with pytest.raises(rt.codec.DecodeError, match=r"^\$: the value is nested too deeply"):
            rt.codec.decode(Node, value, strict=strict)
    shallow = b'{"child":' * 50 + b"null" + b"}" * 50
    assert ep.parse(response(200, content=shallow)).drift == ()


def test_response_validation_error_names_path_status_and_endpoint(rt: Runtime) -> None:
    _, Items, _ = models(rt)
    ep = endpoint(rt, {"200": rt.http.json_body(Items)})
    body = {"items": [{"id": 1, "name": "a"}, {"id": "2", "name": "b"}]}
    with pytest.raises(rt.errors.ResponseValidationError) as caught:
        ep.parse(response(200, body, headers={"x-request-id": "abc"}), strict=True)
    error = caught.value
    assert (error.path, error.status_code, error.endpoint, error.request_id) == (
        "$.items[1].id",
        200,
        "extend_dataset",
        "abc",
    )
    assert error.response.status_code == 200
    assert str(error) == (
        "extend_dataset: the 200 response from POST /v2/datasets/{dataset_id}/extend, request id abc "
        "does not match the spec at $.items[1].id: expected an integer, got a string"
    )
    assert isinstance(error, rt.errors.APIError)
    assert isinstance(error.__cause__, rt.codec.DecodeError)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "expected a JSON body, got an empty body"), (b"<html>", "the body is not valid JSON")],
)
def test_json_body_that_is_not_json(rt: Runtime, content: bytes, message: str) -> None:
    ep = endpoint(rt, {"200": rt.http.json_body(rt.codec.ANY)})
    with pytest.raises(rt.errors.ResponseValidationError, match=message) as caught:
        ep.parse(response(200, content=content))
    assert caught.value.path == "$"


# --- Errors -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "name"),
    [
        (400, "BadRequestError"),
        (401, "AuthenticationError"),
        (403, "PermissionDeniedError"),
        (404, "NotFoundError"),
        (409, "ConflictError"),
        (422, "UnprocessableEntityError"),
        (429, "RateLimitError"),
        (500, "InternalServerError"),
        (503, "InternalServerError"),
        (599, "InternalServerError"),
        (418, "APIStatusError"),
        (302, "APIStatusError"),
    ],
)
def test_error_class_per_status(rt: Runtime, status: int, name: str) -> None:
    ep = endpoint(rt, {"200": rt.http.empty_body()})
    with pytest.raises(rt.errors.APIStatusError) as caught:
        ep.parse(response(status, {"message": "nope"}, headers={"request-id": "rid"}))
    error = caught.value
    assert type(error).__name__ == name
    assert isinstance(error, rt.errors.APIError)
    assert (error.status_code, error.body, error.request_id) == (status, {"message": "nope"}, "rid")
    assert error.headers["request-id"] == "rid"
    assert error.response.status_code == status
    assert str(error).endswith("from POST /v2/datasets/{dataset_id}/extend (request id rid): nope")


def test_unprocessable_entity_with_declared_model(rt: Runtime) -> None:
    detail = [
        {"loc": ["body", "prompt_settings", 0], "msg": "Field required", "type": "missing"},
        {"loc": ["query", "limit"], "msg": "not an int", "type": "int_parsing"},
    ]
    _, _, ValidationErrorModel = models(rt)
    ep = endpoint(
        rt, {"200": rt.http.empty_body()}, {"422": rt.http.json_body(ValidationErrorModel)}
    )
    with pytest.raises(rt.errors.UnprocessableEntityError) as caught:
        ep.parse(response(422, {"detail": detail}, headers={"x-request-id": "abc"}))
    error = caught.value
    assert error.body == ValidationErrorModel(detail=detail)
    V = rt.errors.ValidationDetail
    assert error.details == (
        V(("body", "prompt_settings", 0), "Field required", "missing"),
        V(("query", "limit"), "not an int", "int_parsing"),
    )
    assert str(error) == (
        "422 Unprocessable Entity from POST /v2/datasets/{dataset_id}/extend (request id abc): "
        "body.prompt_settings.0: Field required (and 1 more)"
    )


def test_error_body_that_does_not_match_its_model_is_kept_raw(rt: Runtime) -> None:
    _, _, ValidationErrorModel = models(rt)
    ep = endpoint(
        rt, {"200": rt.http.empty_body()}, {"422": rt.http.json_body(ValidationErrorModel)}
    )
    with pytest.raises(rt.errors.UnprocessableEntityError) as caught:
        ep.parse(response(422, {"detail": "bad input"}))
    assert caught.value.body == {"detail": "bad input"}
    assert caught.value.details == ()
    assert str(caught.value).endswith(": bad input")


def test_range_and_default_error_decoders(rt: Runtime) -> None:
    class Labelled(rt.codec.Type):  # type: ignore[misc]
        def __init__(self, label: str) -> None:
            self.label = label

        def decode(self, value: object, ctx: Any, path: Any) -> Any:
            return (self.label, value)

    def decoder(label: str) -> Any:
        return rt.http.json_body(Labelled(label))

    ep = endpoint(
        rt, {"200": rt.http.empty_body()}, {"4XX": decoder("4xx"), "default": decoder("default")}
    )
    with pytest.raises(rt.errors.NotFoundError) as caught:
        ep.parse(response(404, {"a": 1}))
    assert caught.value.body == ("4xx", {"a": 1})
    with pytest.raises(rt.errors.InternalServerError) as caught:
        ep.parse(response(502, {"b": 2}))
    assert caught.value.body == ("default", {"b": 2})


def test_error_bodies_text_and_empty(rt: Runtime) -> None:
    ep = endpoint(rt, {"200": rt.http.empty_body()})
    with pytest.raises(rt.errors.InternalServerError) as caught:
        ep.parse(
            response(502, content=b"upstream   timed out\n", headers={"content-type": "text/plain"})
        )
    assert caught.value.body == "upstream   timed out\n"
    assert (
        str(caught.value)
        == "502 Bad Gateway from POST /v2/datasets/{dataset_id}/extend: upstream timed out"
    )
    with pytest.raises(rt.errors.NotFoundError) as caught:
        ep.parse(response(404))
    assert caught.value.body is None
    assert str(caught.value) == "404 Not Found from POST /v2/datasets/{dataset_id}/extend"
    assert caught.value.request_id is None


def test_error_message_is_short(rt: Runtime) -> None:
    ep = endpoint(rt, {"200": rt.http.empty_body()})
    with pytest.raises(rt.errors.BadRequestError) as caught:
        ep.parse(response(400, {"error": {"message": "x" * 5000}}))
    assert len(str(caught.value)) < 300
    assert caught.value.body == {"error": {"message": "x" * 5000}}
