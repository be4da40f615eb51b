"""The pipeline's options: what one `generate` or `check` run of one client is asked to do.

A module of its own, importing nothing heavy: `check` of an up-to-date client reads them to compute the run key
(generator/runkey.py) without importing the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.config import ASYNC_CLIENT_CLASS, CLIENT_CLASS, DEFAULT_LINE_LENGTH


@dataclass(frozen=True, slots=True)
class Options:
    package: str
    strict: bool = False  # warnings are errors
    lenient: bool = False  # validation errors are warnings; generate what is sound
    allow_external_refs: bool = False  # local $refs may leave the spec's folder
    include_operations: tuple[str, ...] = ()  # operationIds; empty: all
    exclude_operations: tuple[str, ...] = ()
    include_tags: tuple[str, ...] = ()
    exclude_tags: tuple[str, ...] = ()
    line_length: int = DEFAULT_LINE_LENGTH  # of the generated code
    header: str = ""  # extra comment lines under each Python file's header line
    client_class: str = CLIENT_CLASS
    async_client_class: str = ASYNC_CLIENT_CLASS
    templates: Path | None = None  # templates here replace ours by file name
    verify_format: bool = (
        False  # reuse nothing recorded; black on every file, even the preformatted ones
    )
