"""The grading form's rubric levels and their anchor examples, rendered in one go.

Each level is a radio button with its title, its points in words (a plural), whether
it is the pass level and its description; through the template engine the dozen levels
of a rubric cost more than the rest of the grading page. The markup is the same; every
value goes through ``format_html``'s escaping.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext

register = template.Library()

LEVEL = (
    '<div class="rubric-option"><input type="radio" name="{}" id="{}-{}" value="{}" '
    'data-points="{}"{}><label for="{}-{}"><span class="rubric-level-title">{}</span> '
    '<span class="meta">({})</span>{} <span class="rubric-level-description">{}</span>'
    "</label></div>"
)


@register.simple_tag
def rubric_options(criterion) -> str:
    """{% rubric_options criterion %}: a radio button per level of the criterion."""
    name = criterion.field_name
    pass_badge = format_html(' <span class="badge badge-passed">{}</span>', gettext("pass level"))
    return format_html_join(
        "",
        LEVEL,
        (
            (
                name,
                name,
                level.points,
                level.points,
                level.points,
                " checked" if level.checked else "",
                name,
                level.points,
                level.title,
                ngettext("%(points)s point", "%(points)s points", level.points)
                % {"points": level.points},
                pass_badge if level.is_pass_level else "",
                level.description,
            )
            for level in criterion.levels
        ),
    )


@register.simple_tag
def rubric_examples(criterion) -> str:
    """{% rubric_examples criterion %}: a ``<dt>``/``<dd>`` pair per level with an anchor
    example: the level, its points and whether it is the pass level, then the example."""
    pass_level = format_html(" — {}", gettext("pass level"))
    return format_html_join(
        "",
        "<dt>{} ({}){}</dt><dd>{}</dd>",
        (
            (level.title, level.points, pass_level if level.is_pass_level else "", level.example)
            for level in criterion.levels
            if level.example
        ),
    )
