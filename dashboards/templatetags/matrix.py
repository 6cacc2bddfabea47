"""The progress matrix's cells, rendered in one go.

A page of the matrix has fifty rows of a dozen cells; rendered cell by cell through
the template engine they cost more than everything else on the page. The markup is
the same; every value goes through ``format_html``'s escaping.
"""

from django import template
from django.utils.html import format_html_join

register = template.Library()

CELL = (
    '<td class="cell cell-{}"><span class="cell-icon" aria-hidden="true">{}</span>'
    '<span class="visually-hidden">{}</span></td>'
)


@register.simple_tag
def matrix_cells(cells) -> str:
    """{% matrix_cells row.cells %}: a ``<td>`` per cell with its icon and its text."""
    return format_html_join("", CELL, ((cell.key, cell.icon, cell.label) for cell in cells))
