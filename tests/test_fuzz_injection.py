"""Property test: no string in a spec can inject code into the generated client, or break it.

Hypothesis builds specs whose every author-controlled string (titles, descriptions, names, enum values, defaults,
examples, server URLs, paths, operationIds, tags, security scheme names) mixes hostile payloads (quotes, triple
quotes, backslashes, line breaks, NUL and other control characters, Jinja delimiters, Markdown and HTML openers,
Python keywords, non-ASCII) with arbitrary text. Each spec is generated (in-process, and every few examples through
the CLI), and the output must compile, format stably, import, decode and encode a model, accept a hostile enum
value, and send a request with hostile parameter values, all without running a single injected statement: every
payload that would run code creates a canary file, which must never appear.

CI runs a fixed, derandomized sequence of OAPIGEN_FUZZ_EXAMPLES examples (default 12); `make fuzz` runs 2000.
The figures (specs tried, generated, refused, files checked, injections found) are printed in the terminal summary
and written as JSON to $OAPIGEN_FUZZ_REPORT when it is set.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import unicodedata
import urllib.parse
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from black import format_str
from black.mode import Mode, TargetVersion
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from generator.config import DEFAULT_LINE_LENGTH as LINE_LENGTH
from generator.diagnostics import SpecError
from generator.pipeline import Options, generate
from generator.write import write_output

ROOT = Path(__file__).resolve().parents[1]
CANARY = "PWNED"
EXAMPLES = int(os.environ.get("OAPIGEN_FUZZ_EXAMPLES", "12"))  # about 45 s on 2 cores
PACKAGE = "fuzz_client"

# Each payload targets one way out of one context; the ones that would run code create the canary.
PAYLOADS = (
    '"""; open("PWNED", "w") #',
    "'''; open('PWNED', 'w') #",
    '\nimport os; os.system("touch PWNED")\n',
    "'\nimport os; os.system('touch PWNED')\n'",
    '"\nopen("PWNED", "w")\n"',
    "\\",
    '\\"',
    "\\'''",
    "\\N{BULLET}",
    "\\x00",
    '"',
    "'",
    '""',
    '"""',
    "\x00",
    "\r",
    "\r\n",
    "\x0b\x0c\x1c\x1d\x1e\x85",
    "\u2028\u2029",
    "\t",
    "\x1b[31m",
    "{{ 7*7 }}",
    '{{ cycler.__init__.__globals__.os.system("touch PWNED") }}',
    '{% raw %}{% endraw %}{% import os %}{{ lipsum.__globals__["os"].popen("touch PWNED") }}',
    "{# #}",
    "-->",
    "<!--",
    "<script>alert(1)</script>",
    "```",
    "~~~",
    "`",
    "# ",
    'f\'{open("PWNED", "w")}\'',
    "class",
    "None",
    "import",
    "def",
    "__init__",
    "from_dict",
    "UNSET",
    "Client",
    "1abc",
    "π",
    "é",
    "日本語",
    "\U0001f600",
    "\u200b",
    "\ufeff",
    "\ud800",
    "\udfff",
    "\u202e",
    "\u2066",
    "\u200f",
    "\u00ad",
    "a/b~c",
    "%2e%2e/",
    "../../",
    "{x}",
    "$ref",
    "#/components",
)

HOSTILE_TEXT = st.lists(
    st.one_of(
        st.sampled_from(PAYLOADS),
        st.text(st.characters(), max_size=8),  # surrogates (Cs) and format characters (Cf) included
    ),
    min_size=1,
    max_size=4,
).map("".join)
# What goes on the wire (names, values, paths, URLs) and into `$ref` URIs is UTF-8, which has no lone surrogates:
# such a string cannot be sent at all. Text for people (titles, descriptions) may hold them.
WIRE_TEXT = HOSTILE_TEXT.map(lambda text: "".join(c for c in text if not "\ud800" <= c <= "\udfff"))
# HTTP header names are tokens (RFC 9110); other characters cannot be sent at all. Quotes and backticks are tokens.
HEADER_NAMES = st.text(st.sampled_from("!#$%&'*+-.^_`|~0123456789abcXYZ"), min_size=1, max_size=12)
ENUM_VALUES = st.lists(WIRE_TEXT, min_size=1, max_size=4, unique=True)


@dataclass
class Figures:
    specs_tried: int = 0
    generated: int = 0
    refused_as_invalid: int = 0
    via_cli: int = 0
    files_generated: int = 0
    python_files_compiled: int = 0
    packages_imported: int = 0
    injections_found: int = 0


def _schema_ref(name: str) -> dict[str, str]:
    # A $ref is a URI: the pointer is escaped (RFC 6901), then percent-encoded like any URI fragment.
    token = name.replace("~", "~0").replace("/", "~1")
    return {"$ref": "#/components/schemas/" + urllib.parse.quote(token, safe="~")}


def _no_braces(text: str) -> str:
    # A path parameter's name sits inside `{...}` in the path template; braces there are not a name.
    return text.replace("{", "(").replace("}", ")") or "p"


@st.composite
def hostile_specs(draw: st.DrawFn) -> dict[str, Any]:
    text, wire = HOSTILE_TEXT, WIRE_TEXT
    model, enum = draw(st.lists(wire, min_size=2, max_size=2, unique=True))
    scheme = draw(text.filter(lambda name: name not in (model, enum)))
    path_param = _no_braces(draw(wire))
    enum_values = draw(ENUM_VALUES)
    model_ref, enum_ref = _schema_ref(model), _schema_ref(enum)
    wire_names = draw(st.lists(wire, min_size=4, max_size=4, unique=True))
    properties = {
        wire_names[0]: {
            "type": "string",
            "description": draw(text),
            "default": draw(wire),
            "example": draw(text),
        },
        wire_names[1]: enum_ref,
        wire_names[2]: {"type": "integer", "title": draw(text), "default": draw(st.integers())},
        wire_names[3]: {"type": "array", "items": {"type": "string"}, "description": draw(text)},
    }
    operation = {
        "operationId": draw(text),
        "summary": draw(text),
        "description": draw(text),
        "tags": [draw(text)],
        "parameters": [
            {"name": path_param, "in": "path", "required": True, "schema": {"type": "string"}},
            {
                "name": draw(wire),
                "in": "query",
                "description": draw(text),
                "schema": {"type": "string", "default": draw(wire), "example": draw(text)},
            },
            {"name": draw(HEADER_NAMES), "in": "header", "schema": enum_ref},
        ],
        "responses": {
            "200": {
                "description": draw(text),
                "content": {"application/json": {"schema": model_ref}},
            },
            "404": {"description": draw(text)},
        },
    }
    post = {
        "operationId": draw(text),
        "description": draw(text),
        "requestBody": {
            "required": True,
            "description": draw(text),
            "content": {
                "application/json": {"schema": model_ref, "example": {wire_names[0]: draw(text)}}
            },
        },
        "responses": {"201": {"description": draw(text)}},
    }
    return {
        "openapi": draw(st.sampled_from(["3.0.3", "3.1.0"])),
        "info": {"title": draw(text), "description": draw(text), "version": draw(text)},
        "servers": [{"url": "https://example.com/" + draw(wire), "description": draw(text)}],
        "tags": [{"name": draw(text), "description": draw(text)}],
        "paths": {
            "/" + draw(wire).replace("{", "(").replace("}", ")") + "/{" + path_param + "}": {
                "get": operation
            },
            "/" + draw(wire).replace("{", "(").replace("}", ")"): {"post": post},
        },
        "components": {
            "schemas": {
                model: {
                    "title": draw(text),
                    "description": draw(text),
                    "type": "object",
                    "required": [wire_names[0]],
                    "properties": properties,
                },
                enum: {"type": "string", "description": draw(text), "enum": enum_values},
            },
            "securitySchemes": {
                scheme: {"type": "apiKey", "in": "header", "name": draw(HEADER_NAMES)}
            },
        },
        "security": [{scheme: []}],
        "x-probe": {
            "model_data": _model_data(wire_names, enum_values, draw(wire)),
            "enum_probe": draw(wire),
        },
    }


def _model_data(wire_names: list[str], enum_values: list[str], hostile: str) -> dict[str, Any]:
    """A JSON object the generated model must decode and encode back unchanged."""
    return {
        wire_names[0]: hostile,
        wire_names[1]: enum_values[0],
        wire_names[2]: 7,
        wire_names[3]: [hostile],
    }


# The spec's file name is printed in every file's header comment and in the README.
FILE_STEMS = st.text(
    st.characters(exclude_categories=["Cs"], exclude_characters="/\x00"), max_size=20
).filter(lambda stem: len(stem.encode()) < 200)


def _write_spec(spec: dict[str, Any], folder: Path, stem: str, as_yaml: bool) -> Path:
    if as_yaml:
        path = folder / f"spec{stem}.yaml"
        path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    else:
        path = folder / f"spec{stem}.json"
        path.write_text(json.dumps(spec), encoding="utf-8")
    return path


# Runs in a fresh interpreter whose cwd is the example's folder, so `open("PWNED", "w")` lands there if it runs.
_EXERCISE = textwrap.dedent(
    """
    import enum, importlib, inspect, json, pkgutil, sys
    import httpx
    probe = json.loads(sys.argv[1])
    package = importlib.import_module(sys.argv[2])
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
    models = importlib.import_module(sys.argv[2] + ".models")
    decoded = 0
    for name in models.__all__:
        item = getattr(models, name)
        if isinstance(item, type) and issubclass(item, enum.Enum):
            assert item(probe["enum_probe"]).value == probe["enum_probe"]
            for member in item:
                assert item(member.value) is member
        elif hasattr(item, "from_dict"):
            try:
                instance = item.from_dict(probe["model_data"])
            except Exception as error:
                if type(error).__name__ != "DecodeError":
                    raise
                continue
            assert instance.to_dict() == probe["model_data"], (instance.to_dict(), probe["model_data"])
            decoded += 1
    assert decoded, "no model decoded the probe data"

    sent = []
    def handler(request):
        sent.append(request)
        return httpx.Response(200, json=probe["model_data"])
    api = importlib.import_module(sys.argv[2] + ".api")
    transport = httpx.MockTransport(handler)
    client = package.Client("https://example.com", api_key="k", http_client=httpx.Client(transport=transport))
    for name in api.__all__:
        if name.endswith(("_async", "_raw", "_iter", "_pages")):
            continue
        function = getattr(api, name)
        args = {}
        for parameter in list(inspect.signature(function).parameters.values())[1:]:
            if parameter.default is inspect.Parameter.empty:  # an empty path parameter is refused by design
                args[parameter.name] = probe["model_data"][next(iter(probe["model_data"]))] + "x"
        try:
            function(client, **args)
        except package.APIError:
            pass
        except AttributeError:  # a str passed where the request body model goes
            pass
    assert sent, "no request was sent"
    print(len(sent))
    """
)


def _exercise(folder: Path, probe: dict[str, Any]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _EXERCISE, json.dumps(probe), PACKAGE],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": str(folder), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert result.returncode == 0, result.stderr


def _generate_via_cli(spec_path: Path, output: Path) -> dict[str, str] | None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "generate",
            str(spec_path),
            "-o",
            str(output),
            "--package",
            PACKAGE,
            "--lenient",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in result.stderr and result.returncode in (0, 2), result.stderr
    if result.returncode == 2:
        return None
    package = output / PACKAGE
    return {
        path.relative_to(package).as_posix(): path.read_text(encoding="utf-8")
        for path in package.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    }


def _check_files(files: dict[str, str], figures: Figures) -> None:
    mode = Mode(target_versions={TargetVersion.PY311}, line_length=LINE_LENGTH)
    for path, text in files.items():
        figures.files_generated += 1
        # Trojan Source: no bidi control (nor any other format character) or lone surrogate in the source.
        assert not [c for c in text if unicodedata.category(c) in ("Cf", "Cs")], path
        if path.endswith(".py"):
            compile(text, path, "exec")
            assert format_str(text, mode=mode) == text, f"{path} is not stably formatted"
            figures.python_files_compiled += 1
    readme = files["README.md"]
    # Spec text must not open an HTML element, comment or code fence of its own in the README's prose (inside the
    # Python examples, `-->` is only text).
    prose = _outside_code_blocks(readme)
    assert prose.count("<!--") == 1 and prose.count("-->") == 1, readme
    assert "<script" not in prose
    fences = [line for line in readme.splitlines() if line.lstrip().startswith(("```", "~~~"))]
    assert all(line in ("```python", "```") for line in fences), fences
    for number, block in enumerate(readme.split("```python\n")[1:]):
        compile(block.split("\n```")[0], f"README.md example {number}", "exec")


def _outside_code_blocks(markdown: str) -> str:
    kept, in_block = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            in_block = not in_block
        elif not in_block:
            kept.append(line)
    return "\n".join(kept)


def _canaries(*folders: Path) -> list[Path]:
    return [path for folder in folders for path in folder.rglob(CANARY + "*")]


def test_hostile_strings_never_inject_code(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(
        "OAPIGEN_CACHE", "off"
    )  # thousands of one-off files would only fill the black cache
    assert not _canaries(ROOT) and not (Path.cwd() / CANARY).exists()
    figures = Figures()

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        # No shrinking: each step costs a generation and a subprocess (minutes), and the spec is readable as is.
        phases=(Phase.explicit, Phase.generate),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(spec=hostile_specs(), stem=FILE_STEMS, as_yaml=st.booleans())
    def run(spec: dict[str, Any], stem: str, as_yaml: bool) -> None:
        figures.specs_tried += 1
        folder = tmp_path_factory.mktemp("fuzz")
        spec_path = _write_spec(spec, folder, stem, as_yaml)
        try:
            files: dict[str, str] | None = generate(
                spec_path, Options(package=PACKAGE, lenient=True)
            ).files
        except SpecError:
            files = None  # a hostile spec may be refused, located; it must never crash or inject
        if figures.specs_tried % 5 == 0:
            figures.via_cli += 1
            assert (_generate_via_cli(spec_path, folder / "cli") is None) == (files is None)
        if files is None:
            figures.refused_as_invalid += 1
            return
        figures.generated += 1
        _check_files(files, figures)
        write_output(folder / PACKAGE, files)
        _exercise(folder, spec["x-probe"])
        figures.packages_imported += 1
        found = _canaries(folder, ROOT)
        figures.injections_found += len(found)
        assert not found, f"injected code ran: {found}"

    try:
        run()
    finally:
        _report(figures, capsys)
    assert figures.generated >= figures.specs_tried // 2, "most hostile specs should still generate"


def _report(figures: Figures, capsys: pytest.CaptureFixture[str]) -> None:
    line = "fuzz figures: " + ", ".join(
        f"{key.replace('_', ' ')} {value}" for key, value in asdict(figures).items()
    )
    with capsys.disabled():  # shown on every run, passing or not, -q or not
        print(f"\n{line}", file=sys.stderr)
    report = os.environ.get("OAPIGEN_FUZZ_REPORT")
    if report:
        Path(report).write_text(
            json.dumps({"examples": EXAMPLES, **asdict(figures)}, indent=2) + "\n"
        )
