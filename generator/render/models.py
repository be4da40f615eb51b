"""Views of models, enums and unions: exactly the strings their templates print."""

from __future__ import annotations

from dataclasses import dataclass

from generator import ir
from generator.quoting import py_literal
from generator.render.docs import docstring, origin_line
from generator.render.imports import Imports, add_annotation_imports, from_import
from generator.render.types import TypeRenderer, optional_annotation, union_decoder_name


@dataclass(frozen=True, slots=True)
class FieldView:
    py_name: str
    annotation: str
    default: str  # "" for none, else the text after `=`
    doc: str
    table_entry: str  # the arguments of its `_codec.Field(...)`: wire name, type, flags, attribute
    table_arguments: list[str]  # the same, one by one


@dataclass(frozen=True, slots=True)
class ModelView:
    name: str
    doc: str
    imports: list[str]
    type_checking_imports: list[str]
    lazy_imports: list[str]
    fields: list[FieldView]
    extra_annotation: str
    extra_decoder: str


@dataclass(frozen=True, slots=True)
class MemberView:
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class EnumView:
    name: str
    doc: str
    base: str
    members: list[MemberView]
    imports: list[str]


@dataclass(frozen=True, slots=True)
class UnionView:
    name: str
    doc: str
    alias: str  # the quoted annotation
    decoder_name: str
    imports: list[str]
    type_checking_imports: list[str]
    lazy_imports: list[str]
    what: str
    variants: list[str]  # runtime types, in trial order
    discriminator: str  # quoted property name, "" without a discriminator
    mapping: list[tuple[str, str]]  # (quoted wire value, model class)
    default: str  # the model class of `defaultMapping`, "" without one


def _field_doc(field: ir.Field) -> str:
    notes = []
    if field.deprecated:
        notes.append("Deprecated.")
    if field.read_only:
        notes.append("Read-only: sent by the server, never in requests.")
    if field.write_only:
        notes.append("Write-only: sent in requests, never returned.")
    if field.has_default and not field.required:
        notes.append(f"Server default: {py_literal(field.default)}.")
    return docstring(field.description, " ".join(notes), indent=4)


def _named_imports(
    types: TypeRenderer, names: set[str], own: str, imports: Imports
) -> list[tuple[str, str]]:
    """Enums are imported at the top (they import nothing back); models and unions only for type checking and
    lazily inside functions, because models may refer to each other in cycles."""
    lazy: set[tuple[str, str]] = set()
    for name in sorted(names - {own}):
        named = types.named[name]
        if named.kind == "enum":
            imports.add(f".{named.module}", name)
        else:
            imports.add_type_checking(f".{named.module}", name)
            runtime = union_decoder_name(named.module) if named.kind == "union" else name
            lazy.add((f".{named.module}", runtime))
    return sorted(lazy)


def _lazy_lines(imports: list[tuple[str, str]]) -> list[str]:
    """`from .module import Name` lines, sorted, laid out for a function body."""
    return [from_import(module, [name], indent=4) for module, name in sorted(imports)]


def _base_imports(types: TypeRenderer, exprs: list[ir.TypeExpr]) -> Imports:
    imports = Imports()
    imports.add("..", "_codec")
    add_annotation_imports(imports, types, exprs)
    return imports


def model_view(model: ir.Model, types: TypeRenderer) -> ModelView:
    exprs = [field.type for field in model.fields] + [model.extra]
    imports = _base_imports(types, exprs)
    imports.add("dataclasses", "dataclass", "field")
    names = set().union(*(types.referenced(expr) for expr in exprs))
    lazy = _named_imports(types, names, model.name, imports)
    fields = [_field_view(field, types) for field in model.fields]
    if any(not field.required for field in model.fields):
        imports.add(".._codec", "UNSET", "Unset")
    summary = model.title if model.title and model.title != model.name else ""
    deprecated = "Deprecated." if model.deprecated else ""
    return ModelView(
        name=model.name,
        doc=docstring(summary, model.description, deprecated, origin_line(model.origin), indent=4),
        imports=imports.lines(),
        type_checking_imports=imports.type_checking_lines(),
        lazy_imports=_lazy_lines(lazy),
        # Fields without a default first, then by name: the spec's key order must not change the output.
        fields=sorted(fields, key=lambda f: (f.default != "", f.py_name)),
        extra_annotation=types.annotation(model.extra),
        extra_decoder=types.decoder(model.extra),
    )


def _field_view(field: ir.Field, types: TypeRenderer) -> FieldView:
    annotation = types.annotation(field.type)
    if field.required:
        default = (types.default(field.type, field.default) if field.has_default else None) or ""
    else:
        annotation, default = optional_annotation(annotation), "UNSET"
    entry = [py_literal(field.wire_name), types.decoder(field.type)]
    entry += ["required=True"] if field.required else []
    entry += ["read_only=True"] if field.read_only else []
    entry += [f"attr={py_literal(field.py_name)}"] if field.py_name != field.wire_name else []
    return FieldView(
        py_name=field.py_name,
        annotation=annotation,
        default=default,
        doc=_field_doc(field),
        table_entry=", ".join(entry),
        table_arguments=entry,
    )


_ENUM_BASES = {
    "str": "enum.StrEnum",
    "int": "enum.IntEnum",
    "float": "float, enum.Enum",
    "mixed": "enum.Enum",
}


def enum_view(enum: ir.EnumType) -> EnumView:
    imports = Imports()
    imports.add("enum")
    imports.add("..", "_codec")
    note = "Values the spec does not list are accepted as pseudo-members with `.value` set to the wire value."
    return EnumView(
        name=enum.name,
        doc=docstring(enum.description, note, origin_line(enum.origin), indent=4),
        base=_ENUM_BASES[enum.value_kind],
        members=[MemberView(member.py_name, py_literal(member.value)) for member in enum.members],
        imports=imports.lines(),
    )


def union_view(union: ir.Union, types: TypeRenderer) -> UnionView:
    imports = _base_imports(types, list(union.variants))
    imports.add("typing", "TypeAlias")
    names = set().union(*(types.referenced(variant) for variant in union.variants))
    lazy = _named_imports(types, names, union.name, imports)
    imports.add("..", "_codec")
    mapping: list[tuple[str, str]] = []
    discriminator = union.discriminator
    if discriminator is not None:
        mapping = [(py_literal(value), model) for value, model in discriminator.mapping]
        default = [discriminator.default] if discriminator.default else []
        for model in [model for _, model in discriminator.mapping] + default:
            lazy_import = (f".{types.named[model].module}", model)
            if model != union.name and lazy_import not in lazy:
                lazy.append(lazy_import)
                imports.add_type_checking(f".{types.named[model].module}", model)
    alias = " | ".join(dict.fromkeys(types.annotation(variant) for variant in union.variants))
    return UnionView(
        name=union.name,
        doc=docstring(union.description, origin_line(union.origin)),
        alias=py_literal(alias),
        decoder_name=union_decoder_name(union.module),
        imports=imports.lines(),
        type_checking_imports=imports.type_checking_lines(),
        lazy_imports=_lazy_lines(lazy),
        what=py_literal(union.name),
        variants=[types.decoder(variant) for variant in _trial_order(union.variants)],
        discriminator=py_literal(discriminator.property) if discriminator else "",
        mapping=mapping,
        default=discriminator.default if discriminator else "",
    )


def _trial_order(variants: tuple[ir.TypeExpr, ...]) -> list[ir.TypeExpr]:
    """Constants and enums first (they accept the fewest values), free-form values last (they accept anything)."""

    def rank(variant: ir.TypeExpr) -> int:
        if isinstance(variant, ir.Const | ir.EnumRef):
            return 0
        if variant == ir.ANY or isinstance(variant, ir.MapOf):
            return 2
        return 1

    return sorted(variants, key=rank)
