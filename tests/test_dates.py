"""One date style everywhere: "23 november 2026" in Dutch, "23 November 2026" in English."""

import datetime

import pytest
from django.test import Client
from django.utils import translation
from django.utils.formats import date_format

from tests.factories import CohortFactory, make_trainer

DAY = datetime.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("language", "date", "moment"),
    [
        ("nl", "23 november 2026", "23 november 2026, 14:05"),
        ("en", "23 November 2026", "23 November 2026, 14:05"),
    ],
)
def test_date_and_datetime_formats_share_one_style(language, date, moment):
    with translation.override(language):
        assert date_format(DAY) == date
        assert date_format(datetime.datetime(2026, 11, 23, 14, 5), "DATETIME_FORMAT") == moment


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nl", "23 november 2026 – 1 februari 2027"), ("en", "23 November 2026 – 1 February 2027")],
)
def test_cohort_list_shows_dates_in_the_one_style(db, language, expected):
    cohort = CohortFactory(starts_on=DAY, ends_on=datetime.date(2027, 2, 1))
    trainer = make_trainer(cohort, language=language)
    client = Client()
    client.force_login(trainer)

    page = client.get("/trainer/groepen/").content.decode()

    assert expected in page
