"""aapt2's protocol-buffer XML, the form of an Android App Bundle's manifests, as an lxml element tree.

An App Bundle stores `<module>/manifest/AndroidManifest.xml` as an `aapt.pb.XmlNode` message
(frameworks/base/tools/aapt2/Resources.proto). This module reads just that message with a small
wire-format decoder, so that the protobuf package is not needed and every length, count and depth
that an untrusted file claims is checked before it is used. Attributes come out namespaced
(`{uri}name`), as lxml gives them for text and binary XML, so that the same fact extraction applies.

Messages and field numbers used (Resources.proto):
    XmlNode      { XmlElement element = 1; string text = 2; SourcePosition source = 3; }
    XmlElement   { repeated XmlNamespace namespace_declaration = 1; string namespace_uri = 2;
                   string name = 3; repeated XmlAttribute attribute = 4; repeated XmlNode child = 5; }
    XmlNamespace { string prefix = 1; string uri = 2; SourcePosition source = 3; }
    XmlAttribute { string namespace_uri = 1; string name = 2; string value = 3;
                   SourcePosition source = 4; uint32 resource_id = 5; Item compiled_item = 6; }
    Item         { oneof { Reference ref = 1; String str = 2; RawString raw_str = 3;
                   StyledString styled_str = 4; FileReference file = 5; Id id = 6; Primitive prim = 7; } }
    Reference    { Type type = 1; uint32 id = 2; string name = 3; bool private = 4; }
    Primitive    { oneof { NullType null_value = 1; EmptyType empty_value = 2; float float_value = 3;
                   float dimension_value_deprecated = 4; float fraction_value_deprecated = 5;
                   int32 int_decimal_value = 6; uint32 int_hexadecimal_value = 7; bool boolean_value = 8;
                   uint32 color_argb8_value = 9; uint32 color_rgb8_value = 10; uint32 color_argb4_value = 11;
                   uint32 color_rgb4_value = 12; uint32 dimension_value = 13; uint32 fraction_value = 14; } }
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from lxml import etree

from .errors import ScanError

# Wire types (https://protobuf.dev/programming-guides/encoding/). Groups (3, 4) are long deprecated
# and never written by aapt2, so they are malformation here.
VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5
MAX_VARINT_BYTES = 10

# Real manifests nest a handful of levels and spend about 10 bytes a field (a 6 KB one holds 570
# fields, so 500,000 is a 5 MB manifest); these bounds keep a hostile file from exhausting the stack
# (the decoder recurses once per level), memory or time (every field costs some Python, known or not).
MAX_DEPTH = 64
MAX_FIELDS = 500_000

# XmlNode
NODE_ELEMENT = 1
# XmlElement (namespace_declaration = 1 is not read: see `_Decoder.element`)
ELEMENT_URI, ELEMENT_NAME, ELEMENT_ATTRIBUTE, ELEMENT_CHILD = 2, 3, 4, 5
# XmlAttribute
ATTRIBUTE_URI, ATTRIBUTE_NAME, ATTRIBUTE_VALUE, ATTRIBUTE_COMPILED = 1, 2, 3, 6
# Item: String, RawString and StyledString hold `value = 1`, FileReference `path = 1`.
ITEM_REF, ITEM_PRIM = 1, 7
ITEM_STRINGS = frozenset({2, 3, 4, 5})
# Reference
REFERENCE_TYPE, REFERENCE_ID, REFERENCE_NAME = 1, 2, 3
REFERENCE_ATTRIBUTE = 1
"""Reference.Type ATTRIBUTE: a theme attribute, written `?name` rather than `@name`."""
# Primitive
PRIM_EMPTY = frozenset({1, 2})
PRIM_FLOATS = frozenset({3, 4, 5})
PRIM_INT_DECIMAL, PRIM_INT_HEX, PRIM_BOOLEAN = 6, 7, 8
PRIM_COLORS = frozenset({9, 10, 11, 12})

Value = int | memoryview
"""A field's payload: the number of a varint or fixed field, the bytes of a length-delimited one."""


def xml_node_to_element(data: bytes) -> etree._Element:
    """The root element of a serialized `aapt.pb.XmlNode`; `ScanError` for anything malformed."""
    element = _Decoder().node(memoryview(data), depth=0)
    if element is None:
        raise _malformed("the root node is not an element")
    return element


def _malformed(why: str) -> ScanError:
    return ScanError(f"malformed protobuf manifest: {why}")


# --- wire format ---------------------------------------------------------------------------------


def _payload(message: memoryview, position: int, wire_type: int) -> tuple[Value, int]:
    """A field's payload after its key, and the position after it, checked against the message."""
    if wire_type == VARINT:
        return _varint(message, position)
    if wire_type == LENGTH_DELIMITED:
        length, position = _varint(message, position)
        end = position + length
        if end > len(message):
            raise _malformed(f"a field of {length} bytes runs past the end of its message")
        return message[position:end], end
    if wire_type in (FIXED32, FIXED64):
        end = position + (4 if wire_type == FIXED32 else 8)
        if end > len(message):
            raise _malformed("a fixed-size field runs past the end of its message")
        return int.from_bytes(message[position:end], "little"), end
    raise _malformed(f"unsupported wire type {wire_type}")


def _varint(message: memoryview, position: int) -> tuple[int, int]:
    if position < len(message) and message[position] < 0x80:
        return message[position], position + 1  # keys and most lengths fit in one byte
    result = 0
    for index in range(MAX_VARINT_BYTES):
        if position + index >= len(message):
            raise _malformed("a varint runs past the end of its message")
        byte = message[position + index]
        result |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            # Ten bytes carry 70 bits; protobuf keeps the low 64, as its own parsers do.
            return result & 0xFFFF_FFFF_FFFF_FFFF, position + index + 1
    raise _malformed(f"a varint longer than {MAX_VARINT_BYTES} bytes")


def _bytes(value: Value, wire_type: int, what: str) -> memoryview:
    if wire_type != LENGTH_DELIMITED or not isinstance(value, memoryview):
        raise _malformed(f"{what} has wire type {wire_type}, not {LENGTH_DELIMITED}")
    return value


def _string(value: Value, wire_type: int, what: str) -> str:
    try:
        return bytes(_bytes(value, wire_type, what)).decode("utf-8")
    except UnicodeDecodeError:
        raise _malformed(f"{what} is not UTF-8") from None


def _number(value: Value, wire_type: int, expected: int, what: str) -> int:
    if wire_type != expected or not isinstance(value, int):
        raise _malformed(f"{what} has wire type {wire_type}, not {expected}")
    return value


# --- messages ------------------------------------------------------------------------------------


class _Decoder:
    """One document's messages, sharing one budget of fields."""

    def __init__(self) -> None:
        self.fields_left = MAX_FIELDS

    def fields(self, message: memoryview) -> Iterator[tuple[int, int, Value]]:
        """(field number, wire type, payload) of each field of `message`."""
        position = 0
        while position < len(message):
            self.fields_left -= 1
            if self.fields_left < 0:
                raise _malformed(f"more than {MAX_FIELDS} fields")
            key, position = _varint(message, position)
            number, wire_type = key >> 3, key & 7
            if number == 0:
                raise _malformed("field number 0")
            value, position = _payload(message, position, wire_type)
            yield number, wire_type, value

    def node(self, message: memoryview, depth: int) -> etree._Element | None:
        """The element an XmlNode holds, or None for a text node (manifests carry no meaningful text)."""
        if depth > MAX_DEPTH:
            raise _malformed(f"elements nested deeper than {MAX_DEPTH} levels")
        element = None
        for number, wire_type, value in self.fields(message):
            if number == NODE_ELEMENT:
                # Protobuf merges a repeated singular message field; aapt2 never writes one twice.
                element = _bytes(value, wire_type, "XmlNode.element")
        return self.element(element, depth) if element is not None else None

    def element(self, message: memoryview, depth: int) -> etree._Element:
        # Namespace declarations only choose prefixes: each element and attribute carries its own
        # namespace URI, which is all that the facts depend on, so they are not read.
        uri = name = ""
        attributes: list[tuple[str, str]] = []
        children: list[memoryview] = []
        for number, wire_type, value in self.fields(message):
            if number == ELEMENT_URI:
                uri = _string(value, wire_type, "XmlElement.namespace_uri")
            elif number == ELEMENT_NAME:
                name = _string(value, wire_type, "XmlElement.name")
            elif number == ELEMENT_ATTRIBUTE:
                attributes.append(self.attribute(_bytes(value, wire_type, "XmlElement.attribute")))
            elif number == ELEMENT_CHILD:
                children.append(_bytes(value, wire_type, "XmlElement.child"))
        element = _new_element(uri, name, attributes)
        for child in children:
            if (child_element := self.node(child, depth + 1)) is not None:
                element.append(child_element)
        return element

    def attribute(self, message: memoryview) -> tuple[str, str]:
        """(`{uri}name` or `name`, value as text)."""
        uri = name = raw = ""
        compiled: str | None = None
        primitive = False
        for number, wire_type, value in self.fields(message):
            if number == ATTRIBUTE_URI:
                uri = _string(value, wire_type, "XmlAttribute.namespace_uri")
            elif number == ATTRIBUTE_NAME:
                name = _string(value, wire_type, "XmlAttribute.name")
            elif number == ATTRIBUTE_VALUE:
                raw = _string(value, wire_type, "XmlAttribute.value")
            elif number == ATTRIBUTE_COMPILED:
                compiled, primitive = self.item(_bytes(value, wire_type, "XmlAttribute.compiled_item"))
        if not name:
            raise _malformed("an attribute without a name")
        # A compiled primitive is what the platform reads (android:exported, versionCode, minSdkVersion);
        # otherwise the source text, or the compiled string or reference when the text is empty.
        text = compiled if compiled is not None and (primitive or not raw) else raw
        return (f"{{{uri}}}{name}" if uri else name), text

    def item(self, message: memoryview) -> tuple[str | None, bool]:
        """An Item as attribute text, and whether it is a primitive."""
        text: str | None = None
        primitive = False
        for number, wire_type, value in self.fields(message):
            what = f"Item field {number}"
            if number == ITEM_PRIM:
                text, primitive = self.primitive(_bytes(value, wire_type, what)), True
            elif number == ITEM_REF:
                text, primitive = self.reference(_bytes(value, wire_type, what)), False
            elif number in ITEM_STRINGS:
                text, primitive = self.first_string(_bytes(value, wire_type, what), what), False
        return text, primitive

    def first_string(self, message: memoryview, what: str) -> str:
        text = ""
        for number, wire_type, value in self.fields(message):
            if number == 1:
                text = _string(value, wire_type, what)
        return text

    def reference(self, message: memoryview) -> str:
        """`@name`, or `@0x7f010000` when only the resource ID is known (`?` for theme attributes)."""
        kind = resource_id = 0
        name = ""
        for number, wire_type, value in self.fields(message):
            if number == REFERENCE_TYPE:
                kind = _number(value, wire_type, VARINT, "Reference.type")
            elif number == REFERENCE_ID:
                resource_id = _number(value, wire_type, VARINT, "Reference.id")
            elif number == REFERENCE_NAME:
                name = _string(value, wire_type, "Reference.name")
        sigil = "?" if kind == REFERENCE_ATTRIBUTE else "@"
        return f"{sigil}{name}" if name else f"{sigil}0x{resource_id & 0xFFFF_FFFF:08x}"

    def primitive(self, message: memoryview) -> str:
        """A Primitive written as text, the way binary XML's typed values are printed."""
        text = ""
        for number, wire_type, value in self.fields(message):
            what = f"Primitive field {number}"
            if number in PRIM_EMPTY:
                _bytes(value, wire_type, what)  # NullType and EmptyType: empty messages
                text = ""
            elif number in PRIM_FLOATS:
                bits = _number(value, wire_type, FIXED32, what)
                text = repr(struct.unpack("<f", bits.to_bytes(4, "little"))[0])
            else:
                text = _primitive_number(number, _number(value, wire_type, VARINT, what))
        return text


def _new_element(uri: str, name: str, attributes: list[tuple[str, str]]) -> etree._Element:
    if not name:
        raise _malformed("an element without a name")
    try:
        element = etree.Element(f"{{{uri}}}{name}" if uri else name)
        for key, text in attributes:
            element.set(key, text)
    except ValueError as error:  # lxml refuses names and values that XML cannot hold
        raise _malformed(f"<{name[:80]}>: {error}") from None
    return element


def _primitive_number(number: int, value: int) -> str:
    # Protobuf writes an int32 as the varint of its 64-bit sign extension: keep 32 bits, then sign them.
    value &= 0xFFFF_FFFF
    if number == PRIM_INT_DECIMAL:
        return str(value - (1 << 32) if value & 0x8000_0000 else value)
    if number == PRIM_BOOLEAN:
        return "true" if value else "false"
    if number == PRIM_INT_HEX:
        return f"0x{value:x}"
    if number in PRIM_COLORS:
        return f"#{value:08x}"
    return str(value)  # dimension and fraction: the packed complex value, as a number
