"""Standard libraries compiled straight from the shipped YAML (no database needed)."""

import pytest

from hexie.standards.library import LIBRARY_DIR, compile_library, read_yaml


def compile_shipped() -> dict:
    baseline = compile_library(read_yaml(LIBRARY_DIR / "zj-baseline-v1.yaml"),
                               LIBRARY_DIR / "zj-baseline-v1.yaml")
    scored = compile_library(read_yaml(LIBRARY_DIR / "example-scored-v1.yaml"),
                             LIBRARY_DIR / "example-scored-v1.yaml", parent=baseline)
    return {baseline.id: baseline, scored.id: scored}


@pytest.fixture(scope="session")
def libraries():
    return compile_shipped()


@pytest.fixture(scope="session")
def baseline(libraries):
    return libraries["zj-baseline"]
