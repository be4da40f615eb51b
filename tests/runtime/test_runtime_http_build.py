"""Endpoint.build: path encoding, parameter styles, bodies."""

from __future__ import annotations

import datetime
import email.parser
import email.policy
import enum
import json
from dataclasses import dataclass, field
from typing import Any

import pytest

Runtime = Any  # the runtime package assembled by conftest.py; its modules are untyped here


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


def model(rt: Runtime) -> Any:
    """A generated-style model {id (read-only), name, color}: `to_dict(request=True)` leaves `id` out."""

    @dataclass(kw_only=True)
    class Model(rt.codec.Model):  # type: ignore[misc]
        id: str = "read-only"
        name: str = "n"
        color: str = "blue"
        additional_properties: dict[str, Any] = field(default_factory=dict)

    fields = (
        rt.codec.Field("id", rt.codec.STR, read_only=True),
        rt.codec.Field("name", rt.codec.STR),
        rt.codec.Field("color", rt.codec.STR),
    )
    rt.codec.register(Model, lambda: rt.codec.Table(fields, rt.codec.ANY))
    return Model()


WHEN = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)


def endpoint(rt: Runtime, path: str = "/items/{item_id}", method: str = "GET") -> Any:
    return rt.http.Endpoint(
        name="op",
        method=method,
        path=path,
        success={"200": rt.http.json_body(rt.codec.ANY)},
        errors={},
        idempotent=method in rt.http.IDEMPOTENT_METHODS,
        security=(),
    )


def build_path(rt: Runtime, value: object) -> str:
    return str(endpoint(rt).build(path={"item_id": value}).path)


# --- Path ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("../admin?x=1#y", "/items/..%2Fadmin%3Fx%3D1%23y"),
        ("...", "/items/..."),
        ("a/b", "/items/a%2Fb"),
        ("a b+c&d=e;f", "/items/a%20b%2Bc%26d%3De%3Bf"),
        ("café ☕", "/items/caf%C3%A9%20%E2%98%95"),
        ("%2F", "/items/%252F"),
        (42, "/items/42"),
        (True, "/items/true"),
        (Color.RED, "/items/red"),
        (WHEN, "/items/2024-01-02T03%3A04%3A05Z"),
        (datetime.date(2024, 1, 2), "/items/2024-01-02"),
        (["a", "b/c"], "/items/a,b%2Fc"),
    ],
)
def test_path_values_stay_inside_their_segment(rt: Runtime, value: object, expected: str) -> None:
    assert build_path(rt, value) == expected


def test_several_path_params(rt: Runtime) -> None:
    ep = endpoint(rt, "/v2/projects/{project_id}/runs/{run_id}")
    assert ep.build(path={"project_id": "p 1", "run_id": 7}).path == "/v2/projects/p%201/runs/7"


def test_missing_path_param_is_named(rt: Runtime) -> None:
    with pytest.raises(ValueError, match="missing path parameter 'item_id'"):
        endpoint(rt).build()
    with pytest.raises(ValueError, match="missing path parameter 'item_id'"):
        endpoint(rt).build(path={"item_id": rt.codec.UNSET})


@pytest.mark.parametrize("value", ["", None, []])
def test_empty_path_param_is_refused(rt: Runtime, value: object) -> None:
    # `/items/` would reach a different endpoint (the collection) than `/items/{item_id}`.
    with pytest.raises(ValueError, match="'item_id' must not be empty"):
        build_path(rt, value)


def test_unknown_path_param_is_refused(rt: Runtime) -> None:
    with pytest.raises(ValueError, match="unknown path parameter"):
        endpoint(rt).build(path={"item_id": 1, "other": 2})


# --- Query --------------------------------------------------------------------------------------------------------


def query(rt: Runtime, *params: Any) -> list[tuple[str, str]]:
    return list(endpoint(rt, "/items").build(query=params).query)


def test_query_primitives(rt: Runtime) -> None:
    P = rt.http.Param
    assert query(rt, P("s", "x y"), P("i", 3), P("f", 1.5), P("t", True), P("n", False)) == [
        ("s", "x y"),
        ("i", "3"),
        ("f", "1.5"),
        ("t", "true"),
        ("n", "false"),
    ]


def test_query_unset_none_and_empty_are_left_out(rt: Runtime) -> None:
    P = rt.http.Param
    assert query(
        rt, P("a", rt.codec.UNSET), P("b", None), P("c", []), P("d", {}), P("e", [None]), P("f", "")
    ) == [("f", "")]


def test_query_enums_and_dates(rt: Runtime) -> None:
    P = rt.http.Param
    assert query(
        rt,
        P("c", Color.RED),
        P("at", WHEN),
        P("on", datetime.date(2024, 1, 2)),
        P("cs", [Color.RED]),
    ) == [
        ("c", "red"),
        ("at", "2024-01-02T03:04:05Z"),
        ("on", "2024-01-02"),
        ("cs", "red"),
    ]


@pytest.mark.parametrize(
    ("style", "explode", "expected"),
    [
        ("form", True, [("ids", "1"), ("ids", "2"), ("ids", "true")]),
        ("form", False, [("ids", "1,2,true")]),
        ("spaceDelimited", False, [("ids", "1 2 true")]),
        ("pipeDelimited", False, [("ids", "1|2|true")]),
        ("pipeDelimited", True, [("ids", "1"), ("ids", "2"), ("ids", "true")]),
    ],
)
def test_query_list_styles(
    rt: Runtime, style: str, explode: bool, expected: list[tuple[str, str]]
) -> None:
    assert query(rt, rt.http.Param("ids", [1, 2, True], style, explode)) == expected


@pytest.mark.parametrize(
    ("style", "explode", "expected"),
    [
        ("form", True, [("r", "100"), ("g", "200")]),
        ("form", False, [("color", "r,100,g,200")]),
        ("deepObject", True, [("color[r]", "100"), ("color[g]", "200")]),
    ],
)
def test_query_object_styles(
    rt: Runtime, style: str, explode: bool, expected: list[tuple[str, str]]
) -> None:
    assert (
        query(rt, rt.http.Param("color", {"r": 100, "g": 200, "b": None}, style, explode))
        == expected
    )


def test_query_deep_object_nesting_and_models(rt: Runtime) -> None:
    P = rt.http.Param
    value = {"a": {"b": 1, "c": [True, False]}, "d": Color.RED}
    assert query(rt, P("f", value, "deepObject")) == [
        ("f[a][b]", "1"),
        ("f[a][c]", "true"),
        ("f[a][c]", "false"),
        ("f[d]", "red"),
    ]
    # Models go through to_dict(request=True): read-only fields are not sent.
    assert query(rt, P("m", model(rt), "deepObject")) == [("m[name]", "n"), ("m[color]", "blue")]


def test_query_unknown_style(rt: Runtime) -> None:
    with pytest.raises(ValueError, match="unsupported style 'matrix'"):
        query(rt, rt.http.Param("x", 1, "matrix"))


def test_query_values_are_encoded_on_the_wire(rt: Runtime) -> None:
    import httpx

    request = endpoint(rt, "/items").build(
        query=[rt.http.Param("q", "a&b=c #d"), rt.http.Param("l", ["x,y", "z"], "form", False)]
    )
    url = httpx.URL("https://h.example/items", params=request.query)
    assert url.params.multi_items() == [("q", "a&b=c #d"), ("l", "x,y,z")]


# --- Headers and cookies ------------------------------------------------------------------------------------------


def test_header_params_use_simple_style(rt: Runtime) -> None:
    P = rt.http.Param
    request = endpoint(rt, "/items").build(
        headers=[
            P("X-Ids", [1, 2]),
            P("X-Flag", True),
            P("X-Obj", {"a": 1, "b": "x"}, "simple", True),
            P("X-Obj-Flat", {"a": 1, "b": "x"}, "simple", False),
            P("X-None", None),
            P("X-Unset", rt.codec.UNSET),
            P("X-When", WHEN),
        ]
    )
    assert request.headers == (
        ("X-Ids", "1,2"),
        ("X-Flag", "true"),
        ("X-Obj", "a=1,b=x"),
        ("X-Obj-Flat", "a,1,b,x"),
        ("X-When", "2024-01-02T03:04:05Z"),
    )


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\0b"])
def test_header_injection_is_refused(rt: Runtime, value: str) -> None:
    with pytest.raises(ValueError, match="X-Trace"):
        endpoint(rt, "/items").build(headers=[rt.http.Param("X-Trace", value)])


def test_cookie_params_are_one_cookie_header(rt: Runtime) -> None:
    P = rt.http.Param
    request = endpoint(rt, "/items").build(
        cookies=[
            P("session", 'a b;c"d'),
            P("ids", [1, 2], "form", False),
            P("gone", None),
            P("on", True),
        ]
    )
    assert request.headers == (("Cookie", "session=a%20b%3Bc%22d; ids=1,2; on=true"),)


# --- Bodies -------------------------------------------------------------------------------------------------------


def test_json_body(rt: Runtime) -> None:
    request = endpoint(rt, "/items", "POST").build(
        body=rt.http.JsonBody(
            {"at": WHEN, "color": Color.RED, "text": "é", "model": model(rt), "n": None}
        )
    )
    assert request.content_type == "application/json"
    assert request.content == (
        '{"at":"2024-01-02T03:04:05Z","color":"red","text":"é","model":{"name":"n","color":"blue"},"n":null}'.encode()
    )


def test_json_body_refuses_nan(rt: Runtime) -> None:
    with pytest.raises(ValueError):
        endpoint(rt, "/items", "POST").build(body=rt.http.JsonBody({"x": float("nan")}))


def test_form_body(rt: Runtime) -> None:
    body = rt.http.FormBody(
        {"a": "x y&z", "n": {"k": 1, "m": {"d": Color.RED}}, "l": [1, 2], "t": True, "u": None}
    )
    request = endpoint(rt, "/items", "POST").build(body=body)
    assert request.content_type == "application/x-www-form-urlencoded"
    assert request.content == b"a=x+y%26z&n%5Bk%5D=1&n%5Bm%5D%5Bd%5D=red&l=1&l=2&t=true"


def parse_multipart(
    content: bytes, content_type: str
) -> list[tuple[str | None, str | None, str, bytes]]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + content
    )
    parts: list[tuple[str | None, str | None, str, bytes]] = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        name = part.get_param("name", header="content-disposition")
        assert isinstance(payload, bytes) and isinstance(name, str)
        parts.append((name, part.get_filename(), part.get_content_type(), payload))
    return parts


def test_multipart_body(rt: Runtime) -> None:
    body = rt.http.MultipartBody(
        {
            "file": ("report.csv", b"a,b\r\n1,2\r\n", "text/csv"),
            "raw": b"\x00\x01",
            "meta": {"k": 1, "c": Color.RED},
            "name": "x y",
            "flag": False,
            "tags": ["a", "b"],
            "docs": [("1.txt", b"one"), ("2.txt", b"two")],
            "none": None,
            "unset": rt.codec.UNSET,
            'we"ird\r\n': "v",
        }
    )
    request = endpoint(rt, "/upload", "POST").build(body=body)
    assert request.content_type.startswith("multipart/form-data; boundary=")
    assert parse_multipart(request.content, request.content_type) == [
        ("file", "report.csv", "text/csv", b"a,b\r\n1,2\r\n"),
        ("raw", "raw", "application/octet-stream", b"\x00\x01"),
        ("meta", None, "application/json", b'{"k":1,"c":"red"}'),
        ("name", None, "text/plain", b"x y"),
        ("flag", None, "text/plain", b"false"),
        ("tags", None, "text/plain", b"a"),
        ("tags", None, "text/plain", b"b"),
        ("docs", "1.txt", "application/octet-stream", b"one"),
        ("docs", "2.txt", "application/octet-stream", b"two"),
        ("we%22ird%0D%0A", None, "text/plain", b"v"),
    ]


def test_multipart_encodings_give_parts_their_content_type_and_headers(rt: Runtime) -> None:
    Encoding = rt.http.Encoding
    named = rt.http.MultipartBody(
        {"meta": {"k": 1}, "note": "hi", "file": rt.codec.File(b"x", headers={"X-Own": "1"})},
        {
            "meta": Encoding("application/vnd.meta+json", (("X-Part", "meta"),)),
            "note": Encoding("text/markdown"),
            "file": Encoding(None, (("X-Part", "file"), ("X-Own", "0"))),
        },
    )
    content, content_type = named.render()
    boundary = content_type.split("boundary=", 1)[1]
    assert content.split(f"--{boundary}".encode())[1:4] == [
        b'\r\nContent-Disposition: form-data; name="meta"\r\nContent-Type: application/vnd.meta+json'
        b'\r\nX-Part: meta\r\n\r\n{"k":1}\r\n',
        b'\r\nContent-Disposition: form-data; name="note"\r\nContent-Type: text/markdown\r\n\r\nhi\r\n',
        b'\r\nContent-Disposition: form-data; name="file"; filename="file"\r\n'
        b"Content-Type: application/octet-stream\r\nX-Part: file\r\nX-Own: 1\r\n\r\nx\r\n",
    ]
    positional = rt.http.MultipartBody(
        ["a", "b", "c"],
        prefix=(Encoding("text/csv"),),
        items=Encoding(None, (("X-Rest", "yes"),)),
        media_type="multipart/related",
    )
    content, content_type = positional.render()
    assert content_type.startswith("multipart/related; boundary=")
    boundary = content_type.split("boundary=", 1)[1]
    assert content.split(f"--{boundary}".encode())[1:4] == [
        b"\r\nContent-Type: text/csv\r\n\r\na\r\n",
        b"\r\nX-Rest: yes\r\n\r\nb\r\n",
        b"\r\nX-Rest: yes\r\n\r\nc\r\n",
    ]
    for bad in ({"X-A": "v\r\nInjected: 1"}, {"X A": "v"}):
        with pytest.raises(ValueError, match="part header"):
            rt.http.MultipartBody(["x"], items=Encoding(None, tuple(bad.items()))).render()


def test_binary_and_text_bodies(rt: Runtime) -> None:
    ep = endpoint(rt, "/items", "PUT")
    binary = ep.build(body=rt.http.BinaryBody(b"\x89PNG", "image/png"))
    assert (binary.content, binary.content_type) == (b"\x89PNG", "image/png")
    text = ep.build(body=rt.http.TextBody("héllo"))
    assert (text.content, text.content_type) == ("héllo".encode(), "text/plain")
    assert ep.build().content is None and ep.build().content_type is None


def test_request_and_bodies_do_not_show_secrets(rt: Runtime) -> None:
    P = rt.http.Param
    request = endpoint(rt, "/login", "POST").build(
        query=[P("access_token", "tok-123"), P("page", 2)],
        headers=[P("X-API-Key", "key-123"), P("X-Trace", "t1")],
        body=rt.http.JsonBody({"password": "pw-123"}),
    )
    text = repr(request)
    for secret in ("tok-123", "key-123", "pw-123"):
        assert secret not in text
    assert "('page', '2')" in text and "('X-Trace', 't1')" in text and "<21 bytes>" in text
    assert "pw-123" not in repr(rt.http.JsonBody({"password": "pw-123"}))
    assert "key-123" not in repr(P("X-API-Key", "key-123"))
    assert json.loads(request.content) == {"password": "pw-123"}


@pytest.mark.parametrize(
    ("template", "values"),
    [
        ("/items/{item_id}", {"item_id": "."}),
        ("/items/{item_id}", {"item_id": ".."}),
        ("/items/{item_id}", {"item_id": ["."]}),
        ("/items/{a}{b}", {"a": ".", "b": "."}),  # two values that make one dot-segment together
        ("/items/{a}/x", {"a": ".."}),
    ],
)
def test_dot_segments_are_refused(rt: Runtime, template: str, values: dict[str, object]) -> None:
    """`%2E`/`%2E%2E` were sent instead, which normalising servers resolve as `.` and `..` (RFC 3986 6.2.2.2)."""
    with pytest.raises(ValueError, match=r"makes a '\.' or '\.\.' segment"):
        endpoint(rt, template).build(path=values)
