"""The progress matrix's cells and the cohort chart's dots, rendered in one go.

A page of the matrix has fifty rows of a dozen cells, and the kwadrant chart up to a
few hundred dots; rendered one by one through the template engine they cost more
than everything else on the page. The markup is the same; every value goes through
``format_html``'s escaping.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language

from dashboards.selectors import Cell

register = template.Library()

CELL = (
    '<td class="cell cell-{}"><span class="cell-icon" aria-hidden="true">{}</span>'
    '<span class="visually-hidden">{}</span></td>'
)
# A cell's markup depends only on its status, whether it is overdue or late, and the
# language: a few dozen variants, each rendered once per process.
_cells: dict[tuple, str] = {}


def _cell(language: str, key: str, status_key: str, is_late: bool) -> str:
    html = _cells.get((language, key, status_key, is_late))
    if html is None:
        overdue = key == "overdue"
        cell = Cell(status_key, is_open=overdue, is_overdue=overdue, is_late=is_late)
        html = _cells[(language, key, status_key, is_late)] = format_html(
            CELL, cell.key, cell.icon, cell.label
        )
    return html


@register.simple_tag
def matrix_cells(row) -> str:
    """{% matrix_cells row %}: a ``<td>`` per cell of the row with its icon and its text."""
    language = get_language()
    cells = [_cell(language, *keys) for keys in row.cell_keys]
    return format_html("{}" * len(cells), *cells)


@register.simple_tag
def chart_dots(dots) -> str:
    """{% chart_dots chart.dots %}: a ``<circle>`` per dot (numbers only)."""
    return format_html_join(
        "", '<circle class="chart-point" cx="{}" cy="{}" r="{}"/>', ((d.x, d.y, d.r) for d in dots)
    )
