"""Time `consentry scan --format json` against androguard and pyaxmlparser on the same real files.

Every tool runs as a whole process, the way a user or a CI job runs it, so interpreter start-up and
imports are part of each figure. For each file and tool: one untimed run (it warms the page cache
and the bytecode cache, and its output is kept for the correctness check), then N timed runs; the
figures are the median wall time and the highest peak RSS of those runs.

Peers:
  * androguard: permissions plus the name of every class of every dex, i.e. the same job as
    `consentry scan`'s permissions and `dex.classes`;
  * pyaxmlparser: permissions only, a lower bound for any "manifest only" tool.

Inputs are fetched once and cached in `benchmarks/.cache/` (git-ignored):
  * appium-uiautomator2-server@10.6.6 from npm (an 18 MB APK with 16 dex files);
  * Debian's framework-res.apk (package android-framework-res; 45 MB, the largest real manifest);
  * the real APKs in ../shared/corpus/apk/.

Usage: .venv/bin/python benchmarks/scan_speed.py [--runs N] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
CACHE = PROJECT / "benchmarks" / ".cache"
CORPUS = PROJECT.parent / "shared" / "corpus" / "apk"

APPIUM_SPEC = "appium-uiautomator2-server@10.6.6"
APPIUM_TGZ = "appium-uiautomator2-server-10.6.6.tgz"
APPIUM_MEMBER = "package/apks/appium-uiautomator2-server-v10.6.6.apk"
FRAMEWORK_RES = Path("/usr/share/android-framework-res/framework-res.apk")
FRAMEWORK_DEB = "android-framework-res"

# Targets of the scanner issue, checked on the 16-dex APK.
TARGET_SECONDS = 0.5
TARGET_SPEEDUP = 15.0
TARGET_RSS_MB = 120.0

# The scan path must not import the database or the web stack.
FORBIDDEN_IMPORTS = ("sqlmodel", "sqlalchemy", "litestar", "uvicorn", "alembic")

# Peer programs, run with `python -c`; each prints one JSON object on stdout.
ANDROGUARD_CODE = """
import json, sys
from loguru import logger
logger.remove()  # androguard logs every step through loguru; silence it before and after import
from androguard.core.apk import APK
from androguard.core.dex import DEX
logger.remove()
apk = APK(sys.argv[1])
# get_permissions() leaves out <uses-permission-sdk-23>, which consentry lists (flagged sdk23): add them.
sdk23 = [e.get("{http://schemas.android.com/apk/res/android}name") for e in apk.find_tags("uses-permission-sdk-23")]
permissions = apk.get_permissions() + [name for name in sdk23 if name]
names = [c.get_name() for d in apk.get_all_dex() for c in DEX(d).get_classes()]
json.dump({"permissions": sorted(set(permissions)), "classes": len(names), "unique_classes": len(set(names))},
          sys.stdout)
"""

PYAXMLPARSER_CODE = """
import json, sys
import pyaxmlparser
json.dump({"permissions": sorted(set(pyaxmlparser.APK(sys.argv[1]).get_permissions()))}, sys.stdout)
"""

TOOLS = ("consentry", "androguard", "pyaxmlparser")


# --- inputs -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    path: Path
    label: str
    dex_files: int

    @property
    def size_mb(self) -> float:
        return self.path.stat().st_size / 1e6


def appium_apk() -> Path | None:
    """The 16-dex APK from the npm tarball, extracted once into the cache."""
    apk = CACHE / Path(APPIUM_MEMBER).name
    if apk.is_file():
        return apk
    tgz = CACHE / APPIUM_TGZ
    if not tgz.is_file():
        npm = shutil.which("npm")
        if npm is None:
            note(f"npm not found: skipping {APPIUM_SPEC} (install Node.js/npm to include it)")
            return None
        print(f"fetching {APPIUM_SPEC} with npm pack ...", flush=True)
        done = subprocess.run(
            [npm, "pack", APPIUM_SPEC, "--pack-destination", str(CACHE)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or not tgz.is_file():
            note(f"npm pack {APPIUM_SPEC} failed, skipping it:\n{done.stderr.strip()}")
            return None
    with tarfile.open(tgz) as archive:
        member = archive.getmember(APPIUM_MEMBER)
        source = archive.extractfile(member)
        if source is None:
            note(f"{APPIUM_MEMBER} is not a regular file in {tgz.name}, skipping it")
            return None
        partial = apk.with_suffix(".part")
        with source, partial.open("wb") as target:
            shutil.copyfileobj(source, target)
        partial.rename(apk)
    return apk


def framework_res_apk() -> Path | None:
    """Debian's framework-res.apk: the installed one, else one unpacked into the cache from `apt-get download`."""
    if FRAMEWORK_RES.is_file():
        return FRAMEWORK_RES
    unpacked = CACHE / "framework-res" / FRAMEWORK_RES.relative_to("/")
    if unpacked.is_file():
        return unpacked
    how = f"install it with `apt-get install -y {FRAMEWORK_DEB}` to include it"
    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        note(f"{FRAMEWORK_RES} is absent: skipping it ({how})")
        return None
    print(f"{FRAMEWORK_RES} is absent; trying `apt-get download {FRAMEWORK_DEB}` ...", flush=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as scratch:
        download = subprocess.run(
            ["apt-get", "download", FRAMEWORK_DEB], cwd=scratch, capture_output=True, text=True, check=False
        )
        debs = sorted(Path(scratch).glob(f"{FRAMEWORK_DEB}_*.deb"))
        if download.returncode != 0 or not debs:
            note(f"apt-get download failed, skipping framework-res.apk ({how}):\n{download.stderr.strip()}")
            return None
        subprocess.run(["dpkg-deb", "-x", str(debs[0]), str(CACHE / "framework-res")], check=True)
    if not unpacked.is_file():
        note(f"{debs[0].name} holds no {FRAMEWORK_RES}; skipping it ({how})")
        return None
    return unpacked


def corpus_apks() -> list[Path]:
    if not CORPUS.is_dir():
        note(f"{CORPUS} is absent: skipping the corpus APKs")
        return []
    return sorted(CORPUS.glob("*.apk"))


def count_dex(path: Path) -> int:
    """Dex entries of an APK, as the table's "dex files" column (the scanner's own figure is checked apart)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(1 for name in archive.namelist() if name.endswith(".dex"))
    except (zipfile.BadZipFile, OSError):
        return 0


def gather_inputs() -> tuple[list[Input], Input | None]:
    """All inputs, largest first, and the 16-dex APK the targets are checked on (None if unavailable)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    inputs: list[Input] = []
    appium = appium_apk()
    target = None
    if appium is not None:
        target = Input(appium, appium.name, count_dex(appium))
        inputs.append(target)
    framework = framework_res_apk()
    if framework is not None:
        inputs.append(Input(framework, framework.name, count_dex(framework)))
    inputs.extend(Input(path, path.name, count_dex(path)) for path in corpus_apks())
    for item in inputs:
        item.path.read_bytes()  # bring every input into the page cache before anything is timed
    return inputs, target


# --- running one child ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss_kib: int | None
    returncode: int
    stdout: bytes
    stderr: str


GNU_TIME = Path("/usr/bin/time")


def run_child(argv: Sequence[str], env: dict[str, str], capture: bool) -> Run:
    """Run `argv` once: its wall time, its own peak RSS, and (if `capture`) its stdout.

    Peak RSS: `getrusage(RUSAGE_CHILDREN)` is the maximum over every child reaped so far, not per child,
    and even `os.wait4`'s per-child figure is no good from here, because Linux carries the spawning
    process's high-water RSS over fork/vfork and exec into the child's `ru_maxrss` (a child of a 500 MB
    parent reports >= 500 MB). So each child is launched by GNU time (`/usr/bin/time -f %M`), a ~1 MB
    process, whose own wait4 figure is the child's true peak. Without GNU time, fall back to wait4 from
    this small process (whose own peak, a floor on that figure, is printed in the header).
    The wall time is taken around the launcher; its fork/exec adds about a millisecond.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile() as rss:
        launch = [str(GNU_TIME), "-f", "%M", "-o", rss.name, *argv] if GNU_TIME.is_file() else list(argv)
        start = time.perf_counter()
        process = subprocess.Popen(launch, stdout=out if capture else subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if GNU_TIME.is_file():
            text = Path(rss.name).read_text().strip().splitlines()
            # GNU time writes "Command exited with non-zero status N" before the figure when N != 0.
            peak = int(text[-1]) if text and text[-1].isdigit() else None
        else:
            peak = usage.ru_maxrss
        out.seek(0)
        err.seek(0)
        return Run(seconds, peak, process.returncode, out.read(), err.read().decode(errors="replace"))


def child_env() -> dict[str, str]:
    """The environment of every child.

    Bytecode is cached (in benchmarks/.cache/pycache, so nothing is written into the source tree) even
    when the caller sets PYTHONDONTWRITEBYTECODE: an installed tool runs from compiled bytecode, and
    recompiling every module on every run would time the compiler rather than the tool. All three tools
    get the same treatment, and the untimed first run fills the cache.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
    env["PYTHONHASHSEED"] = "0"
    return env


def consentry_command() -> list[str]:
    script = Path(sys.executable).parent / "consentry"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "registry.cli"]


def command(tool: str, path: Path) -> list[str]:
    if tool == "consentry":
        return [*consentry_command(), "scan", "--format", "json", str(path)]
    code = ANDROGUARD_CODE if tool == "androguard" else PYAXMLPARSER_CODE
    return [sys.executable, "-c", code, str(path)]


# --- measuring --------------------------------------------------------------------------------------


@dataclass
class Measure:
    """One tool on one file."""

    seconds: list[float]
    peak_rss_kib: list[int]
    output: dict[str, Any] | None
    error: str | None

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds and self.error is None else None

    @property
    def peak_mb(self) -> float | None:
        return max(self.peak_rss_kib) / 1024 if self.peak_rss_kib and self.error is None else None


def measure(path: Path, runs: int, env: dict[str, str]) -> dict[str, Measure]:
    """All tools on one file. The timed runs take turns (run 1 of each tool, then run 2, ...), so that a
    change in the machine's load during the measurement falls on every tool alike."""
    results: dict[str, Measure] = {}
    for tool in TOOLS:
        first = run_child(command(tool, path), env, capture=True)  # untimed: warms caches; output is checked
        last_line = (first.stderr.strip().splitlines() or [f"exit code {first.returncode}"])[-1]
        try:
            output = json.loads(first.stdout) if first.returncode == 0 else None
        except json.JSONDecodeError:
            output, last_line = None, f"printed no JSON ({last_line})"
        results[tool] = Measure([], [], output, None if output is not None else last_line)
    for _ in range(runs):
        for tool, result in results.items():
            if result.error is None:
                run = run_child(command(tool, path), env, capture=False)
                result.seconds.append(run.seconds)
                if run.peak_rss_kib is not None:
                    result.peak_rss_kib.append(run.peak_rss_kib)
    return results


def check_agreement(item: Input, results: dict[str, Measure]) -> list[str]:
    """Warnings where consentry and androguard disagree on the class count or the permission set."""
    ours, theirs = results["consentry"].output, results["androguard"].output
    if ours is None or theirs is None:
        return []
    warnings = []
    if ours["dex"]["classes"] != theirs["classes"]:
        warnings.append(
            f"{item.label}: consentry counts {ours['dex']['classes']} classes, androguard "
            f"{theirs['classes']} ({theirs['unique_classes']} distinct names)"
        )
    our_permissions = {permission["name"] for permission in ours["permissions"]}
    their_permissions = set(theirs["permissions"])
    if our_permissions != their_permissions:
        warnings.append(
            f"{item.label}: permission sets differ; only consentry: {sorted(our_permissions - their_permissions)}, "
            f"only androguard: {sorted(their_permissions - our_permissions)}"
        )
    return warnings


# --- import check -----------------------------------------------------------------------------------


def import_check(path: Path, env: dict[str, str]) -> tuple[bool, list[str]]:
    """Run the scan under `-X importtime` and list the forbidden modules it imported."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "registry.cli", "scan", "--format", "json", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=PROJECT,
        check=False,
    )
    imported = set()
    for line in done.stderr.splitlines():
        # "import time:       self [us] |  cumulative | imported package", the name indented by depth
        if line.startswith("import time:") and line.count("|") == 2:
            imported.add(line.rsplit("|", 1)[1].strip())
    forbidden = sorted(name for name in imported if name.split(".")[0] in FORBIDDEN_IMPORTS)
    ran = bool(imported) and done.returncode in (0, 1)
    return ran and not forbidden, forbidden if ran else [f"scan did not run (exit {done.returncode})"]


# --- report -----------------------------------------------------------------------------------------


def machine() -> list[str]:
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "absent"

    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return [
        f"machine: {os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable), {model}",
        f"python {platform.python_version()} ({sys.executable}); consentry {installed('consentry')}, "
        f"androguard {installed('androguard')}, pyaxmlparser {installed('pyaxmlparser')}",
        f"load average at start: {load}",
    ]


def fmt(value: float | None, spec: str) -> str:
    return "error" if value is None else format(value, spec)


def table(rows: Iterable[Sequence[str]], header: Sequence[str]) -> str:
    rows = [list(header), *map(list, rows)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def note(message: str) -> None:
    print(f"note: {message}", flush=True)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per tool and file (default 5)")
    parser.add_argument("--quick", action="store_true", help="one timed run per tool and file: a smoke check")
    args = parser.parse_args()
    runs = 1 if args.quick else max(1, args.runs)

    for line in machine():
        print(line)
    if not GNU_TIME.is_file():
        own = os.getrusage(os.RUSAGE_SELF).ru_maxrss / 1024
        note(f"{GNU_TIME} is absent: peak RSS figures are floored at this script's own peak, {own:.0f} MB")
    print(f"runs: 1 untimed + {runs} timed per tool and file; wall time = median, RSS = highest peak", flush=True)

    inputs, target = gather_inputs()
    if not inputs:
        print("no inputs available", file=sys.stderr)
        return 2
    env = child_env()

    results: dict[Path, dict[str, Measure]] = {}
    warnings: list[str] = []
    for item in inputs:
        print(f"timing {item.label} ({item.size_mb:.1f} MB) ...", flush=True)
        results[item.path] = measure(item.path, runs, env)
        for tool, result in results[item.path].items():
            if result.error is not None:
                note(f"{tool} failed on {item.label}: {result.error}")
        warnings.extend(check_agreement(item, results[item.path]))

    print()
    header = (
        "file",
        "size MB",
        "dex",
        "classes",
        "consentry s",
        "androguard s",
        "pyaxmlparser s",
        "ag/cs",
        "cs RSS MB",
        "ag RSS MB",
    )
    rows = []
    for item in inputs:
        ours, theirs, manifest_only = (results[item.path][tool] for tool in TOOLS)
        ratio = theirs.median / ours.median if ours.median and theirs.median else None
        classes = ours.output["dex"]["classes"] if ours.output else None
        rows.append(
            (
                item.label,
                f"{item.size_mb:.1f}",
                str(item.dex_files),
                "error" if classes is None else str(classes),
                fmt(ours.median, ".3f"),
                fmt(theirs.median, ".3f"),
                fmt(manifest_only.median, ".3f"),
                fmt(ratio, ".1f"),
                fmt(ours.peak_mb, ".0f"),
                fmt(theirs.peak_mb, ".0f"),
            )
        )
    print(table(rows, header))
    print(f"load average at end: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    print()
    for warning in warnings:
        print(f"WARNING: {warning}")
    if not warnings:
        print("agreement: consentry and androguard report the same class count and permission set on every file")
    print()

    ok = True
    if target is None:
        print(f"targets: SKIP ({APPIUM_SPEC} unavailable)")
    else:
        ours, theirs = results[target.path]["consentry"], results[target.path]["androguard"]
        speedup = theirs.median / ours.median if ours.median and theirs.median else None
        checks = [
            (
                f"whole `consentry scan --format json` process <= {TARGET_SECONDS} s",
                ours.median is not None and ours.median <= TARGET_SECONDS,
                f"median {fmt(ours.median, '.3f')} s",
            ),
            (
                f">= {TARGET_SPEEDUP:.0f}x faster than androguard",
                speedup is not None and speedup >= TARGET_SPEEDUP,
                f"{fmt(speedup, '.1f')}x",
            ),
            (
                f"peak RSS <= {TARGET_RSS_MB:.0f} MB",
                ours.peak_mb is not None and ours.peak_mb <= TARGET_RSS_MB,
                f"{fmt(ours.peak_mb, '.0f')} MB",
            ),
        ]
        print(f"targets on {target.label} ({target.dex_files} dex files):")
        for tool in TOOLS:
            times = " ".join(f"{seconds:.3f}" for seconds in results[target.path][tool].seconds)
            print(f"  {tool} runs (s): {times or 'error'}")
        for label, passed, figure in checks:
            print(f"  {verdict(passed)}  {label}: {figure}")
            ok &= passed

    scanned = [item for item in inputs if results[item.path]["consentry"].error is None and item.dex_files]
    smallest = min(scanned or inputs, key=lambda item: item.path.stat().st_size)
    passed, forbidden = import_check(smallest.path, env)
    detail = f"imported {', '.join(forbidden)}" if forbidden else "none imported"
    print(f"  {verdict(passed)}  scan path imports none of {', '.join(FORBIDDEN_IMPORTS)} ({smallest.label}): {detail}")
    ok &= passed
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
