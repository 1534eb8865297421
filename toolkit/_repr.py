"""The short text and HTML summaries Report and Dataset show instead of dumping their frames."""

from __future__ import annotations

import html


def text(title: str, pairs: list[tuple[str, str]], hint: str) -> str:
    """``<title>`` then one ``label: text`` line per pair, then a hint of what to call next."""
    return "\n".join([f"<{title}>", *(f"  {k}: {v}" for k, v in pairs), f"  {hint}"])


def table(title: str, pairs: list[tuple[str, str]], attributes: list[str]) -> str:
    """The same as a small HTML table for Jupyter, the attributes to use below it."""
    rows = "".join(
        f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
        f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
        for k, v in pairs
    )
    names = ", ".join(f"<code>{html.escape(a)}</code>" for a in attributes)
    return f"<b>{html.escape(title)}</b><table>{rows}</table><small>{names}</small>"
