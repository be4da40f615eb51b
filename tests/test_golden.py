"""Golden files: the whole client generated from tests/golden/features.yaml, compared byte for byte.

After an intended change to the output, update them with `make golden` and review the diff like any other. The
runtime modules are left out: they are copies of `templates/runtime/`, which the last test proves.
"""

from __future__ import annotations

import os
from pathlib import Path

from generator.pipeline import Options, generate
from generator.render import RUNTIME_FILES, TEMPLATES
from generator.write import compare_output, write_output

GOLDEN = Path(__file__).parent / "golden"
PACKAGE = "features_client"


def test_features_client_matches_golden_files() -> None:
    generation = generate(GOLDEN / "features.yaml", Options(package=PACKAGE))
    files = {path: text for path, text in generation.files.items() if path not in RUNTIME_FILES}
    package_dir = GOLDEN / "features" / PACKAGE
    if os.environ.get("OAPIGEN_UPDATE_GOLDEN") == "1":
        write_output(
            package_dir, files, header=generation.header, provenance=generation.provenance
        )
    comparison = compare_output(
        package_dir, files, header=generation.header, provenance=generation.provenance
    )
    assert comparison.clean, (
        f"{comparison.summary()} (run `make golden` if intended)\n{comparison.diff}"
    )


def test_golden_spec_warns_about_nothing() -> None:
    # Every construct in the golden spec is supported: a warning here means a regression.
    assert generate(GOLDEN / "features.yaml", Options(package=PACKAGE)).warnings == ()


def test_runtime_modules_are_the_sources_behind_the_header() -> None:
    generation = generate(GOLDEN / "features.yaml", Options(package=PACKAGE))
    for path in sorted(RUNTIME_FILES):
        source = (TEMPLATES / "runtime" / path).read_text(encoding="utf-8")
        assert generation.files[path] == generation.header + "\n" + source, path
