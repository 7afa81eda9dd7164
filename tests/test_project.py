"""The project's own promises: the README's commands, CI, lint, and the command line's help."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version

import pytest
from conftest import ROOT, run_consentry


def readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(python3 -m venv[^\n]+)\n```", readme)


def test_readme_has_exactly_two_setup_and_run_commands() -> None:
    commands = readme_commands()
    assert len(commands) == 2
    assert "consentry check examples/fsview/app-release.apk --declarations examples/fsview/privacy.yaml" in commands[0]
    assert "pytest" in commands[1]


def test_readme_main_command_passes() -> None:
    command = readme_commands()[0].split("&& .venv/bin/consentry ", 1)[1].split()
    result = run_consentry(*command)
    assert result.returncode == 0, result.stdout


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in ci.splitlines()


def test_ruff_is_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "scanners", "manifests", "registry", "tests", "tools", "benchmarks"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_version() -> None:
    result = run_consentry("--version")
    assert result.returncode == 0
    assert version("consentry") in result.stdout


@pytest.mark.parametrize("args", [["--help"], ["scan", "--help"]])
def test_help(args: list[str]) -> None:
    result = run_consentry(*args)
    assert result.returncode == 0
    assert "Usage" in result.stdout


def test_every_command_has_help() -> None:
    from registry.cli.main import main

    for name, command in main.commands.items():
        result = run_consentry(name, "--help")
        assert result.returncode == 0, name
        assert command.help, f"{name} has no help text"
        assert f"consentry {name}" in result.stdout


def test_usage_error_exits_2() -> None:
    assert run_consentry("scan").returncode == 2
    assert run_consentry("scan", "--format", "xml", "x.apk").returncode == 2


def test_scan_imports_neither_the_database_nor_the_web_stack() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "registry.cli",
            "scan",
            "--format",
            "json",
            str(ROOT / "examples" / "fsview" / "app-release.apk"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert not imported & {"sqlmodel", "sqlalchemy", "litestar", "uvicorn", "alembic", "jsonschema"}


def test_every_data_file_ships_in_the_package() -> None:
    """A regular (non-editable) install must carry every data file the code reads."""
    import tomllib
    from fnmatch import fnmatch

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    for package, globs in patterns.items():
        for path in (ROOT / package).rglob("*"):
            relative = path.relative_to(ROOT / package).as_posix()
            if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in relative:
                assert any(fnmatch(relative, glob) for glob in globs), f"{package}/{relative} is not package data"
    for package in ("scanners", "manifests", "registry"):
        for path in (ROOT / package).rglob("*"):
            if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in str(path):
                assert package in patterns, f"{path} is in a package without package data"
