"""Facts about the client runtime (`templates/runtime/`), read from the runtime itself, never listed by hand."""

from __future__ import annotations

import importlib

# Imported by name: the package exists only once installed (`templates/` maps to `generator.templates`).
errors = importlib.import_module("generator.templates.runtime.errors")

# Every public exception class of the runtime's `errors` module: the package exports each of them.
ERROR_CLASSES = tuple(
    sorted(
        name
        for name, value in vars(errors).items()
        if isinstance(value, type)
        and issubclass(value, Exception)
        and value.__module__ == errors.__name__
        and not name.startswith("_")
    )
)


def raised_error(status: str) -> str:
    """The class the runtime raises for a declared error status (`"404"`, `"5XX"`, `"default"`)."""
    if status.isdigit():
        return str(errors.error_class(int(status)).__name__)
    if status.startswith("5"):  # every 5xx status raises the same class
        return str(errors.error_class(500).__name__)
    return str(errors.APIStatusError.__name__)
