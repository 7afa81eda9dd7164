"""Class names of a dex file, read straight from its header tables (no bytecode is decoded).

Layout: https://source.android.com/docs/core/runtime/dex-format (header, string_ids, type_ids, class_defs).
"""

from __future__ import annotations

import struct
from array import array

from .errors import ScanError

HEADER_SIZE = 0x70
CLASS_DEF_WORDS = 8  # a class_def_item is eight uint32
ENDIAN_CONSTANT = 0x12345678
_HEADER_TABLES = struct.Struct("<8I")  # string_ids, type_ids, proto_ids, field_ids (size, offset) pairs


def is_dex(data: bytes) -> bool:
    return data[:4] == b"dex\n" and data[7:8] == b"\0"


def class_names(data: bytes) -> list[str]:
    """Every class defined in the dex, as Java names (`com.example.Foo$Inner`), in file order."""
    if len(data) < HEADER_SIZE or not is_dex(data):
        raise ScanError("not a dex file (bad magic)")
    if struct.unpack_from("<I", data, 0x28)[0] != ENDIAN_CONSTANT:
        raise ScanError("dex file with unsupported byte order")
    string_ids_size, string_ids_off, type_ids_size, type_ids_off = _HEADER_TABLES.unpack_from(data, 0x38)[:4]
    class_defs_size, class_defs_off = struct.unpack_from("<2I", data, 0x60)

    string_offsets = _uint_table(data, string_ids_off, string_ids_size, "string_ids")
    type_descriptors = _uint_table(data, type_ids_off, type_ids_size, "type_ids")
    class_defs = _uint_table(data, class_defs_off, class_defs_size * CLASS_DEF_WORDS, "class_defs")

    class_types = class_defs[::CLASS_DEF_WORDS]
    if class_types and max(class_types) >= type_ids_size:
        raise ScanError("dex class_def points past type_ids")
    string_indices = [type_descriptors[type_index] for type_index in class_types]
    if string_indices and max(string_indices) >= string_ids_size:
        raise ScanError("dex type_id points past string_ids")
    return [_java_name(_read_string(data, string_offsets[index])) for index in string_indices]


def _uint_table(data: bytes, offset: int, count: int, what: str) -> array:
    end = offset + 4 * count
    if count and (offset < HEADER_SIZE or end > len(data)):
        raise ScanError(f"dex {what} table lies outside the file")
    table = array("I")
    table.frombytes(data[offset:end])
    if table.itemsize != 4:  # pragma: no cover - no supported platform has another size
        raise ScanError("unsupported platform word size")
    return table


def _read_string(data: bytes, offset: int) -> str:
    """A string_data_item: ULEB128 UTF-16 length, then MUTF-8 bytes up to a NUL."""
    if offset >= len(data):
        raise ScanError("dex string lies outside the file")
    if data[offset] < 0x80:  # a length under 128, as for nearly every class name
        offset += 1
    else:
        offset = _skip_uleb128(data, offset)
    end = data.find(b"\0", offset)
    if end < 0:
        raise ScanError("dex string is not terminated")
    return _decode_mutf8(data[offset:end])


def _skip_uleb128(data: bytes, offset: int) -> int:
    for _ in range(5):  # a uleb128 of a 32-bit value is at most five bytes
        if offset >= len(data):
            raise ScanError("dex string lies outside the file")
        more = data[offset] & 0x80
        offset += 1
        if not more:
            return offset
    return offset


def _decode_mutf8(raw: bytes) -> str:
    if raw.isascii():
        return raw.decode("ascii")
    # Modified UTF-8 writes U+0000 as C0 80 and characters beyond the BMP as two 3-byte surrogates.
    try:
        text = raw.replace(b"\xc0\x80", b"\0").decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")  # Android would reject the dex; name what we can
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _java_name(descriptor: str) -> str:
    if descriptor.startswith("L") and descriptor.endswith(";"):
        return descriptor[1:-1].replace("/", ".")
    return descriptor
