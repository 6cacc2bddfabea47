"""Dutch first, English complete: both catalogues cover every string of the code."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"


def _catalogue(language):
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        return read_po(handle, locale=language)


def _ids(catalogue):
    return {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalogue
        if message.id
    }


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_message_is_translated_and_none_is_fuzzy(language):
    catalogue = _catalogue(language)
    untranslated = [
        message.id
        for message in catalogue
        if message.id
        and (
            message.fuzzy
            or not (message.string if isinstance(message.string, str) else all(message.string))
        )
    ]
    assert untranslated == []


def test_both_catalogues_hold_the_same_messages():
    assert _ids(_catalogue("nl")) == _ids(_catalogue("en"))


def test_catalogues_keep_placeholders_intact():
    for message in _catalogue("nl"):
        if not message.id or isinstance(message.id, tuple):
            continue
        for placeholder in ("%(email)s", "%(name)s", "%(start)s", "%(end)s"):
            assert (placeholder in message.id) == (placeholder in message.string), message.id
