"""The one way Markdown becomes HTML: markdown-it-py, then nh3.

Raw HTML in the source is not rendered (markdown-it's ``html`` option is off) and
whatever comes out is sanitised again by nh3 with a short allow-list, so neither
a course file nor anything later rendered through here can inject markup.
"""

from functools import lru_cache

import nh3
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from markdown_it import MarkdownIt
from mdit_py_plugins.container import container_plugin

CALLOUTS = {
    "tip": _("Tip"),
    "let-op": _("Watch out"),
    "voorbeeld": _("Example"),
}

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "aside", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "aside": {"role"},
    "ol": {"start"},
    "th": {"scope"},
}
ALLOWED_CLASSES = {
    "aside": {"callout", *(f"callout-{name}" for name in CALLOUTS)},
    "span": {"callout-title"},
}


def _callout_renderer(name: str):
    def render(_renderer, tokens, idx, _options, _env):
        if tokens[idx].nesting == 1:
            title = escape(str(CALLOUTS[name]))
            return (
                f'<aside class="callout callout-{name}" role="note">'
                f'<span class="callout-title">{title}</span>\n'
            )
        return "</aside>\n"

    return render


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    for name in CALLOUTS:
        parser.use(container_plugin, name=name, render=_callout_renderer(name))
    return parser


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    # Images only from our own static files: no tracking pixels, no mixed content.
    if tag == "img" and attribute == "src" and not value.startswith(settings.STATIC_URL):
        return None
    return value


@lru_cache(maxsize=512)
def _render(text: str, _language: str) -> str:
    # ``_language`` is part of the cache key: callout titles are translated.
    html = _parser().render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=_keep_attribute,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def render_markdown(text: str) -> SafeString:
    """Markdown to safe HTML. The only place in the product that marks HTML as safe."""
    return SafeString(_render(text or "", get_language() or settings.LANGUAGE_CODE))
