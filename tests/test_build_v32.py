"""Builder semantics of OpenAPI 3.2 constructs: streams and their items, QUERY and other methods, a whole query
string, binary parts; and the located warnings for what is not generated."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus.harness import build_ir

from generator import ir
from generator.pipeline import Options, generate

GOLDEN = Path(__file__).parent / "golden" / "v32.yaml"

ODD = """
openapi: 3.2.0
$self: https://example.test/odd.yaml
info: {title: Odd, version: '1'}
tags:
  - {name: parent}
  - {name: child, parent: parent, kind: nav}
paths:
  /upload:
    post:
      operationId: upload
      requestBody:
        content:
          text/event-stream:
            itemSchema: {type: object}
      responses:
        '204': {description: stored}
  /events:
    get:
      operationId: events
      parameters:
        - name: q
          in: querystring
          content:
            application/json:
              schema: {type: object, properties: {a: {type: string}}}
      responses:
        '200':
          description: Events, one kind without a constant name.
          content:
            text/event-stream:
              itemSchema:
                type: object
                properties:
                  data: {type: object, properties: {n: {type: integer}}}
                oneOf:
                  - properties: {event: {type: string}}
                  - properties: {event: {enum: [tick]}, data: {type: string}}
"""


@pytest.fixture(scope="module")
def api() -> ir.Api:
    return build_ir(GOLDEN)[0]


def operation(api: ir.Api, name: str) -> ir.Operation:
    return next(item for item in api.operations if item.function_name == name)


def test_event_kinds_type_their_data_by_name(api: ir.Api) -> None:
    [response] = operation(api, "stream_chat").success_responses
    assert (response.kind, response.type, response.content_type) == (
        "stream",
        None,
        "text/event-stream",
    )
    assert response.stream == ir.ItemStream(
        "events",
        ir.ANY,
        (
            ir.EventData("", ir.Primitive("str"), False),
            ir.EventData("token", ir.ModelRef("Token"), True),
            ir.EventData("done", ir.ModelRef("Usage"), True),
        ),
    )


def test_json_sequences_type_each_item(api: ir.Api) -> None:
    [logs] = operation(api, "tail_logs").success_responses
    assert logs.stream == ir.ItemStream("json_lines", ir.ModelRef("LogRecord"))
    [metrics] = operation(api, "read_metrics").success_responses
    assert metrics.stream is not None and metrics.stream.format == "json_seq"


def test_json_sequence_request_bodies_take_items(api: ir.Api) -> None:
    logs, metrics = operation(api, "ingest_logs").body, operation(api, "record_metrics").body
    assert logs is not None and (logs.kind, logs.type) == ("json_lines", ir.ModelRef("LogRecord"))
    assert metrics is not None and metrics.kind == "json_seq"


def test_positional_multipart_encodings(api: ir.Api) -> None:
    body = operation(api, "submit_report").body
    assert body is not None and body.type == ir.ListOf(ir.ANY)
    assert body.prefix_encodings == (
        ir.PartEncoding("application/json", (("X-Part", "summary"),)),
        ir.PartEncoding("text/csv"),
    )
    # Content-ID has no fixed value: the caller gives it with `File(headers=...)`.
    assert body.item_encoding == ir.PartEncoding("image/png", (("X-Part", "figure"),))


def test_methods_and_the_query_string(api: ir.Api) -> None:
    assert operation(api, "search_documents").method == "QUERY"
    assert operation(api, "search_documents").idempotent
    assert (operation(api, "link_document").method, operation(api, "link_document").idempotent) == (
        "LINK",
        False,
    )
    [filter] = operation(api, "list_documents").parameters
    assert (filter.location, filter.type) == ("querystring", ir.ModelRef("DocumentFilter"))


def test_binary_parts_and_encodings(api: ir.Api) -> None:
    upload = next(model for model in api.models if model.name == "Upload")
    attachment = next(field for field in upload.fields if field.wire_name == "attachment")
    assert attachment.type == ir.Primitive("file")
    body = operation(api, "upload_file").body
    assert body is not None and body.part_encodings == (
        ("attachment", ir.PartEncoding("image/png")),
    )


def test_the_default_mapping_is_the_discriminators_default(api: ir.Api) -> None:
    block = next(union for union in api.unions if union.name == "Block")
    assert block.discriminator == ir.Discriminator(
        "kind", (("text", "TextBlock"), ("image", "ImageBlock")), "GenericBlock"
    )
    assert block.variants[-1] == ir.ModelRef("GenericBlock")  # not a oneOf branch, but decoded to


def test_what_is_not_generated_is_a_located_warning(tmp_path: Path) -> None:
    spec = tmp_path / "odd.yaml"
    spec.write_text(ODD, encoding="utf-8")
    generation = generate(spec, Options(package="odd_client"))
    warnings = sorted((w.pointer, w.message) for w in generation.warnings)
    assert warnings == [
        ("/$self", "$self is not used: references resolve against the file's own location"),
        (
            "/paths/~1events/get/parameters/0/content/application~1json",
            "a application/json query string is sent as application/x-www-form-urlencoded",
        ),
        (
            "/paths/~1events/get/responses/200/content/text~1event-stream/itemSchema/oneOf/0",
            "an event kind without a constant `event` is not typed apart",
        ),
        (
            "/paths/~1upload/post/requestBody/content/text~1event-stream/itemSchema",
            "itemSchema of a text/event-stream request body is not used: it is sent as given",
        ),
        ("/tags/1/kind", "tag `kind` is not used: API modules are named after the first tag"),
        ("/tags/1/parent", "tag `parent` is not used: API modules are named after the first tag"),
    ]
    api_module = generation.files["api/default.py"]
    # Data with an object schema and no contentSchema is JSON; the `tick` kind's string data is text.
    assert "_streaming.events(_streaming.json_data(EventsResponseItemData)," in api_module
    assert '"tick": _streaming.text_data' in api_module
