from django import template

from privacy.export import as_json

register = template.Library()


@register.filter
def json_text(value) -> str:
    """A value (a scan's result, say) as JSON text; plain text, so it is escaped."""
    return as_json(value)
