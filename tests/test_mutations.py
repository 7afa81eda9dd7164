"""Hypothesis-driven mutations of real APK, dex and AXML bytes: the scanner raises its own error or none."""

from __future__ import annotations

import contextlib
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import CORPUS, FSVIEW_APK
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanners import ScanError, scan

SEEDS = {
    "apk": FSVIEW_APK,
    "dex": CORPUS / "dex" / "StringTests.dex",
    "axml": CORPUS / "axml" / "AndroidManifest.xml",
    "axml-chinese": CORPUS / "axml" / "AndroidManifest-Chinese.xml",
}


@st.composite
def mutations(draw: st.DrawFn, data: bytes) -> bytes:
    mutated = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        position = draw(st.integers(0, len(mutated) - 1))
        kind = draw(st.sampled_from(["flip", "byte", "word", "delete", "truncate"]))
        if kind == "flip":
            mutated[position] ^= 1 << draw(st.integers(0, 7))
        elif kind == "byte":
            mutated[position] = draw(st.integers(0, 255))
        elif kind == "word":
            # Sizes, counts and offsets are 32-bit little-endian words: push them to their extremes.
            word = draw(st.sampled_from([0, 1, 0x7FFFFFFF, 0xFFFFFFFF, len(data), len(data) * 2]))
            mutated[position : position + 4] = word.to_bytes(4, "little")
        elif kind == "delete":
            del mutated[position : position + draw(st.integers(1, 64))]
        else:
            del mutated[position:]
        if not mutated:
            mutated = bytearray(b"\0")
    return bytes(mutated)


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_mutated_inputs_raise_only_scan_errors(seed: str) -> None:
    path = SEEDS[seed]
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    original = path.read_bytes()

    @settings(max_examples=300, deadline=timedelta(seconds=5), suppress_health_check=[HealthCheck.too_slow])
    @given(mutations(original))
    def scan_mutant(mutant: bytes) -> None:
        with tempfile.NamedTemporaryFile(suffix=".bin") as handle:
            handle.write(mutant)
            handle.flush()
            with contextlib.suppress(ScanError):
                scan(Path(handle.name))

    scan_mutant()
