"""Packaging: licence, citation, changelog and metadata; the wheel ships the scenarios and
an installed wheel finds the app's presets without a clone."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_licence_is_the_declared_bsd_3_clause(pyproject):
    assert pyproject["project"]["license"] == "BSD-3-Clause"
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("BSD 3-Clause License")
    assert "Neither the name of the copyright holder" in text


def test_citation_file_is_valid_cff(pyproject):
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0"
    assert cff["version"] == pyproject["project"]["version"]
    assert cff["license"] == pyproject["project"]["license"]
    assert cff["authors"] and cff["title"] and cff["message"]


def test_changelog_names_the_current_version(pyproject):
    text = (ROOT / "CHANGELOG.md").read_text()
    assert f"## [{pyproject['project']['version']}]" in text


def test_metadata_has_authors_classifiers_and_keywords(pyproject):
    project = pyproject["project"]
    assert project["authors"]
    assert len(project["keywords"]) >= 5
    assert "License :: OSI Approved :: BSD License" not in project["classifiers"]  # SPDX instead
    assert any(
        c.startswith("Intended Audience :: Science/Research") for c in project["classifiers"]
    )
    assert {"nbclient", "ipykernel"} <= {
        dep.split(">")[0].split("[")[0] for dep in project["optional-dependencies"]["test"]
    }


def test_project_urls_point_into_the_cited_repository(pyproject):
    urls = pyproject["project"]["urls"]
    assert set(urls) == {"Homepage", "Documentation", "Repository", "Issues", "Changelog"}
    repository = yaml.safe_load((ROOT / "CITATION.cff").read_text())["repository-code"]
    assert urls["Repository"] == repository
    assert all(url.startswith(repository) for url in urls.values())
    assert urls["Changelog"].endswith("/CHANGELOG.md")
    assert (ROOT / "CHANGELOG.md").is_file() and (ROOT / "docs").is_dir()


def test_packaged_scenarios_are_the_repository_scenarios():
    packaged = ROOT / "sim" / "scenarios"
    assert packaged.resolve() == (ROOT / "scenarios").resolve()
    assert (packaged / "baseline.yaml").is_file()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=out,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (path,) = out.glob("consortium_sim-*.whl")
    return path


def test_wheel_ships_every_scenario_and_the_licence(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    for f in sorted((ROOT / "scenarios").rglob("*.yaml")):
        rel = f.relative_to(ROOT / "scenarios").as_posix()
        assert f"sim/scenarios/{rel}" in names, rel
    assert any(n.endswith("licenses/LICENSE") for n in names)
    (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    for label in ("Homepage", "Documentation", "Repository", "Issues", "Changelog"):
        assert f"Project-URL: {label}, https://" in text, label
    assert "Keywords: " in text and "Classifier: Intended Audience :: Science/Research" in text


def test_installed_wheel_offers_the_presets(wheel: Path, tmp_path: Path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    code = (
        "import sim, sim.app.state as s; "
        f"assert sim.__file__.startswith({str(target)!r}), sim.__file__; "
        "presets, problems = s.find_presets(); "
        "print(sorted(presets)); print(problems)"
    )
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=empty,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    shown = done.stdout.splitlines()[0]
    for name in ("baseline", "coalition", "low-trust", "informal-networks"):
        assert f"'{name}'" in shown, shown
