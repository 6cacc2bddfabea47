"""Regressions for defects found by walking through the demo as each role."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.services import user_create
from cohorts.services import enrollment_create
from lms.celery import app
from tests.assignment_helpers import QUIZ, assignment, quiz_answers


def test_a_blank_quiz_question_is_reported_once_not_twice(client, world):
    """The form's own alert says what is missing; no flash message repeats it above."""
    client.force_login(world.learner)
    answers = quiz_answers(assignment(QUIZ))
    answers.pop(next(iter(answers)))
    response = client.post(
        reverse("learn:assignment_submit", args=[world.cohort.pk, QUIZ]), answers
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("1 vraag heeft nog geen antwoord") == 1
    assert '<p class="form-errors" role="alert">' in body


@pytest.mark.parametrize(
    ("who", "back"), [("trainer", "trainer:cohort"), ("staff", "staff:cohort")]
)
@pytest.mark.parametrize("page", ["course", "lesson"])
def test_the_course_preview_leads_back_to_the_cohort(client, world, who, back, page):
    client.force_login(getattr(world, who))
    if page == "course":
        url = reverse("learn:preview", args=[world.cohort.pk])
    else:
        lesson = (
            world.course.lessons.filter(archived=False)
            .order_by("module__position", "position")
            .first()
        )
        url = reverse("learn:preview_lesson", args=[world.cohort.pk, lesson.slug])
    body = client.get(url).content.decode()
    assert f'href="{reverse(back, args=[world.cohort.pk])}">Terug naar de groep</a>' in body


def test_a_used_invitation_opened_again_while_logged_in_leads_to_the_course(
    client, world, settings
):
    """The person who just set a password opens the mail's link again: no "Log in" button."""
    from tests.test_invitations import NEW_PASSWORD, SITE, _accept_url, _invite, _token_from

    settings.SITE_URL = SITE

    app.conf.task_always_eager = True
    try:
        user = user_create(email="noor@example.com", display_name="Noor", language="nl")
        _invite(enrollment_create(cohort=world.cohort, user=user), world.org_admin)
        token = _token_from(mail.outbox[0])
    finally:
        app.conf.task_always_eager = False
    data = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post(_accept_url(token), data).status_code == 302
    body = client.get(_accept_url(token)).content.decode()
    content = body[body.index('<main id="content"') : body.index("</main>")]
    assert f'href="{reverse("learn:home")}"' in content
    assert reverse("account_login") not in content
    client.logout()
    body = client.get(_accept_url(token)).content.decode()
    assert reverse("account_login") in body[body.index('<main id="content"') :]


def test_the_hr_report_offers_to_send_an_invitation_again_to_whoever_is_still_invited(
    client, world
):
    """The login page tells people who lost the mail to ask HR; HR must be able to resend."""
    from tests.test_organisation_report import _invited_person, _page, invite

    world.cohort.organisation.admins_may_enrol = True
    world.cohort.organisation.save()
    _, invited = _invited_person(world, email="nieuw@example.com", display_name="Nieuw")
    invite(invited)
    body = _page(client, world)
    resend = reverse("invitations:resend", args=[world.cohort.pk, invited.pk])
    assert f'action="{resend}"' in body
    assert body.count('class="report-resend"') == 1, "only for people still invited"
    response = client.post(resend, {"next": reverse("organisation:cohort", args=[world.cohort.pk])})
    assert response.status_code == 302
