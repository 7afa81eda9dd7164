"""The one error the scanner raises for bad input."""


class ScanError(Exception):
    """An input that is not a readable Android artifact, or that breaks a safety limit.

    The message says what is wrong in a few words; the caller prefixes the file name.
    """
