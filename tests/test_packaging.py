"""The package metadata installs without deprecation warnings (pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_licence_is_an_spdx_expression_with_a_backend_that_reads_it() -> None:
    # The table form ({ text = ... }) made every install print a deprecation warning.
    assert PYPROJECT["project"]["license"] == "EUPL-1.2"
    [setuptools] = [
        Requirement(text)
        for text in PYPROJECT["build-system"]["requires"]
        if Requirement(text).name == "setuptools"
    ]
    # PEP 639 license expressions are read from setuptools 77 on; older ones refuse them.
    assert not setuptools.specifier.contains(Version("76.9")), setuptools


@pytest.mark.slow
def test_installing_prints_no_deprecation_warning(tmp_path: Path) -> None:
    """What `make run`'s `pip install -e .` shows, on the metadata alone (a copy without code)."""
    project = tmp_path / "project"
    for package in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]:
        (project / package.rstrip("*")).mkdir(parents=True)
        (project / package.rstrip("*") / "__init__.py").touch()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, project / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    result = subprocess.run(
        [*pip, "install", "--no-deps", "--dry-run", "--ignore-installed", str(project)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    output = result.stdout + result.stderr
    if result.returncode != 0 and "No matching distribution found for setuptools" in output:
        pytest.skip("the package index is out of reach: no build backend to ask")
    assert result.returncode == 0, output
    assert "deprecated" not in output.lower(), output
