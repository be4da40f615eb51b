"""The generated client's runtime, as real Python: each module is copied into every generated package behind
the header line, unchanged. This `__init__` is not copied; it only lets mypy and ruff check the modules here."""
