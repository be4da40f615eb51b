"""IR types -> Python source fragments: annotations, decoder expressions, default values, and what they import."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from generator import ir
from generator.quoting import py_literal

NamedKind = Literal["model", "enum", "union"]

_ANNOTATIONS: dict[ir.PrimitiveKind, str] = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "bool",
    "date": "datetime.date",
    "datetime": "datetime.datetime",
    "bytes": "bytes",
    "file": "bytes | File",
    "any": "Any",
}
# The runtime `_codec` types that read and write each primitive (`_codec.STR`, ...).
_WIRE_TYPES: dict[ir.PrimitiveKind, str] = {
    "str": "_codec.STR",
    "int": "_codec.INT",
    "float": "_codec.FLOAT",
    "bool": "_codec.BOOL",
    "date": "_codec.DATE",
    "datetime": "_codec.DATETIME",
    "bytes": "_codec.BYTES",
    "file": "_codec.FILE",
    "any": "_codec.ANY",
}


@dataclass(frozen=True, slots=True)
class Named:
    kind: NamedKind
    module: str


def optional_annotation(annotation: str) -> str:
    """`T` -> `T | Unset`, keeping `None` last: `T | None` -> `T | Unset | None`."""
    if annotation.endswith(" | None"):
        return annotation.removesuffix(" | None") + " | Unset | None"
    return f"{annotation} | Unset"


def union_decoder_name(module: str) -> str:
    return f"decode_{module}"


class TypeRenderer:
    def __init__(self, api: ir.Api) -> None:
        self.named: dict[str, Named] = {}
        for model in api.models:
            self.named[model.name] = Named("model", model.module)
        for enum in api.enums:
            self.named[enum.name] = Named("enum", enum.module)
        for union in api.unions:
            self.named[union.name] = Named("union", union.module)

    def annotation(self, expr: ir.TypeExpr) -> str:
        match expr:
            case ir.Primitive(kind):
                return _ANNOTATIONS[kind]
            case ir.Const(value):
                return "None" if value is None else f"Literal[{py_literal(value)}]"
            case ir.ListOf(item):
                return f"list[{self.annotation(item)}]"
            case ir.MapOf(value):
                return f"dict[str, {self.annotation(value)}]"
            case ir.ModelRef(name) | ir.EnumRef(name) | ir.UnionRef(name):
                return name
            case ir.Nullable(inner):
                text = self.annotation(inner)
                return text if text in ("Any", "None") else f"{text} | None"
        raise AssertionError(expr)

    def decoder(self, expr: ir.TypeExpr) -> str:
        """The runtime type that decodes and encodes `expr`: `_codec.ListOf(Pet)`, a model or enum class, a
        union's `decode_<module>`; what `_codec.decode`, `_http.json_body` and the model tables read."""
        match expr:
            case ir.Primitive(kind):
                return _WIRE_TYPES[kind]
            case ir.Const(value):
                return f"_codec.Const({py_literal(value)})"
            case ir.ListOf(item):
                return f"_codec.ListOf({self.decoder(item)})"
            case ir.MapOf(value):
                return f"_codec.MapOf({self.decoder(value)})"
            case ir.ModelRef(name) | ir.EnumRef(name):
                return name
            case ir.UnionRef(name):
                return union_decoder_name(self.named[name].module)
            case ir.Nullable(inner):
                return f"_codec.Nullable({self.decoder(inner)})"
        raise AssertionError(expr)

    def default(self, expr: ir.TypeExpr, value: ir.JsonValue) -> str | None:
        """A default value expression, or None when the spec's default is not an immutable value of the type.

        Such defaults (a list, an object, a string for a date, a value of the wrong type) are left to the server:
        the argument defaults to UNSET and its documentation names the server's default.
        """
        if isinstance(expr, ir.Nullable):
            return "None" if value is None else self.default(expr.inner, value)
        fits = False
        match expr:
            case ir.Primitive("str"):
                fits = isinstance(value, str)
            case ir.Primitive("int"):
                fits = isinstance(value, int) and not isinstance(value, bool)
            case ir.Primitive("float"):
                fits = isinstance(value, int | float) and not isinstance(value, bool)
            case ir.Primitive("bool"):
                fits = isinstance(value, bool)
            case ir.Const(constant):
                fits = value == constant and type(value) is type(constant)
            case ir.EnumRef(name):
                if isinstance(value, str | int | float) and not isinstance(value, bool):
                    return f"{name}({py_literal(value)})"
        return py_literal(value) if fits else None

    def referenced(self, expr: ir.TypeExpr) -> set[str]:
        """Names of the models, enums and unions an expression mentions."""
        match expr:
            case ir.ListOf(inner) | ir.Nullable(inner) | ir.MapOf(inner):
                return self.referenced(inner)
            case ir.ModelRef(name) | ir.EnumRef(name) | ir.UnionRef(name):
                return {name}
        return set()

    def decoder_imports(self, expr: ir.TypeExpr) -> set[tuple[str, str]]:
        """(module, name) pairs a decoder expression needs at run time."""
        pairs = set()
        for name in self.referenced(expr):
            named = self.named[name]
            pairs.add(
                (named.module, union_decoder_name(named.module) if named.kind == "union" else name)
            )
        return pairs

    def annotation_imports(self, expr: ir.TypeExpr) -> set[tuple[str, str]]:
        """(module, name) pairs the annotation of `expr` needs besides the named types: `typing.Any`, ..."""
        match expr:
            case ir.ListOf(inner) | ir.Nullable(inner) | ir.MapOf(inner):
                return self.annotation_imports(inner)
            case ir.Primitive("any"):
                return {("typing", "Any")}
            case ir.Primitive("date" | "datetime"):
                return {("datetime", "")}
            case ir.Primitive("file"):
                return {(".._codec", "File")}  # models/ and api/ modules are one level down alike
            case ir.Const(value) if value is not None:
                return {("typing", "Literal")}
        return set()
