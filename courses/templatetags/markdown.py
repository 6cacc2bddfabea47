from django import template

from courses.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """{{ lesson.body|markdown }}: through the one sanitising helper."""
    return render_markdown(text)
