"""A published privacy policy (plain text, Markdown or HTML) read as plain text."""

from __future__ import annotations

from pathlib import Path

MAX_SIZE = 10 * 1024 * 1024


class PolicyTextError(Exception):
    pass


def read_policy_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_SIZE:
            raise PolicyTextError(f"more than the limit of {MAX_SIZE} bytes")
        data = path.read_bytes()
    except FileNotFoundError:
        raise PolicyTextError("no such file") from None
    except IsADirectoryError:
        raise PolicyTextError("is a directory") from None
    except OSError as error:
        raise PolicyTextError(f"cannot read: {error.strerror}") from None
    text = data.decode("utf-8-sig", "replace")
    if text.lstrip()[:1] == "<" and "<" in text[:2048]:
        return _html_text(data)
    return text


def _html_text(data: bytes) -> str:
    from lxml import etree, html

    parser = html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    try:
        root = html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError) as error:
        raise PolicyTextError(f"not readable as HTML: {error}") from None
    for element in root.xpath("//script|//style"):
        element.drop_tree()
    # Table cells and blocks become separate lines, so that names in adjacent cells do not run together.
    for element in root.iter("td", "th", "tr", "p", "li", "div", "br", "h1", "h2", "h3", "h4"):
        element.tail = "\n" + (element.tail or "")
    return root.text_content()
