"""A published privacy policy (plain text, Markdown or HTML) read as plain text."""

from __future__ import annotations

from pathlib import Path

MAX_SIZE = 10 * 1024 * 1024
BLOCKS = ("td", "th", "tr", "p", "li", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "caption")


class PolicyTextError(Exception):
    pass


def read_policy_text(path: Path, tables: bool = False) -> str:
    """The policy's text. HTML becomes text lines, one per block and table cell; with `tables`, each HTML
    table becomes a Markdown table instead (merged cells repeated in every row and column they span), so
    that a reader can tell its rows and columns apart."""
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
        return _html_text(data, tables)
    return text


def _html_text(data: bytes, tables: bool = False) -> str:
    from lxml import etree, html

    parser = html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    try:
        root = html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError) as error:
        raise PolicyTextError(f"not readable as HTML: {error}") from None
    for element in root.xpath("//script|//style"):
        element.drop_tree()
    if tables:
        # Innermost first, so that a table inside a cell is text by the time its container is read.
        for table in reversed(root.xpath("//table")):
            _replace_with_markdown(table)
    # Table cells and blocks become separate lines, so that names in adjacent cells do not run together.
    for element in root.iter(*BLOCKS):
        element.tail = "\n" + (element.tail or "")
    return root.text_content()


def _cell_text(cell) -> str:  # type: ignore[no-untyped-def]
    """A cell's text on one line; a link whose words are not its address gets the address after them."""
    for link in cell.xpath(".//a[@href]"):
        href = link.get("href", "").strip()
        if href.startswith(("http://", "https://")) and href not in link.text_content():
            link.tail = f" {href}" + (link.tail or "")
    for element in cell.iter(*BLOCKS):
        element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in cell.text_content().splitlines())
    return " ".join(line for line in lines if line)


def _grid(table) -> list[list[tuple[str, bool]]]:  # type: ignore[no-untyped-def]
    """The table's rows as (text, spans the whole row) cells, with rowspan and colspan expanded."""
    grid: list[list[tuple[str, bool]]] = []
    above: dict[int, tuple[str, int]] = {}  # column -> (text of a cell from a row above, rows it still covers)
    for row in table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr"):
        cells = row.xpath("./td|./th")
        out: list[tuple[str, bool]] = []
        for cell in cells:
            _fill_from_above(out, above)
            text, colspan, rowspan = _cell_text(cell), _span(cell.get("colspan")), _span(cell.get("rowspan"))
            for _ in range(colspan):
                if rowspan > 1:
                    above[len(out)] = (text, rowspan - 1)
                out.append((text, len(cells) == 1 and colspan > 1))
        _fill_from_above(out, above)
        grid.append(out)
    return grid


def _fill_from_above(out: list[tuple[str, bool]], above: dict[int, tuple[str, int]]) -> None:
    while len(out) in above:
        text, left = above[len(out)]
        if left <= 1:
            del above[len(out)]
        else:
            above[len(out)] = (text, left - 1)
        out.append((text, False))


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), 100))
    except ValueError:
        return 1


def _markdown_row(cells: list[str]) -> str:
    escaped = (cell.replace("\\", "\\\\").replace("|", "\\|") for cell in cells)
    return "| " + " | ".join(escaped) + " |"


def _replace_with_markdown(table) -> None:  # type: ignore[no-untyped-def]
    from lxml import html

    caption = table.xpath("./caption")
    lines = [_cell_text(caption[0])] if caption else []
    grid = _grid(table)
    width = max((len(row) for row in grid), default=0)
    header: list[str] | None = None
    for row in grid:
        if not row:
            continue
        if row[0][1] and width > 1:  # one cell across the whole table: a heading between groups of rows
            lines += ["", row[0][0], ""]
            if header:
                lines += [_markdown_row(header), "|" + "---|" * width]
            continue
        texts = [text for text, _ in row] + [""] * (width - len(row))
        if header is None:
            header = texts
            lines += [_markdown_row(header), "|" + "---|" * width]
        else:
            lines.append(_markdown_row(texts))
    block = html.Element("div")
    block.text = "\n" + "\n".join(lines) + "\n"
    block.tail = table.tail
    table.getparent().replace(table, block)
