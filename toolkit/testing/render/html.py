"""A report as a government web page: paragraphs and bordered tables with rowspan/colspan."""

from __future__ import annotations

from html import escape

from toolkit.testing.render.model import Document, Grid, Style

HEAD = (
    '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n'
    "<style>table{{border-collapse:collapse}}"
    "td{{border:1px solid #000;padding:2px 4px;text-align:center}}</style>\n"
    '</head>\n<body>\n<div class="article">\n'
)


def write(doc: Document, style: Style) -> bytes:
    """The page as UTF-8 bytes; blank cells print as &nbsp; as most CMS editors leave them."""
    titles = [b.text for b in doc.blocks if b.kind == "title"]
    out = [HEAD.format(title=escape("".join(titles)))]
    for block in doc.blocks:
        if block.kind == "title":
            out.append(f'<h1 style="text-align:center">{escape(block.text)}</h1>\n')
        elif block.kind == "heading":
            out.append(f"<p><strong>{escape(block.text)}</strong></p>\n")
        elif block.kind == "para":
            out.append(f'<p style="text-indent:2em">{escape(block.text)}</p>\n')
        else:
            out.append(table(block.grid))
    out.append("</div>\n</body>\n</html>\n")
    return "".join(out).encode("utf-8")


def table(grid: Grid) -> str:
    rows = []
    for row in grid.rows:
        tds = []
        for cell in row:
            if cell is None:
                continue
            span = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
                f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
            )
            text = "<br>".join(escape(part) for part in cell.text.split("\n")) or "&nbsp;"
            tds.append(f"<td{span}>{text}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return (
        f'<table border="1" cellspacing="0" cellpadding="0" class="{grid.name}">\n'
        + "\n".join(rows)
        + "\n</table>\n"
    )
