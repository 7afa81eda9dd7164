#!/usr/bin/env python3
"""What the pre-release gate costs on top of the scan: `consentry check` against `consentry scan`, as
whole processes on the 16-dex benchmark APK, with the FS+VIEW declarations (target: at most 50 ms more).

    .venv/bin/python benchmarks/check_overhead.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scan_speed import PROJECT, appium_apk, child_env, consentry_command, run_child

DECLARATIONS = PROJECT / "examples" / "fsview" / "privacy.yaml"
TARGET_MS = 50.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    runs = parser.parse_args().runs
    apk = appium_apk()
    if apk is None:
        print("the 16-dex APK could not be fetched (npm pack appium-uiautomator2-server@10.6.6)")
        return 1
    commands = {
        "scan": [*consentry_command(), "scan", "--format", "json", str(apk)],
        "check": [*consentry_command(), "check", str(apk), "--declarations", str(DECLARATIONS), "--format", "json"],
    }
    env = child_env()
    for argv in commands.values():
        run_child(argv, env, capture=False)  # warm the page and bytecode caches
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):  # alternate, so that a change in the machine's load falls on both alike
        for name, argv in commands.items():
            times[name].append(run_child(argv, env, capture=False).seconds)
    scan, check = (statistics.median(times[name]) for name in ("scan", "check"))
    overhead_ms = (check - scan) * 1000
    print(f"{apk.name}: {runs} runs each, medians")
    print(f"  consentry scan --format json   {scan:.3f} s")
    print(f"  consentry check --format json  {check:.3f} s")
    print(
        f"  check adds {overhead_ms:.0f} ms over scan (target <= {TARGET_MS:.0f} ms): "
        f"{'PASS' if overhead_ms <= TARGET_MS else 'FAIL'}"
    )
    return 0 if overhead_ms <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
