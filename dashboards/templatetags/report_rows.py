"""HR's cohort report: each person's row rendered in one go.

Fifty rows with their links and, for invited people, a form to send the invitation
again cost more through the template engine than the rest of the report. The markup
is the same; every value goes through ``format_html``'s escaping.
"""

from django import template
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

register = template.Library()

ROW = (
    '<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td>'
    '<td><span class="badge badge-{}">{}</span>{}</td><td class="num">{}%</td>{}</tr>'
)
ACTIONS = (
    '<td class="report-actions">'
    '<a href="{}">{}<span class="visually-hidden"> {}</span></a> '
    '<a href="{}">{}<span class="visually-hidden"> {}</span></a> {}</td>'
)
RESEND = (
    '<form method="post" action="{}" class="report-resend">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
    '<input type="hidden" name="next" value="{}">'
    '<button type="submit" class="button-small">{}<span class="visually-hidden"> {}</span>'
    "</button></form>"
)


@register.simple_tag(takes_context=True)
def report_row(context, row, cohort_id: int, may_enrol: bool) -> str:
    """{% report_row row cohort.pk may_enrol %}: name, e-mail address, department, start,
    status with its reasons and progress; with ``may_enrol`` the links to move or
    withdraw the person and, while they are invited, the form to invite them again."""
    enrollment = row.enrollment
    reasons = row.reasons
    actions = ""
    if may_enrol:
        args = [cohort_id, enrollment.pk]
        resend = ""
        if row.status == "invited":
            resend = format_html(
                RESEND,
                reverse("invitations:resend", args=args),
                context.get("csrf_token", ""),
                context["request"].get_full_path(),
                gettext("Send again"),
                row.name,
            )
        actions = format_html(
            ACTIONS,
            reverse("organisation:enrollment_move", args=args),
            gettext("Move"),
            row.name,
            reverse("organisation:enrollment_withdraw", args=args),
            gettext("Withdraw"),
            row.name,
            resend,
        )
    return format_html(
        ROW,
        row.name,
        enrollment.user.email,
        row.department or "—",
        date_filter(enrollment.starts_on),
        row.status,
        row.status_label,
        format_html(' <span class="report-reasons">{}</span>', ", ".join(reasons))
        if reasons
        else "",
        row.percent,
        actions,
    )
