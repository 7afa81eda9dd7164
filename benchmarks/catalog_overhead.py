#!/usr/bin/env python3
"""What a catalog change costs the scan: the whole `consentry scan --format json` process on the 16-dex
benchmark APK, from a git worktree of an earlier commit and from this working tree, runs interleaved
(target: the catalog's growth keeps the scan within 10 % of the earlier commit).

    .venv/bin/python benchmarks/catalog_overhead.py --base 2f95965 [--runs N]

Both trees run with this interpreter and its installed dependencies; each tree's own `registry`,
`scanners` and `manifests` (catalogs included) come first on PYTHONPATH.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scan_speed import PROJECT, appium_apk, child_env, run_child

TARGET_RATIO = 1.10


def scan_argv(apk: Path) -> list[str]:
    return [sys.executable, "-m", "registry.cli", "scan", "--format", "json", str(apk)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the earlier commit to compare with")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    apk = appium_apk()
    if apk is None:
        print("the 16-dex APK could not be fetched (npm pack appium-uiautomator2-server@10.6.6)")
        return 1
    with tempfile.TemporaryDirectory() as folder:
        base_tree = Path(folder) / "base"
        git = ["git", "-C", str(PROJECT)]
        subprocess.run([*git, "worktree", "add", "--detach", "-q", str(base_tree), args.base], check=True)
        try:
            trees = {args.base: base_tree, "working tree": PROJECT}
            envs = {name: {**child_env(), "PYTHONPATH": str(tree)} for name, tree in trees.items()}
            for name in trees:
                run_child(scan_argv(apk), envs[name], capture=False)  # warm the page and bytecode caches
            times: dict[str, list[float]] = {name: [] for name in trees}
            for _ in range(args.runs):  # alternate, so that a change in the machine's load falls on both alike
                for name in trees:
                    times[name].append(run_child(scan_argv(apk), envs[name], capture=False).seconds)
        finally:
            subprocess.run([*git, "worktree", "remove", "--force", str(base_tree)], check=True)
    base, current = (statistics.median(times[name]) for name in trees)
    ratio = current / base
    print(f"{apk.name}: {args.runs} interleaved runs each, medians")
    for name, seconds in zip(trees, (base, current), strict=True):
        print(f"  {name:<14} {seconds:.3f} s   runs: {' '.join(f'{t:.3f}' for t in times[name])}")
    print(f"  working tree / {args.base}: {ratio:.3f} (target <= {TARGET_RATIO}): "
          f"{'PASS' if ratio <= TARGET_RATIO else 'FAIL'}")  # fmt: skip
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
