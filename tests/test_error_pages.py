"""Error pages: the site's layout, a plain sentence in the person's language, a way back.

HTMX requests that fail get one short sentence instead of a page, so no error page
(least of all DEBUG's) lands inside the page that asked.
"""

import pytest
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from accounts import views as account_views
from accounts.middleware import HtmxErrorMiddleware

HTMX = {"HTTP_HX_REQUEST": "true"}


def _assert_styled_page_with_a_way_back(response, status, sentence):
    body = response.content.decode()
    assert response.status_code == status
    assert 'class="site-header"' in body
    assert 'href="/static/css/app.css"' in body
    assert sentence in body
    assert '<a class="button" href="/">' in body


@pytest.fixture
def failing_page(monkeypatch):
    """/welkom/ raises, as a bug would."""

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(account_views, "render", broken)
    return "/welkom/"


def test_unknown_page_gets_a_styled_404_in_dutch(client, db):
    response = client.get("/bestaat-niet/")
    _assert_styled_page_with_a_way_back(response, 404, "Pagina niet gevonden")


def test_404_speaks_the_persons_language(client, world):
    world.learner.language = "en"
    world.learner.save(update_fields=["language"])
    client.force_login(world.learner)
    response = client.get("/does-not-exist/")
    _assert_styled_page_with_a_way_back(response, 404, "Page not found")
    assert '<html lang="en">' in response.content.decode()


def test_wrong_role_gets_a_styled_403(client, world):
    client.force_login(world.learner)
    response = client.get("/trainer/")
    _assert_styled_page_with_a_way_back(response, 403, "Je hebt geen toegang tot deze pagina")


def test_bad_request_gets_a_styled_400(client, db):
    response = client.get("/", HTTP_HOST="not-our-host.example")
    _assert_styled_page_with_a_way_back(response, 400, "We konden dit verzoek niet verwerken")


def test_stale_tab_form_gets_a_styled_page_that_says_what_to_do(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.learner)
    response = client.post("/profiel/", {"display_name": "Alice"})
    _assert_styled_page_with_a_way_back(response, 403, "Deze pagina is verlopen")
    assert "laad de pagina opnieuw" in response.content.decode()


def test_stale_tab_autosave_gets_one_sentence(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.learner)
    response = client.post("/profiel/", {"display_name": "Alice"}, **HTMX)
    assert response.status_code == 403
    assert response.content.decode() == (
        "Deze pagina is verlopen. Laad hem opnieuw en probeer het nog eens."
    )


def test_server_error_gets_a_styled_500(world, failing_page):
    client = Client(raise_request_exception=False)
    client.force_login(world.learner)
    response = client.get(failing_page)
    _assert_styled_page_with_a_way_back(response, 500, "Er ging bij ons iets mis")


def test_500_page_renders_without_request_or_database():
    # No db fixture: pytest-django makes any query raise.
    body = render_to_string("500.html")
    assert 'class="site-header"' in body
    assert '<a class="button" href="/">' in body
    # No form that could not be posted without a request (no CSRF token).
    assert "<form" not in body


def test_htmx_request_never_gets_a_debug_page(world, failing_page, settings):
    settings.DEBUG = True
    client = Client(raise_request_exception=False)
    client.force_login(world.learner)
    response = client.get(failing_page, **HTMX)
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == "Er ging bij ons iets mis. Probeer het zo nog eens."


def test_htmx_request_for_a_missing_page_gets_one_sentence(client, world, settings):
    settings.DEBUG = True
    client.force_login(world.learner)
    response = client.get("/bestaat-niet/", **HTMX)
    assert response.status_code == 404
    assert "<" not in response.content.decode()


def test_short_answers_views_give_htmx_on_purpose_stay_as_they_are():
    request = RequestFactory().post("/autosave/", **HTMX)
    request.htmx = True
    for status, text in [
        (400, "Dit formulier hoort niet bij deze opdracht."),
        (409, "Al ingeleverd."),
    ]:
        middleware = HtmxErrorMiddleware(
            lambda _request, s=status, t=text: HttpResponse(t, status=s)
        )
        response = middleware(request)
        assert (response.status_code, response.content.decode()) == (status, text)
