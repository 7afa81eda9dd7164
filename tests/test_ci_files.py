"""The CI files: this repository's workflow and pre-commit hook, and the snippets of docs/ci.md."""

from __future__ import annotations

import json
import re
import shlex
from functools import cache
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, run_consentry

WORKFLOW = ROOT / ".github" / "workflows" / "consentry.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"
CI_DOC = ROOT / "docs" / "ci.md"

SHELL_OPERATORS = re.compile(r"^[|&;<>()]+$")
COMMAND_START = re.compile(r"\s*(?:-\s+|run:\s+)?(?=consentry [a-z])")
"""Where a command starts: a line of its own, a YAML list item or a workflow `run:`."""


def load_yaml(path: Path) -> object:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def code_blocks(language: str | None = None) -> list[tuple[str, str]]:
    """(language, body) of every fenced block of docs/ci.md, or of those in `language`."""
    blocks = re.findall(r"^```([\w-]*)\n(.*?)^```$", CI_DOC.read_text(encoding="utf-8"), re.M | re.S)
    return [(lang, body) for lang, body in blocks if language is None or lang == language]


def consentry_command_lines(text: str) -> list[list[str]]:
    """Every shell command line in `text` that runs `consentry`, as words, up to the first shell operator."""
    commands = []
    for line in text.replace("\\\n", " ").splitlines():
        start = COMMAND_START.match(line)
        if not start:
            continue
        lexer = shlex.shlex(line[start.end() :], posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        words = []
        for word in lexer:
            if SHELL_OPERATORS.fullmatch(word):
                break
            words.append(word)
        commands.append(words)
    return commands


def workflow_check_command() -> list[str]:
    """The `consentry check ... --format sarif` command line of this repository's workflow."""
    commands = [
        words
        for step in steps(load_yaml(WORKFLOW))
        for words in consentry_command_lines(step.get("run", ""))
        if words[:2] == ["consentry", "check"] and "sarif" in words
    ]
    assert len(commands) == 1, commands
    return commands[0]


@cache
def options_of(subcommand: str) -> frozenset[str]:
    """The options that `consentry SUBCOMMAND --help` lists."""
    result = run_consentry(subcommand, "--help")
    assert result.returncode == 0, result.stderr
    return frozenset(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", result.stdout))


# This repository's own files


def test_workflow_parses_and_uploads_sarif_with_a_summary() -> None:
    workflow = load_yaml(WORKFLOW)
    assert isinstance(workflow, dict)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert {"push", "pull_request"} <= set(triggers)
    (job,) = workflow["jobs"].values()
    assert job["permissions"]["security-events"] == "write"
    uses = [step.get("uses", "") for step in job["steps"]]
    assert "github/codeql-action/upload-sarif@v3" in uses
    upload = next(step for step in job["steps"] if step.get("uses", "").startswith("github/codeql-action/"))
    assert upload["with"]["sarif_file"] == "consentry.sarif"
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert "pip install ." in runs
    assert re.search(r"--format markdown\s*>>\s*\"\$GITHUB_STEP_SUMMARY\"", runs)


def test_workflow_check_command_passes_on_the_example_and_writes_sarif(tmp_path: Path) -> None:
    words = workflow_check_command()
    assert words[2:] == [
        "examples/fsview/app-release.apk",
        *("--declarations", "examples/fsview/privacy.yaml"),
        *("--format", "sarif", "--output", "consentry.sarif"),
    ]
    (tmp_path / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    result = run_consentry(*words[1:], cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    sarif = json.loads((tmp_path / "consentry.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert sarif["runs"][0]["tool"]["driver"]["name"] == "consentry"


def test_pre_commit_hook_parses() -> None:
    hooks = load_yaml(HOOKS)
    assert isinstance(hooks, list)
    (hook,) = hooks
    assert hook["id"] == "consentry-declarations"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert shlex.split(hook["entry"]) == ["consentry", "check"]
    pattern = re.compile(hook["files"])
    for name in ("privacy.yaml", "app/privacy.yml", "privacy.json"):
        assert pattern.search(name), name
    assert not pattern.search("privacy.yaml.bak")


# docs/ci.md


def has_junit_report(job: object) -> bool:
    return isinstance(job, dict) and "junit" in job.get("artifacts", {}).get("reports", {})


def test_docs_yaml_blocks_parse() -> None:
    documents = [yaml.safe_load(body) for _, body in code_blocks("yaml")]
    github = [doc for doc in documents if isinstance(doc, dict) and "jobs" in doc]
    gitlab = [doc for doc in documents if isinstance(doc, dict) and any(map(has_junit_report, doc.values()))]
    assert len(github) == 1
    assert len(gitlab) == 1
    job = next(iter(github[0]["jobs"].values()))
    assert job["permissions"]["security-events"] == "write"
    assert any(step.get("uses") == "github/codeql-action/upload-sarif@v3" for step in job["steps"])
    (report_job,) = filter(has_junit_report, gitlab[0].values())
    assert report_job["artifacts"]["reports"] == {"junit": "consentry.xml"}


def docs_consentry_commands() -> list[list[str]]:
    """Every consentry command line in docs/ci.md: in code blocks, inline code, Kotlin `commandLine(...)`
    calls and pre-commit `args`."""
    text = CI_DOC.read_text(encoding="utf-8")
    commands = [words for _, body in code_blocks() for words in consentry_command_lines(body)]
    commands += [words for span in re.findall(r"`(consentry [^`]+)`", text) for words in consentry_command_lines(span)]
    for _, body in code_blocks("kotlin"):
        for call in re.findall(r"commandLine\((.*?)\)\n", body):
            commands.append(["consentry", *re.findall(r'"([^"]*)"', call)])
    hook_args = re.findall(r"args: \[([^\]]*)\]", text)
    commands += [["consentry", "check", *(a.strip() for a in args.split(","))] for args in hook_args]
    return commands


def test_docs_usage_block_matches_the_help() -> None:
    (usage,) = [body for lang, body in code_blocks("") if body.startswith("consentry check FILE")]
    options = set(re.findall(r"--[a-z][a-z-]*", usage))
    assert options == {"--declarations", "--policy-text", "--format", "--fail-on", "--output"}
    assert options <= options_of("check")
    from registry.cli import main

    params = {param.opts[0]: param for param in main.commands["check"].params}
    for option, choices in re.findall(r"(--format|--fail-on) ([a-z|]+)", usage):
        assert choices.split("|") == list(params[option].type.choices), option


def test_docs_quote_consentry_commands() -> None:
    commands = docs_consentry_commands()
    assert len(commands) >= 8
    assert any("sarif" in words for words in commands)
    assert any("junit" in words for words in commands)
    assert any(word.startswith("deps.txt") for words in commands for word in words)


@pytest.mark.parametrize("words", docs_consentry_commands(), ids=" ".join)
def test_docs_commands_use_only_listed_options(words: list[str]) -> None:
    assert words[0] == "consentry"
    subcommand = words[1]
    options = {word.strip("[]").split("=", 1)[0] for word in words[2:] if word.strip("[]").startswith("-")}
    unknown = options - options_of(subcommand)
    assert not unknown, f"{' '.join(words)}: `consentry {subcommand} --help` lists no {sorted(unknown)}"
