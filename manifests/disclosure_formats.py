"""Disclosure tables rendered as Markdown, a self-contained HTML page, CSV or JSON."""

from __future__ import annotations

import csv
import html
import io
import json

from .declarations import Declarations
from .disclosure import Table

SCHEMA = "consentry/disclosure/1"


def render(tables: list[Table], declarations: Declarations, lang: str, output_format: str) -> str:
    renderers = {"markdown": _markdown, "html": _html, "csv": _csv, "json": _json}
    return renderers[output_format](tables, declarations, lang)


def _markdown_cell(text: str, link: str | None) -> str:
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return f"<{link}>" if link else text


def _markdown(tables: list[Table], declarations: Declarations, lang: str) -> str:
    lines = []
    for table in tables:
        lines += [f"## {table.title}", "", "| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
        lines += ["| " + " | ".join(_markdown_cell(c.text, c.link) for c in row) + " |" for row in table.rows]
        if table.notes and table.rows:
            lines += ["", *table.notes]
        lines.append("")
    return "\n".join(lines)


PAGE_STYLE = """
body { font-family: system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC",
       "WenQuanYi Micro Hei", sans-serif; margin: 1.5rem; color: #1b1b1b; line-height: 1.5; }
.table-wrap { overflow-x: auto; margin-bottom: 2rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
caption { text-align: left; font-weight: 600; font-size: 1.1rem; padding: 0.5rem 0; }
th, td { border: 1px solid #c8c8c8; padding: 0.45rem 0.6rem; text-align: left; vertical-align: top;
         min-width: 6em; overflow-wrap: break-word; }
th { background: #f2f2f2; }
td a { word-break: break-all; }
tbody tr:nth-child(even) { background: #fafafa; }
.note { font-size: 0.85rem; color: #444; }
a { color: #0645ad; }
""".strip()


def _html(tables: list[Table], declarations: Declarations, lang: str) -> str:
    title = f"{declarations.app.name}: {' / '.join(table.title for table in tables)}"
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
        f"<style>\n{PAGE_STYLE}\n</style>",
        "</head>",
        "<body>",
        "<main>",
    ]
    for table in tables:
        parts.append(f'<section class="table-wrap" aria-labelledby="{table.id}-caption">')
        parts.append(f'<table id="{table.id}">')
        parts.append(f'<caption id="{table.id}-caption">{html.escape(table.title)}</caption>')
        parts.append(
            "<thead><tr>" + "".join(f'<th scope="col">{html.escape(c)}</th>' for c in table.columns) + "</tr></thead>"
        )
        parts.append("<tbody>")
        for row in table.rows:
            cells = []
            for index, cell in enumerate(row):
                tag = "th" if index == 0 else "td"
                scope = ' scope="row"' if index == 0 else ""
                text = html.escape(cell.text)
                if cell.link:
                    text = f'<a href="{html.escape(cell.link, quote=True)}" rel="noopener">{text}</a>'
                cells.append(f'<{tag}{scope} data-source="{cell.source}">{text}</{tag}>')
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</tbody></table>")
        if table.notes and table.rows:
            parts += [f'<p class="note">{html.escape(note)}</p>' for note in table.notes]
        parts.append("</section>")
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _csv(tables: list[Table], declarations: Declarations, lang: str) -> str:
    """One CSV section per table: a title row, the header row, the rows; sections apart by an empty row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for index, table in enumerate(tables):
        if len(tables) > 1:
            if index:
                writer.writerow([])
            writer.writerow([table.title])
        writer.writerow(table.columns)
        writer.writerows([cell.text for cell in row] for row in table.rows)
    return buffer.getvalue()


def _json(tables: list[Table], declarations: Declarations, lang: str) -> str:
    document = {
        "schema": SCHEMA,
        "lang": lang,
        "app": {"id": declarations.app.id, "name": declarations.app.name, "package": declarations.app.package},
        "policy_version": declarations.policy.version,
        "tables": [
            {
                "id": table.id,
                "title": table.title,
                "columns": list(table.columns),
                "rows": [[{"text": c.text, "source": c.source, "link": c.link} for c in row] for row in table.rows],
                "notes": list(table.notes),
            }
            for table in tables
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
