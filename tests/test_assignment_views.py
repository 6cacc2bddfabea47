"""The assignment pages: quiz, scan, reflection with autosave, calendar, extensions."""

import datetime
import re

import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone

from assignments.models import Submission
from assignments.services import scan_submit
from cohorts.models import Enrollment
from tests.assignment_helpers import (
    LOCKED,
    POST,
    PRE,
    QUIZ,
    REFLECTION,
    SCAN,
    assignment,
    quiz_answers,
    scan_answers,
    words,
)
from tests.factories import make_learner


def _url(world, slug, name="learn:assignment", cohort=None):
    return reverse(name, args=[(cohort or world.cohort).pk, slug])


def _draft_url(world, revision=1):
    return reverse("learn:assignment_draft", args=[world.cohort.pk, REFLECTION, revision])


@pytest.fixture
def learner(client, world):
    client.force_login(world.learner)
    return client


# --- Quiz -----------------------------------------------------------------------


def test_quiz_page_shows_the_questions(learner, world):
    body = learner.get(_url(world, QUIZ)).content.decode()
    for question in assignment(QUIZ).config["questions"]:
        assert question["text"].split()[0] in body
    assert 'type="checkbox"' in body
    assert 'type="radio"' in body


def test_quiz_submit_shows_what_was_wrong_and_why(learner, world):
    quiz = assignment(QUIZ)
    response = learner.post(
        _url(world, QUIZ, "learn:assignment_submit"), quiz_answers(quiz, wrong=1)
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?poging=1")
    body = learner.get(response["Location"]).content.decode()
    questions = len(quiz.config["questions"])
    assert f"{floatformat(100 * (questions - 1) / questions, 0)}% goed" in body
    assert "Niet goed" in body
    wrong_option = next(o for o in quiz.config["questions"][0]["options"] if not o["correct"])
    assert wrong_option["feedback"][:40].replace("'", "&#x27;").replace('"', "&quot;") in body


def test_tampered_quiz_answers_are_rejected_without_a_submission(learner, world):
    quiz = assignment(QUIZ)
    answers = quiz_answers(quiz) | {quiz.config["questions"][0]["id"]: ["zz"]}
    assert learner.post(_url(world, QUIZ, "learn:assignment_submit"), answers).status_code == 400
    extra = quiz_answers(quiz) | {"smuggled": ["a"]}
    assert learner.post(_url(world, QUIZ, "learn:assignment_submit"), extra).status_code == 400
    assert not Submission.objects.exists()


def test_unknown_attempt_number_is_404(learner, world):
    assert learner.get(_url(world, QUIZ) + "?poging=7").status_code == 404


# --- Scans ----------------------------------------------------------------------


def test_scan_result_with_chart_and_hidden_cohort_under_five(learner, world):
    scan = assignment(SCAN)
    response = learner.post(_url(world, SCAN, "learn:assignment_submit"), scan_answers(scan, 4))
    assert response.status_code == 302
    body = learner.get(_url(world, SCAN)).content.decode()
    assert "<svg" in body
    assert 'class="chart-you"' in body
    assert 'class="chart-other"' not in body
    assert "minstens vijf" in body


def test_scan_shows_the_cohort_once_five_have_a_result(learner, world):
    scan = assignment(SCAN)
    for _ in range(4):
        other = make_learner(world.cohort).enrollments.select_related("cohort").get()
        scan_submit(
            enrollment=other,
            assignment=scan,
            raw_answers=scan_answers(scan, 2),
            now=timezone.now(),
        )
    learner.post(_url(world, SCAN, "learn:assignment_submit"), scan_answers(scan, 4))
    body = learner.get(_url(world, SCAN)).content.decode()
    assert "De grijze stippen zijn 5 uitkomsten uit je groep." in body
    # The four alike results share one larger dot; alice's own result has its own.
    assert re.findall(r'class="chart-other" cx="[\d.]+" cy="[\d.]+" r="([\d.]+)"', body) == [
        "12.0",
        "5.0",
    ]
    # Another organisation's results never show.
    other_org = Enrollment.objects.select_related("cohort").get(user=world.learner_other)
    scan_submit(
        enrollment=other_org, assignment=scan, raw_answers=scan_answers(scan, 3), now=timezone.now()
    )
    assert "zijn 5 uitkomsten" in learner.get(_url(world, SCAN)).content.decode()


def test_scan_twice_from_two_tabs_keeps_one_result(learner, world):
    scan = assignment(SCAN)
    learner.post(_url(world, SCAN, "learn:assignment_submit"), scan_answers(scan, 4))
    second = learner.post(
        _url(world, SCAN, "learn:assignment_submit"), scan_answers(scan, 1), follow=True
    )
    assert second.redirect_chain[-1][1] == 302
    assert "Je hebt deze scan al gedaan." in second.content.decode()
    assert 'class="chart-you"' in second.content.decode(), "the first result is shown"
    assert Submission.objects.filter(assignment=scan).count() == 1


def test_scan_with_a_missing_answer_is_rejected(learner, world):
    scan = assignment(SCAN)
    answers = scan_answers(scan)
    answers.pop(next(iter(answers)))
    assert learner.post(_url(world, SCAN, "learn:assignment_submit"), answers).status_code == 400


def test_fasescan_post_shows_growth_since_the_pre(learner, world):
    pre = assignment(PRE)
    enrollment = Enrollment.objects.select_related("cohort").get(user=world.learner)
    scan_submit(
        enrollment=enrollment, assignment=pre, raw_answers=scan_answers(pre, 2), now=timezone.now()
    )
    body = learner.get(_url(world, PRE)).content.decode()
    assert 'class="phase-bar"' in body
    assert "nog een keer" in body
    post = assignment(POST)
    post.module.release_offset_days = 0
    post.module.save()
    post_answers = {s["id"]: (5 if s["weight"] > 0 else 1) for s in post.config["statements"]}
    learner.post(_url(world, POST, "learn:assignment_submit"), post_answers)
    body = learner.get(_url(world, POST)).content.decode()
    assert "Je groei sinds de start" in body
    phases = {phase["key"]: phase["title"] for phase in post.config["phases"]}
    before = Submission.objects.get(assignment=pre).result
    after = Submission.objects.get(assignment=post).result
    assert after["outcome"] != before["outcome"]
    assert f"Bij de start: {phases[before['outcome']]}" in body
    assert f"Nu: {phases[after['outcome']]}" in body
    assert "fase" in body
    assert "hoger" in body


def test_locked_assignment_refuses(learner, world):
    assert learner.get(_url(world, LOCKED)).status_code == 403
    assert learner.post(_url(world, LOCKED, "learn:assignment_submit"), {}).status_code == 403


def test_other_organisations_assignment_is_404(learner, world):
    assert learner.get(_url(world, QUIZ, cohort=world.other_cohort)).status_code == 404
    assert (
        learner.get(reverse("learn:assignment", args=[world.cohort.pk, "bestaat-niet"])).status_code
        == 404
    )


# --- Reflections --------------------------------------------------------------------


def test_reflection_autosave_and_reload_shows_the_draft(learner, world):
    learner.get(_url(world, REFLECTION))
    text = "Eerste zin.\n\nTweede alinea met <b>html</b>."
    response = learner.post(
        _draft_url(world), {"verhaal": text, "version": "0"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Opgeslagen om" in response.content.decode()
    body = learner.get(_url(world, REFLECTION)).content.decode()
    assert "Tweede alinea met &lt;b&gt;html&lt;/b&gt;." in body


def test_autosave_when_logged_out_answers_401_not_a_login_page(client, world):
    client.force_login(world.learner)
    client.get(_url(world, REFLECTION))
    client.logout()
    response = client.post(
        _draft_url(world), {"verhaal": "x", "version": "0"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 401


def test_autosave_after_submit_is_refused(learner, world):
    learner.get(_url(world, REFLECTION))
    learner.post(
        _url(world, REFLECTION, "learn:assignment_submit"),
        {"verhaal": words(100), "revision": "1", "version": "0"},
    )
    response = learner.post(
        _draft_url(world), {"verhaal": "nieuw", "version": "0"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409
    assert Submission.objects.get().answers == {"verhaal": words(100)}


def test_under_minimum_submit_keeps_the_text_and_says_why(learner, world):
    learner.get(_url(world, REFLECTION))
    response = learner.post(
        _url(world, REFLECTION, "learn:assignment_submit"),
        {"verhaal": "Te kort <script>x</script>", "revision": "1", "version": "0"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Te kort &lt;script&gt;x&lt;/script&gt;</textarea>" in body
    assert "Schrijf minstens 80 woorden (nu 3)." in body
    assert Submission.objects.get().status == Submission.Status.DRAFT


def test_submitted_reflection_is_read_only_and_escaped(learner, world):
    learner.get(_url(world, REFLECTION))
    text = "<img src=x onerror=alert(1)> " + words(100)
    response = learner.post(
        _url(world, REFLECTION, "learn:assignment_submit"),
        {"verhaal": text, "revision": "1", "version": "0"},
    )
    assert response.status_code == 302
    body = learner.get(_url(world, REFLECTION)).content.decode()
    assert "<textarea" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "<img src=x" not in body
    again = learner.post(
        _url(world, REFLECTION, "learn:assignment_submit"),
        {"verhaal": "een andere tekst", "revision": "1", "version": "1"},
    )
    assert again.status_code == 200, "a stale tab gets the page back, with a message"
    assert "al ingediend" in again.content.decode()
    assert "een andere tekst</textarea>" not in again.content.decode()
    assert Submission.objects.get().answers["verhaal"] == text


def test_another_learners_draft_cannot_be_written(client, world):
    client.force_login(world.learner)
    client.post(
        _draft_url(world), {"verhaal": "mijn tekst", "version": "0"}, HTTP_HX_REQUEST="true"
    )
    client.force_login(world.learner_other)
    response = client.post(
        _draft_url(world), {"verhaal": "overschreven", "version": "0"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 404
    assert Submission.objects.get().answers == {"verhaal": "mijn tekst"}


def test_opening_a_reflection_stores_nothing(learner, world):
    assert learner.get(_url(world, REFLECTION)).status_code == 200
    assert not Submission.objects.exists()


def test_a_stale_or_invented_revision_is_404(learner, world):
    assert (
        learner.post(
            _draft_url(world, 3), {"verhaal": "x", "version": "0"}, HTTP_HX_REQUEST="true"
        ).status_code
        == 404
    )
    assert not Submission.objects.exists()


# --- Dashboard, calendar, extensions ---------------------------------------------------


def test_dashboard_lists_upcoming_and_overdue_work(learner, world):
    body = learner.get("/leren/").content.decode()
    assert "Komende deadlines" in body
    assert assignment(SCAN).title in body
    # The cohort started a week ago: the kwadrant-scan (3 days) is overdue.
    assert "Te laat" in body


def test_calendar_lists_every_deadline(learner, world):
    response = learner.get(reverse("learn:calendar", args=[world.cohort.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    # One event per assignment of the course: every one has a deadline.
    assert body.count("BEGIN:VEVENT") == world.course.assignments.filter(archived=False).count()
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    quiz = assignment(QUIZ)
    due = world.cohort.starts_on + datetime.timedelta(days=quiz.due_offset_days)
    local = datetime.datetime.combine(due, datetime.time(23, 59), tzinfo=world.cohort.tz)
    assert f"DTEND:{local.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}" in body


def test_trainer_cannot_extend_a_learner_of_another_cohort(client, world):
    client.force_login(world.trainer)
    other = Enrollment.objects.get(user=world.learner_other)
    due = timezone.localdate() + datetime.timedelta(days=10)
    data = {"enrollment": other.pk, "assignment": assignment(QUIZ).pk, "due_on": due.isoformat()}
    for cohort in (world.cohort, world.other_cohort):
        response = client.post(reverse("trainer:learner", args=[cohort.pk, other.pk]), data)
        assert response.status_code == 404
    # Nor through the form on a learner of their own.
    alice = Enrollment.objects.get(user=world.learner)
    response = client.post(reverse("trainer:learner", args=[world.cohort.pk, alice.pk]), data)
    assert response.status_code == 200
    assert not other.extensions.exists()
    assert not alice.extensions.exists()


def test_text_too_long_to_store_is_refused_but_shown_back(learner, world):
    learner.get(_url(world, REFLECTION))
    huge = "woord " * 8000
    response = learner.post(
        _url(world, REFLECTION, "learn:assignment_submit"),
        {"verhaal": huge, "revision": "1", "version": "0"},
    )
    assert response.status_code == 200
    assert "te lang om op te slaan" in response.content.decode()
    assert huge.strip() in response.content.decode()
    assert Submission.objects.get().answers == {}
    draft = learner.post(
        _draft_url(world), {"verhaal": huge, "version": "0"}, HTTP_HX_REQUEST="true"
    )
    assert draft.status_code == 413
    assert "tekens te lang om op te slaan" in draft.content.decode()
    assert "verouderd" not in draft.content.decode()


def test_trainer_sees_waiting_reflections_of_their_own_cohorts_only(client, world):
    from assignments.services import reflection_draft, reflection_submit

    for user in (world.learner, world.learner_other):
        enrollment = Enrollment.objects.select_related("cohort").get(user=user)
        draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
        reflection_submit(
            submission=draft,
            answers={"verhaal": words(100)},
            based_on=draft.version,
            now=timezone.now(),
        )
    client.force_login(world.trainer)
    body = client.get("/trainer/").content.decode()
    assert "Alice" in body
    assert "Bob" not in body
    assert words(100) not in body, "the queue lists work, not its text"


def test_returned_work_shows_feedback_and_opens_revision_two(learner, world):
    from assignments.services import submission_grade

    learner.post(
        _url(world, REFLECTION, "learn:assignment_submit"),
        {"verhaal": words(100), "revision": "1", "version": "0"},
    )
    reflection = assignment(REFLECTION)
    submission_grade(
        submission=Submission.objects.get(),
        trainer=world.trainer,
        rubric_scores={
            c["id"]: c["levels"][0]["points"] for c in reflection.config["rubric"]["criteria"]
        },
        comment="Maak je <em>actie</em> concreter.",
        decision="returned",
        now=timezone.now(),
    )
    body = learner.get(_url(world, REFLECTION)).content.decode()
    assert "Dit is versie 2" in body
    assert "Eerdere versies" in body
    assert "Maak je &lt;em&gt;actie&lt;/em&gt; concreter." in body
    assert f">{words(100)}</textarea>" in body
    assert (
        learner.post(
            _draft_url(world, 1), {"verhaal": "x", "version": "0"}, HTTP_HX_REQUEST="true"
        ).status_code
        == 409
    )
    assert (
        learner.post(
            _draft_url(world, 2), {"verhaal": "nieuw", "version": "0"}, HTTP_HX_REQUEST="true"
        ).status_code
        == 200
    )
    assert list(Submission.objects.order_by("revision").values_list("revision", "status")) == [
        (1, "returned"),
        (2, "draft"),
    ]


# --- Drafts: what the page's script relies on ----------------------------------------


def test_autosave_answers_the_version_the_next_save_must_send(learner, world):
    first = learner.post(
        _draft_url(world), {"verhaal": "een", "version": "0"}, HTTP_HX_REQUEST="true"
    )
    second = learner.post(
        _draft_url(world),
        {"verhaal": "twee", "version": first["X-Draft-Version"]},
        HTTP_HX_REQUEST="true",
    )
    assert (first["X-Draft-Version"], second["X-Draft-Version"]) == ("1", "2")
    body = learner.get(_url(world, REFLECTION)).content.decode()
    assert 'data-server-version="2"' in body
    assert 'name="version" id="draft-version" value="2"' in body


def test_autosave_from_a_page_opened_before_a_newer_save_is_refused_in_plain_text(learner, world):
    learner.post(_draft_url(world), {"verhaal": "nieuw", "version": "0"}, HTTP_HX_REQUEST="true")
    response = learner.post(
        _draft_url(world), {"verhaal": "<b>oud</b>", "version": "0"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409
    assert response["X-Draft-Refused"] == "stale"
    assert response["Content-Type"].startswith("text/plain")
    assert "<" not in response.content.decode(), "shown as text: a short sentence, no markup"
    assert Submission.objects.get().answers == {"verhaal": "nieuw"}


def test_autosaves_wait_for_each_other_rather_than_abort_a_save_under_way(learner, world):
    # An aborted request may still have been stored: the next save would then send
    # the version it replaced and be refused as stale, with the person's own text.
    body = learner.get(_url(world, REFLECTION)).content.decode()
    assert 'data-hx-sync="this:queue last"' in body


@pytest.mark.parametrize("path", ["/leren/", "/accounts/logout/"])
def test_every_logout_form_forgets_the_drafts_kept_in_the_browser(learner, path):
    body = learner.get(path).content.decode()
    assert "js/logout.js" in body
    logout_forms = [
        tag
        for tag in body.split("<form")[1:]
        if 'action="/accounts/logout/"' in tag.split(">", 1)[0]
    ]
    assert logout_forms
    assert all("data-forget-drafts" in form.split(">", 1)[0] for form in logout_forms)


def test_a_stale_submit_shows_the_newer_text_and_keeps_what_was_sent_read_only(learner, world):
    learner.get(_url(world, REFLECTION))
    newer = words(90, "nieuwer")
    assert (
        learner.post(
            _draft_url(world), {"verhaal": newer, "version": "0"}, HTTP_HX_REQUEST="true"
        ).status_code
        == 200
    )
    stale = words(100, "ouder")
    response = learner.post(
        _url(world, REFLECTION, "learn:assignment_submit"),
        {"verhaal": stale, "revision": "1", "version": "0"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Niet ingediend" in body
    assert f">{newer}</textarea>" in body.split('id="refused-heading"')[0], "editor: newer text"
    assert f"readonly>{stale}</textarea>" in body, "the sent text stays readable"
    submission = Submission.objects.get()
    assert submission.status == Submission.Status.DRAFT
    assert submission.answers == {"verhaal": newer}
    version = body.split('id="draft-version" value="')[1].split('"')[0]
    assert version == str(submission.version), "the page now works on the stored version"
