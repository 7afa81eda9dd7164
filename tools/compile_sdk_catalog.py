#!/usr/bin/env python3
"""Rewrite manifests/catalog/sdks.compiled.json from the YAML entries in manifests/catalog/sdks/.

Run it after editing the catalog; the test suite fails while the compiled file is stale.
"""

from manifests.sdk_catalog import COMPILED_FILE, compile_catalog

if __name__ == "__main__":
    compile_catalog()
    print(f"wrote {COMPILED_FILE}")
