"""The trainer guide: ``docs/trainer-guide.md`` (Dutch) and ``trainer-guide.en.md`` (English).

The guide is a Markdown file kept with the code, so it changes with the product it
describes. It is read when asked for, so a new version shows without a restart; the
rendered HTML is kept per file, modification time and language.
"""

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.safestring import SafeString

from courses.markdown import render_markdown

logger = logging.getLogger(__name__)

GUIDE_NAME = "trainer-guide"


@dataclass(frozen=True)
class Guide:
    title: str  # the file's leading "# " heading, or "" (the page then names it)
    html: SafeString


def guide_folder() -> Path:
    """Where the guide files are; a setting, so tests need not read the real guide."""
    return Path(getattr(settings, "KB_TRAINER_GUIDE_DIR", settings.BASE_DIR / "docs"))


def guide_file(language: str) -> Path | None:
    """The guide in ``language``, else the Dutch original; None if neither exists."""
    folder = guide_folder()
    names = [f"{GUIDE_NAME}.md"]
    if language != settings.LANGUAGE_CODE and language in dict(settings.LANGUAGES):
        names.insert(0, f"{GUIDE_NAME}.{language}.md")
    return next((folder / name for name in names if (folder / name).is_file()), None)


def trainer_guide(language: str) -> Guide | None:
    """The guide for the active ``language``, rendered; None (and a warning) if missing."""
    path = guide_file(language)
    if path is None:
        logger.warning("The trainer guide is missing from %s", guide_folder())
        return None
    return _rendered(str(path), path.stat().st_mtime_ns, language)


@lru_cache(maxsize=16)
def _rendered(path: str, _modified: int, _language: str) -> Guide:
    # The modification time and language are the cache key: an edited file is read
    # again, and callout titles in the text are translated.
    text = Path(path).read_text(encoding="utf-8")
    title, body = _split_title(text)
    return Guide(title=title, html=render_markdown(body))


def _split_title(text: str) -> tuple[str, str]:
    """A leading "# Title" line becomes the page's one h1 (Markdown allows no h1)."""
    lines = text.lstrip().splitlines()
    if lines and lines[0].startswith("# "):
        return lines[0][2:].strip(), "\n".join(lines[1:])
    return "", text
