"""The progress matrix's rows and the cohort chart's dots, rendered in one go.

A page of the matrix has fifty rows of a dozen cells, and the kwadrant chart up to a
few hundred dots; rendered one by one through the template engine they cost more
than everything else on the page. The markup is the same; every value goes through
``format_html``'s escaping.
"""

from django import template
from django.template.defaultfilters import date as date_filter
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html, format_html_join
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext

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


ROW = '<tr{}><th scope="row"><a href="{}">{}</a>{}</th><td class="num">{}%</td><td>{}</td>{}</tr>'
# A learner's page for any enrolment of a cohort: reversed once per process and
# address, with this id put in and replaced per row.
_PLACEHOLDER = 918273645
_learner_urls: dict[tuple, str] = {}


def _learner_url(url_name: str, cohort_id: int, enrollment_id: int) -> str:
    key = (get_script_prefix(), url_name, cohort_id)
    url = _learner_urls.get(key)
    if url is None:
        if len(_learner_urls) > 1000:
            _learner_urls.clear()
        url = _learner_urls[key] = reverse(url_name, args=[cohort_id, _PLACEHOLDER])
    return url.replace(str(_PLACEHOLDER), str(enrollment_id), 1)


# Last activity as the ``date`` filter shows it, per language and local day: a page of
# fifty rows has a handful of distinct days.
_days: dict[tuple, str] = {}


def _day(moment) -> str:
    local = template_localtime(moment).date()
    key = (get_language(), local)
    text = _days.get(key)
    if text is None:
        if len(_days) > 5000:
            _days.clear()
        text = _days[key] = date_filter(local)
    return text


@register.simple_tag
def matrix_row(row, url_name: str, cohort_id: int) -> str:
    """{% matrix_row row learner_url_name cohort.pk %}: the learner's ``<tr>``: name
    linked to their page, why they are at risk, percentage, last activity, cells."""
    risk = (
        format_html(
            '<span class="risk">{}: {}</span>', gettext("At risk"), ", ".join(row.risk_reasons)
        )
        if row.is_at_risk
        else ""
    )
    last = row.last_activity
    return format_html(
        ROW,
        format_html(' class="{}"', "is-at-risk") if row.is_at_risk else "",
        _learner_url(url_name, cohort_id, row.enrollment.pk),
        row.name,
        risk,
        row.percent,
        _day(last) if last else gettext("never"),
        matrix_cells(row),
    )


@register.simple_tag
def chart_dots(dots) -> str:
    """{% chart_dots chart.dots %}: a ``<circle>`` per dot (numbers only)."""
    return format_html_join(
        "", '<circle class="chart-point" cx="{}" cy="{}" r="{}"/>', ((d.x, d.y, d.r) for d in dots)
    )
