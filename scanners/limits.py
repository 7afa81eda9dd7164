"""Bounds on everything the scanner reads from an untrusted file."""

from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_entries: int = 200_000
    """Entries in one zip container (real APKs hold a few thousand; framework-res about 5,000)."""
    max_entry_size: int = 256 * MiB
    """Uncompressed size of one entry that the scanner reads (a dex, a manifest, a nested APK)."""
    max_total_read: int = 1024 * MiB
    """Uncompressed bytes read from one artifact, nested containers included."""
    max_compression_ratio: int = 200
    """Uncompressed/compressed size of an entry larger than `ratio_floor`: beyond it is a zip bomb."""
    ratio_floor: int = 1 * MiB
    max_nesting: int = 3
    """Containers inside containers: split set > APK, AAR > classes.jar > dex."""
    max_manifest_size: int = 16 * MiB
    max_string_pool: int = 1_000_000
    """Strings in a binary XML string pool."""
    max_dex_files: int = 256


DEFAULT_LIMITS = Limits()
