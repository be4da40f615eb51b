"""Golden files: the whole client generated from tests/golden/features.yaml, compared byte for byte.

After an intended change to the output, update them with `make golden` and review the diff like any other.
"""

from __future__ import annotations

import os
from pathlib import Path

from generator.pipeline import Options, generate
from generator.write import compare_output, write_output

GOLDEN = Path(__file__).parent / "golden"
PACKAGE = "features_client"


def test_features_client_matches_golden_files() -> None:
    generation = generate(GOLDEN / "features.yaml", Options(package=PACKAGE))
    package_dir = GOLDEN / "features" / PACKAGE
    if os.environ.get("OAPIGEN_UPDATE_GOLDEN") == "1":
        write_output(package_dir, generation.files, header=generation.header)
    comparison = compare_output(package_dir, generation.files, header=generation.header)
    assert comparison.clean, f"{comparison.summary()} (run `make golden` if intended)\n{comparison.diff}"


def test_golden_spec_warns_about_nothing() -> None:
    # Every construct in the golden spec is supported: a warning here means a regression.
    assert generate(GOLDEN / "features.yaml", Options(package=PACKAGE)).warnings == ()
