"""Data rights (AVG/GDPR): a person's export, a deletion request, staff anonymising a
person, and the retention sweep."""

import datetime
import io
import json
import re
import zipfile

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import User
from assignments.deadlines import extension_grant
from assignments.feedback import submission_message_post
from assignments.models import Grade, Submission, SubmissionMessage
from assignments.services import (
    quiz_submit,
    reflection_draft,
    reflection_submit,
    scan_submit,
    submission_grade,
)
from cohorts.invitations import invitation_issue
from cohorts.models import Enrollment, Invitation
from cohorts.services import cohort_assign_trainer, enrollment_create
from courses.models import Lesson, LessonProgress
from courses.services import lesson_mark_read
from notifications.models import Category, MailOptOut, Message, Rule
from organisations.models import Membership, Organisation
from privacy.selectors import months_after, months_before
from privacy.services import PrivacyError, anonymised_email, user_anonymise
from privacy.tasks import retention_sweep_task
from tests.assignment_helpers import (
    QUIZ,
    REFLECTION,
    SCAN,
    assignment,
    quiz_answers,
    scan_answers,
    words,
)
from tests.factories import (
    CohortFactory,
    OrganisationFactory,
    UserFactory,
    make_learner,
)


@pytest.fixture(autouse=True)
def _messages_in_english():
    """Service messages are checked against their English ids (views render Dutch)."""
    with translation.override("en"):
        yield


ALICE_TEXT = "Mijn verhaal <script>alert('x')</script> & meer. " + words(100)
ALICE_MESSAGE = "Vraag van Alice: <b>klopt</b> dit?"
TARA_COMMENT = "Sterk begin, ALICE-FEEDBACK."
TARA_REPLY = "Antwoord van Tara aan Alice."
CARL_TEXT = "CARLS-EIGEN-TEKST " + words(100)
TARA_TO_CARL = "TARA-AAN-CARL"
BOB_TEXT = "BOBS-GEHEIM " + words(100)


def _t(msgid: str) -> str:
    """The page's wording in Dutch (the test people's language), or the English msgid
    until the catalogue has it."""
    with translation.override("nl"):
        return gettext(msgid)


def _hand_in(user, text: str) -> Submission:
    enrollment = Enrollment.objects.select_related("cohort").get(user=user)
    draft = reflection_draft(enrollment=enrollment, assignment=assignment(REFLECTION))
    return reflection_submit(
        submission=draft, answers={"verhaal": text}, based_on=draft.version, now=timezone.now()
    )


def _lowest_scores():
    return {
        criterion["id"]: min(level["points"] for level in criterion["levels"])
        for criterion in assignment(REFLECTION).config["rubric"]["criteria"]
    }


@pytest.fixture
def work(world):
    """Alice's full record, and work of carl (same cohort) and bob (other organisation)."""
    now = timezone.now()
    alice = world.learner
    enrollment = Enrollment.objects.select_related("cohort").get(user=alice)
    Membership.objects.filter(user=alice).update(department="Klantenservice")
    lesson = Lesson.objects.filter(course=world.course).order_by("module__position", "position")[0]
    lesson_mark_read(enrollment=enrollment, lesson=lesson, now=now)
    quiz = quiz_submit(
        enrollment=enrollment,
        assignment=assignment(QUIZ),
        raw_answers=quiz_answers(assignment(QUIZ), wrong=1),
        now=now,
    )
    scan = scan_submit(
        enrollment=enrollment,
        assignment=assignment(SCAN),
        raw_answers=scan_answers(assignment(SCAN)),
        now=now,
    )
    reflection = _hand_in(alice, ALICE_TEXT)
    submission_message_post(submission=reflection, author=alice, text=ALICE_MESSAGE, now=now)
    submission_message_post(submission=reflection, author=world.trainer, text=TARA_REPLY, now=now)
    grade = submission_grade(
        submission=reflection,
        trainer=world.trainer,
        rubric_scores=_lowest_scores(),
        comment=TARA_COMMENT,
        decision="returned",
        now=now,
    )
    extension = extension_grant(
        enrollment=enrollment,
        assignment=assignment(QUIZ),
        due_on=enrollment.cohort.local_today(now) + datetime.timedelta(days=20),
        granted_by=world.trainer,
        now=now,
    )
    invitation = invitation_issue(enrollment=enrollment, invited_by=world.org_admin, now=now)
    Authenticator.objects.create(
        user=alice, type=Authenticator.Type.TOTP, data={"secret": "TOTPSECRET42"}
    )
    carl = make_learner(world.cohort, email="carl@example.com", display_name="Carl")
    carl_work = _hand_in(carl, CARL_TEXT)
    submission_message_post(submission=carl_work, author=world.trainer, text=TARA_TO_CARL, now=now)
    _hand_in(world.learner_other, BOB_TEXT)
    return {
        "quiz": quiz,
        "scan": scan,
        "reflection": reflection,
        "grade": grade,
        "extension": extension,
        "invitation": invitation,
        "carl": carl,
    }


def _export(client, user) -> tuple[dict, str, bytes]:
    client.force_login(user)
    response = client.get(reverse("privacy:export"))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["data.json", "index.html"]
    raw = archive.read("data.json") + archive.read("index.html")
    return (
        json.loads(archive.read("data.json")),
        archive.read("index.html").decode("utf-8"),
        raw,
    )


# --- Export -------------------------------------------------------------------------------


def test_export_is_a_dated_zip_attachment_that_is_never_cached(client, world):
    client.force_login(world.learner)
    response = client.get(reverse("privacy:export"))
    assert response["Content-Type"] == "application/zip"
    assert re.fullmatch(
        r'attachment; filename="klantbekwaam-gegevens-\d{4}-\d{2}-\d{2}\.zip"',
        response["Content-Disposition"],
    )
    assert "no-store" in response["Cache-Control"]


def test_export_holds_the_account_and_memberships(client, world, work):
    data, _html, _raw = _export(client, world.learner)
    account = data["account"]
    assert account["email"] == "alice@example.com"
    assert account["display_name"] == "Alice"
    assert account["language"] == world.learner.language
    assert account["time_zone"] == world.learner.time_zone
    assert account["date_joined"]
    assert data["email_addresses"] == [
        {"email": "alice@example.com", "verified": True, "primary": True}
    ]
    assert [row["type"] for row in data["two_factor_authentication"]] == ["totp"]
    assert data["memberships"][0]["organisation"] == "Acme"
    assert data["memberships"][0]["department"] == "Klantenservice"


def test_export_holds_every_kind_of_work(client, world, work):
    data, _html, _raw = _export(client, world.learner)
    (enrolment,) = data["enrolments"]
    assert enrolment["cohort"] == "Acme najaar"
    assert enrolment["course"] == world.course.title
    assert enrolment["personal_start"]
    assert enrolment["cohort_ends_on"]
    assert len(enrolment["lessons_read"]) == 1
    by_kind = {s["kind"]: s for s in enrolment["submissions"]}
    assert by_kind["quiz"]["score"] == work["quiz"].score
    assert by_kind["quiz"]["answers"] == work["quiz"].answers
    assert by_kind["scan"]["result"] == work["scan"].result
    reflection = by_kind["reflection"]
    assert reflection["answers"] == work["reflection"].answers
    assert reflection["answers"]["verhaal"].startswith("Mijn verhaal <script>")
    assert reflection["status"] == "returned"
    assert reflection["submitted_at"]
    assert reflection["grade"]["comment"] == TARA_COMMENT
    assert reflection["grade"]["trainer"] == "Tara"
    assert reflection["grade"]["rubric_scores"] == _lowest_scores()
    assert len(reflection["grade"]["rubric"]) == len(_lowest_scores())
    assert [(m["text"], m["written_by_you"]) for m in reflection["messages"]] == [
        (ALICE_MESSAGE, True),
        (TARA_REPLY, False),
    ]
    assert enrolment["extensions"][0]["assignment"] == assignment(QUIZ).title
    assert enrolment["extensions"][0]["granted_by"] == "Tara"
    assert [i["status"] for i in enrolment["invitations"]] == [work["invitation"].status]


def test_export_leaves_out_secrets_and_other_peoples_data(client, world, work):
    _data, _html, raw = _export(client, world.learner)
    text = raw.decode("utf-8")
    for foreign in (
        "CARLS-EIGEN-TEKST",
        TARA_TO_CARL,
        "BOBS-GEHEIM",
        "carl@example.com",
        "bob@example.com",
        "tara@example.com",
        "olga@example.com",
    ):
        assert foreign not in text, foreign
    assert "TOTPSECRET42" not in text
    assert work["invitation"].token_hash not in text
    assert "token" not in text


def test_export_page_escapes_what_people_wrote_and_needs_nothing_online(client, world, work):
    _data, html, _raw = _export(client, world.learner)
    assert "Mijn verhaal &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; meer." in html
    assert "Vraag van Alice: &lt;b&gt;klopt&lt;/b&gt; dit?" in html
    assert "<script" not in html
    assert not re.search(r"<(link|img|style)\b|\bsrc=|https?://", html)
    assert TARA_COMMENT in html
    assert TARA_REPLY in html
    assert html.count("<h1") == 1


def test_a_trainers_export_has_their_own_messages_and_comment_bank_only(client, world, work):
    data, _html, raw = _export(client, world.trainer)
    trainer = data["as_trainer"]
    assert [c["cohort"] for c in trainer["cohorts"]] == ["Acme najaar"]
    assert {m["text"] for m in trainer["messages_written"]} == {TARA_REPLY, TARA_TO_CARL}
    assert trainer["grades_given"] == 1
    assert trainer["extensions_granted"] == 1
    text = raw.decode("utf-8")
    assert "CARLS-EIGEN-TEKST" not in text
    assert "Mijn verhaal" not in text
    assert TARA_COMMENT not in text, "what a trainer decided about a learner is counted only"


# --- Deletion requests ----------------------------------------------------------------------


def test_the_profile_links_to_export_and_deletion(client, world):
    client.force_login(world.learner)
    body = client.get(reverse("profile")).content.decode()
    assert f'href="{reverse("privacy:export")}"' in body
    assert f'href="{reverse("privacy:deletion")}"' in body


def test_asking_for_deletion_needs_the_confirmation_post(client, world):
    client.force_login(world.learner)
    body = client.get(reverse("privacy:deletion")).content.decode()
    assert '<form method="post" class="form">' in body
    world.learner.refresh_from_db()
    assert world.learner.deletion_requested_at is None


def test_asking_for_deletion_records_it_once_and_says_what_happens(client, world):
    client.force_login(world.learner)
    response = client.post(reverse("privacy:deletion"))
    assert response.status_code == 302
    world.learner.refresh_from_db()
    first = world.learner.deletion_requested_at
    assert first is not None
    assert client.post(reverse("privacy:deletion")).status_code == 302
    world.learner.refresh_from_db()
    assert world.learner.deletion_requested_at == first
    body = client.get(reverse("privacy:deletion")).content.decode()
    assert _t("What happens next") in body
    assert '<form method="post" class="form">' not in body


def test_staff_see_open_requests_until_the_person_is_anonymised(client, world):
    client.force_login(world.learner)
    client.post(reverse("privacy:deletion"))
    client.force_login(world.staff)
    body = client.get(reverse("staff:privacy")).content.decode()
    assert "alice@example.com" in body
    assert "bob@example.com" not in body
    assert reverse("staff:anonymise", args=[world.learner.pk]) in body
    user_anonymise(user=world.learner, now=timezone.now())
    body = client.get(reverse("staff:privacy")).content.decode()
    assert reverse("staff:anonymise", args=[world.learner.pk]) not in body


def test_staff_find_a_person_by_exact_email_only(client, world):
    client.force_login(world.staff)
    url = reverse("staff:privacy")
    body = client.get(url, {"email": "BOB@example.com"}).content.decode()
    assert reverse("staff:anonymise", args=[world.learner_other.pk]) in body
    body = client.get(url, {"email": "example.com"}).content.decode()
    assert reverse("staff:anonymise", args=[world.learner_other.pk]) not in body


# --- Anonymising --------------------------------------------------------------------------


def _statistics():
    return {
        "enrollments": list(Enrollment.objects.order_by("pk").values_list("pk", "status")),
        "submissions": list(
            Submission.objects.order_by("pk").values_list(
                "pk", "status", "score", "passed", "result", "submitted_at", "revision"
            )
        ),
        "lesson_progress": LessonProgress.objects.count(),
        "grades": list(Grade.objects.order_by("pk").values_list("pk", "rubric_scores", "decision")),
    }


def test_the_confirmation_page_says_what_happens_and_changes_nothing(client, world, work):
    client.force_login(world.staff)
    response = client.get(reverse("staff:anonymise", args=[world.learner.pk]))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert (summary.reflection_revisions, summary.messages, summary.grade_comments) == (1, 2, 1)
    assert (summary.enrollments, summary.submissions, summary.invitations) == (1, 3, 1)
    world.learner.refresh_from_db()
    assert world.learner.email == "alice@example.com"


def test_export_lists_reminder_mail_without_its_text(client, world, work):
    MailOptOut.objects.create(user=world.learner, category=Category.MODULES)
    data, html, _raw = _export(client, world.learner)
    # The released grade in ``work`` made a "feedback ready" mail.
    kinds = [(row["kind"], row["rules"]) for row in data["reminder_emails"]]
    assert kinds == [(Message.Kind.EVENT, [Rule.FEEDBACK_READY])]
    assert [row["category"] for row in data["email_switched_off"]] == [Category.MODULES]
    assert data["reminder_emails"][0]["reminders"][0] in html
    # Only what it was about: the feedback's own words stay out of the mail log.
    assert TARA_COMMENT not in json.dumps(data["reminder_emails"])


def test_anonymising_removes_what_identifies_the_person(client, world, work):
    MailOptOut.objects.create(user=world.learner, category=Category.MODULES)
    Client().force_login(world.learner)
    Client().force_login(world.learner_other)  # another person's session stays
    client.force_login(world.staff)
    response = client.post(reverse("staff:anonymise", args=[world.learner.pk]))
    assert response.status_code == 302
    alice = User.objects.get(pk=world.learner.pk)
    assert alice.email == anonymised_email(alice.pk) == f"anonymised-{alice.pk}@invalid.example"
    assert alice.display_name == ""
    assert not alice.has_usable_password()
    assert not alice.is_active
    assert alice.anonymised_at is not None
    assert not EmailAddress.objects.filter(user=alice).exists()
    assert not Authenticator.objects.filter(user=alice).exists()
    sessions = [s.get_decoded().get(SESSION_KEY) for s in Session.objects.all()]
    assert str(alice.pk) not in sessions
    assert str(world.learner_other.pk) in sessions
    assert Submission.objects.get(pk=work["reflection"].pk).answers == {}
    assert not SubmissionMessage.objects.filter(submission__enrollment__user=alice).exists()
    assert Grade.objects.get(pk=work["grade"].pk).comment == ""
    assert Membership.objects.get(user=alice).department == ""
    assert not Invitation.objects.filter(enrollment__user=alice).exists()
    assert not Message.objects.filter(recipient=alice).exists()
    assert not MailOptOut.objects.filter(user=alice).exists()
    # Nobody else's work is touched.
    assert SubmissionMessage.objects.filter(text=TARA_TO_CARL).exists()
    assert Submission.objects.get(enrollment__user=work["carl"]).answers["verhaal"]


def test_the_trainers_cohort_page_drops_the_name_at_once(client, world, work):
    trainer = Client()
    trainer.force_login(world.trainer)
    cohort_page = reverse("trainer:cohort", args=[world.cohort.pk])
    assert "Alice" in trainer.get(cohort_page).content.decode()  # the rows are kept now
    client.force_login(world.staff)
    client.post(reverse("staff:anonymise", args=[world.learner.pk]))
    body = trainer.get(cohort_page).content.decode()
    assert "Alice" not in body
    assert anonymised_email(world.learner.pk) in body


def test_an_anonymised_person_cannot_log_in(client, world):
    user_anonymise(user=world.learner, now=timezone.now())
    response = client.post(
        reverse("account_login"),
        {"login": "alice@example.com", "password": "correct-horse-battery"},
    )
    assert response.status_code == 200, "the login form comes back"
    assert SESSION_KEY not in client.session


def test_anonymising_keeps_the_numbers_statistics_are_made_of(world, work):
    before = _statistics()
    quiz_answers_before = Submission.objects.get(pk=work["quiz"].pk).answers
    scan_answers_before = Submission.objects.get(pk=work["scan"].pk).answers
    user_anonymise(user=world.learner, now=timezone.now())
    assert _statistics() == before
    assert Submission.objects.get(pk=work["quiz"].pk).answers == quiz_answers_before
    assert Submission.objects.get(pk=work["scan"].pk).answers == scan_answers_before


def test_anonymising_twice_is_harmless(world, work):
    first_moment = timezone.now()
    user_anonymise(user=world.learner, now=first_moment)
    after_first = _statistics()
    user_anonymise(user=world.learner, now=first_moment + datetime.timedelta(days=3))
    alice = User.objects.get(pk=world.learner.pk)
    assert alice.anonymised_at == first_moment
    assert alice.email == anonymised_email(alice.pk)
    assert _statistics() == after_first


def test_staff_cannot_be_anonymised(client, world):
    with pytest.raises(PrivacyError, match="staff"):
        user_anonymise(user=world.staff, now=timezone.now())
    colleague = UserFactory(email="sam@example.com", is_staff=True)
    client.force_login(world.staff)
    page = client.get(reverse("staff:anonymise", args=[colleague.pk]))
    assert page.context["summary"].refused
    assert '<form method="post" class="form">' not in page.content.decode()
    response = client.post(reverse("staff:anonymise", args=[colleague.pk]), follow=True)
    assert any(m.level_tag == "error" for m in response.context["messages"])
    colleague.refresh_from_db()
    assert colleague.email == "sam@example.com"
    assert colleague.is_active
    assert colleague.anonymised_at is None


def test_an_anonymised_trainers_grades_keep_working(client, world, work):
    user_anonymise(user=world.trainer, now=timezone.now())
    grade = Grade.objects.get(pk=work["grade"].pk)
    assert grade.trainer_id == world.trainer.pk
    assert grade.comment == TARA_COMMENT, "the learner keeps their feedback"
    assert not SubmissionMessage.objects.filter(author=world.trainer).exists()
    client.force_login(world.learner)
    page = client.get(reverse("learn:assignment", args=[world.cohort.pk, REFLECTION]))
    assert page.status_code == 200
    assert TARA_COMMENT in page.content.decode()
    assert "tara@example.com" not in page.content.decode()


# --- Retention ----------------------------------------------------------------------------


def test_month_arithmetic_is_clamped_and_bounded():
    assert months_before(datetime.date(2024, 3, 31), 1) == datetime.date(2024, 2, 29)
    assert months_before(datetime.date(2026, 1, 15), 12) == datetime.date(2025, 1, 15)
    assert months_before(datetime.date(2026, 1, 1), 30_000) == datetime.date(2016, 1, 1)
    assert months_before(datetime.date(1, 6, 1), 120) == datetime.date.min
    assert months_after(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert months_after(datetime.date(9999, 6, 1), 120) == datetime.date.max


@pytest.fixture
def retention(db):
    """One organisation keeping data 12 months, one keeping it 3.

    Acme's old cohort ended 31 January 2025, its recent one 31 December 2025; Bolt's
    cohort ended 31 October 2025. So at 1 February 2026 (Amsterdam) old Acme learners
    and Bolt learners are due; at 31 January 2026 nobody is.
    """
    acme = OrganisationFactory(name="Oud BV")
    bolt = OrganisationFactory(name="Kort BV")
    Organisation.objects.filter(pk=bolt.pk).update(retention_months=3)

    def cohort(organisation, name, starts, ends):
        return CohortFactory(organisation=organisation, name=name, starts_on=starts, ends_on=ends)

    old = cohort(acme, "Oud", datetime.date(2024, 11, 1), datetime.date(2025, 1, 31))
    recent = cohort(acme, "Recent", datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
    short = cohort(bolt, "Kort", datetime.date(2025, 9, 1), datetime.date(2025, 10, 31))
    people = {
        "old": make_learner(old, email="old@example.com"),
        "both": make_learner(old, email="both@example.com"),
        "short": make_learner(short, email="short@example.com"),
        "trainer": make_learner(old, email="trainer@example.com"),
        "org_admin": make_learner(old, email="hr@example.com"),
        "staff": make_learner(old, email="staff@example.com"),
        "current": make_learner(recent, email="current@example.com"),
    }
    enrollment_create(cohort=recent, user=people["both"])
    cohort_assign_trainer(cohort=recent, trainer=people["trainer"])
    Membership.objects.filter(user=people["org_admin"]).update(role=Membership.Role.ORG_ADMIN)
    User.objects.filter(pk=people["staff"].pk).update(is_staff=True)
    return people


def _sweep(*args) -> str:
    out = io.StringIO()
    call_command("privacy_retention", *args, stdout=out)
    return out.getvalue()


def _anonymised() -> set[int]:
    return set(User.objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True))


def test_retention_waits_until_the_day_after_the_period(retention):
    output = _sweep("--at", "2026-01-31T12:00")
    assert output.strip() == "0 people anonymised."
    assert _anonymised() == set()


def test_retention_anonymises_exactly_the_learners_past_it(retention):
    output = _sweep("--at", "2026-02-01T12:00")
    due = {retention["old"].pk, retention["short"].pk}
    assert _anonymised() == due
    for pk in sorted(due):
        assert f"anonymised user {pk} " in output
    assert "@" not in output, "ids, never email addresses"
    assert output.strip().endswith("2 people anonymised.")


def test_retention_counts_days_in_the_platforms_time_zone(retention):
    # 23:30 UTC on 31 January is already 1 February in Amsterdam.
    _sweep("--at", "2026-01-31T23:30:00+00:00")
    assert _anonymised() == {retention["old"].pk, retention["short"].pk}


def test_a_recent_enrolment_keeps_a_person_until_it_is_past_retention_too(retention):
    _sweep("--at", "2026-12-31T12:00")
    assert retention["both"].pk not in _anonymised()
    _sweep("--at", "2027-01-01T12:00")
    assert retention["both"].pk in _anonymised()
    assert retention["current"].pk in _anonymised()


def test_retention_never_touches_trainers_org_admins_or_staff(retention):
    _sweep("--at", "2040-01-01T12:00")
    for role in ("trainer", "org_admin", "staff"):
        assert retention[role].pk not in _anonymised(), role


def test_a_dry_run_lists_the_same_people_and_changes_nothing(retention):
    output = _sweep("--dry-run", "--at", "2026-02-01T12:00")
    assert f"would anonymise user {retention['old'].pk} " in output
    assert f"would anonymise user {retention['short'].pk} " in output
    assert output.strip().endswith("2 people would be anonymised.")
    assert _anonymised() == set()
    assert User.objects.filter(email="old@example.com", is_active=True).exists()


def test_a_bad_moment_is_refused(retention):
    with pytest.raises(CommandError, match="not an ISO date"):
        _sweep("--at", "gisteren")


def test_the_daily_task_runs_the_same_sweep_now(world):
    assert retention_sweep_task() == 0
    long_ago = timezone.localdate() - datetime.timedelta(days=3 * 366)
    old = CohortFactory(
        organisation=world.acme,
        name="Lang geleden",
        starts_on=long_ago,
        ends_on=long_ago + datetime.timedelta(days=30),
    )
    gone = make_learner(old, email="gone@example.com")
    assert retention_sweep_task() == 1
    gone.refresh_from_db()
    assert gone.anonymised_at is not None
    world.learner.refresh_from_db()
    assert world.learner.anonymised_at is None
