"""Form posts that cannot be read are refused with a 400 page, never a 500 or stored garbage."""

import pytest
from django.urls import reverse

from assignments.models import Submission
from tests.assignment_helpers import REFLECTION

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def draft_url(client, world):
    client.force_login(world.learner)
    return reverse("learn:assignment_draft", args=[world.cohort.pk, REFLECTION, 1])


def test_a_body_that_is_not_utf8_is_a_400_and_stores_nothing(client, draft_url):
    response = client.post(draft_url, data=b"verhaal=%FF%FEklant&version=0", content_type=FORM)
    assert response.status_code == 400
    assert not Submission.objects.exists()


def test_raw_bytes_that_are_not_utf8_are_a_400(client, draft_url):
    response = client.post(draft_url, data=b"verhaal=\xff\xfe&version=0", content_type=FORM)
    assert response.status_code == 400


def test_an_unknown_charset_is_a_400_not_a_server_error(client, draft_url):
    response = client.generic(
        "POST", draft_url, b"verhaal=klant&version=0", content_type=f"{FORM}; charset=bogus"
    )
    assert response.status_code == 400


def test_a_400_page_has_the_site_layout(client, draft_url):
    response = client.post(draft_url, data=b"verhaal=%FF&version=0", content_type=FORM)
    body = response.content.decode()
    assert '<nav class="site-nav"' in body or 'class="site-header"' in body
    assert 'href="/"' in body


def test_valid_utf8_with_accents_is_saved(client, draft_url):
    body = b"verhaal=%C3%A9%C3%A9n+klant+%E2%80%93+tevreden&version=0"
    response = client.post(draft_url, data=body, content_type=f"{FORM}; charset=UTF-8")
    assert response.status_code == 200
    assert Submission.objects.get().answers == {"verhaal": "één klant – tevreden"}
