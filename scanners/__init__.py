"""Read Android builds (APK, split sets, AAR, JAR, dex, AndroidManifest.xml) into an `Inventory`.

Reads binaries only: never executes them, never writes them to disk, and bounds every size it reads.
"""

from .errors import ScanError
from .inventory import Inventory
from .limits import DEFAULT_LIMITS, Limits
from .scan import scan

__all__ = ["DEFAULT_LIMITS", "Inventory", "Limits", "ScanError", "scan"]
