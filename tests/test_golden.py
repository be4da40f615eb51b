"""Golden files: the whole clients generated from tests/golden/features.yaml (3.1) and v32.yaml (OpenAPI 3.2
constructs), compared byte for byte.

After an intended change to the output, update them with `make golden` and review the diff like any other. The
runtime modules are left out: they are copies of `templates/runtime/`, which the last test proves.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from generator.pipeline import Options, generate
from generator.render import RUNTIME_FILES, TEMPLATES
from generator.write import compare_output, write_output

GOLDEN = Path(__file__).parent / "golden"
PACKAGE = "features_client"
SPECS = (
    "features",
    "v32",
    "directions",
)  # tests/golden/<name>.yaml -> tests/golden/<name>/<name>_client


@pytest.mark.parametrize("name", SPECS)
def test_client_matches_golden_files(name: str) -> None:
    package = f"{name}_client"
    generation = generate(GOLDEN / f"{name}.yaml", Options(package=package))
    files = {path: text for path, text in generation.files.items() if path not in RUNTIME_FILES}
    package_dir = GOLDEN / name / package
    # Without the run key: it follows every edit of the generator's code, and says nothing about its output.
    provenance = replace(generation.provenance, key="")
    if os.environ.get("OAPIGEN_UPDATE_GOLDEN") == "1":
        write_output(package_dir, files, header=generation.header, provenance=provenance)
    comparison = compare_output(package_dir, files, header=generation.header, provenance=provenance)
    assert comparison.clean, (
        f"{comparison.summary()} (run `make golden` if intended)\n{comparison.diff}"
    )


@pytest.mark.parametrize("name", SPECS)
def test_files_that_skip_black_are_what_black_writes(name: str) -> None:
    """The fast paths (vouched files skip black) write the tree of a cold run with black on every file, which
    itself fails on any vouched file black would change."""
    options = Options(package=f"{name}_client")
    fast = generate(GOLDEN / f"{name}.yaml", options)
    cold = generate(GOLDEN / f"{name}.yaml", replace(options, verify_format=True))
    assert fast.files == cold.files
    python = [path for path in fast.files if path.endswith(".py")]
    # Most of each client skips black: our templates print its layout wherever every line fits.
    assert fast.format_counts.vouched >= 0.7 * len(python)
    assert cold.format_counts.blackened == len(python)


@pytest.mark.parametrize("name", SPECS)
def test_golden_spec_warns_about_nothing(name: str) -> None:
    # Every construct in the golden specs is supported: a warning here means a regression.
    assert generate(GOLDEN / f"{name}.yaml", Options(package=f"{name}_client")).warnings == ()


def test_runtime_modules_are_the_sources_behind_the_header() -> None:
    generation = generate(GOLDEN / "features.yaml", Options(package=PACKAGE))
    for path in sorted(RUNTIME_FILES):
        source = (TEMPLATES / "runtime" / path).read_text(encoding="utf-8")
        assert generation.files[path] == generation.header + "\n" + source, path
