"""Enrolling people one by one or from a CSV file, moving and withdrawing learners."""

import datetime
import re
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import User
from assignments.models import Assignment, Submission
from assignments.services import reflection_draft
from cohorts.models import Enrollment, Invitation
from cohorts.services import (
    CohortError,
    enrollment_import,
    enrollment_invite,
    enrollment_move,
    enrollment_withdraw,
    enrolment_plan,
)
from dashboards.views.enrolment import MAX_PREVIEWS, PREVIEW_PREFIX
from lms.celery import app
from organisations.models import Membership
from tests.factories import CohortFactory


@pytest.fixture(autouse=True)
def _messages_in_english():
    """Service messages are checked against their English ids (views render Dutch)."""
    with translation.override("en"):
        yield


HEADER = "e-mail;voornaam;achternaam;afdeling\n"


@pytest.fixture
def eager():
    """Celery tasks run in-process (the invitation mail is a task published on commit)."""
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False
    app.conf.task_eager_propagates = False


@pytest.fixture
def allowed(world):
    world.acme.admins_may_enrol = True
    world.acme.save(update_fields=["admins_may_enrol"])
    return world


def _rows(text: str):
    from cohorts.csv_import import read_people

    return read_people(text.encode())


def _upload(client, url, text: str, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        url,
        {
            "upload-file": SimpleUploadedFile("people.csv", text.encode(), "text/csv"),
            "upload-submit": "",
            **extra,
        },
    )


def _enrol_url(world, area="organisation"):
    return reverse(f"{area}:enrol", args=[world.cohort.pk])


def _counts():
    return (
        User.objects.count(),
        Membership.objects.count(),
        Enrollment.objects.count(),
        Invitation.objects.count(),
    )


# --- one person --------------------------------------------------------------------


def test_inviting_a_new_person_creates_account_membership_enrolment_and_invitation(
    world, django_capture_on_commit_callbacks, mailoutbox, eager
):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = enrollment_invite(
            cohort=world.cohort,
            email=" Noor@Example.com ",
            first_name="Noor",
            last_name="Bakker",
            department="Klantenservice",
            by=world.staff,
            now=now,
        )
    user = outcome.enrollment.user
    assert outcome.created
    assert user.email == "noor@example.com"
    assert user.display_name == "Noor Bakker"
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    assert Membership.objects.get(user=user, organisation=world.acme).department == (
        "Klantenservice"
    )
    # The cohort started a week ago: a late joiner starts today.
    assert outcome.enrollment.starts_on == world.cohort.local_today(now)
    assert Invitation.objects.filter(enrollment=outcome.enrollment).count() == 1
    assert [message.to for message in mailoutbox] == [["noor@example.com"]]


def test_someone_enrolled_before_the_cohort_starts_begins_with_the_cohort(world):
    later = CohortFactory(
        organisation=world.acme,
        course=world.course,
        starts_on=timezone.localdate() + datetime.timedelta(days=10),
    )
    outcome = enrollment_invite(
        cohort=later,
        email="a@example.com",
        first_name="A",
        last_name="B",
        by=None,
        now=timezone.now(),
    )
    assert outcome.enrollment.starts_on == later.starts_on


def test_the_person_enrolling_may_choose_a_start_date_within_the_cohort(world):
    chosen = world.cohort.starts_on + datetime.timedelta(days=3)
    outcome = enrollment_invite(
        cohort=world.cohort,
        email="a@example.com",
        first_name="A",
        last_name="B",
        starts_on=chosen,
        by=None,
        now=timezone.now(),
    )
    assert outcome.enrollment.starts_on == chosen
    with pytest.raises(CohortError, match="within the cohort"):
        enrollment_invite(
            cohort=world.cohort,
            email="b@example.com",
            first_name="B",
            last_name="C",
            starts_on=world.cohort.ends_on + datetime.timedelta(days=1),
            by=None,
            now=timezone.now(),
        )


def test_enrolling_someone_twice_reports_it_and_adds_nothing(world):
    kwargs = {"cohort": world.cohort, "first_name": "A", "last_name": "B", "by": None}
    first = enrollment_invite(email="a@example.com", now=timezone.now(), **kwargs)
    again = enrollment_invite(email="A@EXAMPLE.COM", now=timezone.now(), **kwargs)
    assert first.created
    assert not again.created
    assert again.enrollment == first.enrollment
    assert Invitation.objects.filter(enrollment=first.enrollment).count() == 1


def test_an_existing_account_elsewhere_keeps_its_name_and_gets_a_notice(
    world, django_capture_on_commit_callbacks, mailoutbox, eager
):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = enrollment_invite(
            cohort=world.cohort,
            email="bob@example.com",
            first_name="Robert",
            last_name="Anders",
            by=world.org_admin,
            now=timezone.now(),
        )
    assert outcome.created
    assert outcome.enrollment.user == world.learner_other
    world.learner_other.refresh_from_db()
    assert world.learner_other.display_name == "Bob"
    assert not Invitation.objects.filter(enrollment=outcome.enrollment).exists()
    assert [message.to for message in mailoutbox] == [["bob@example.com"]]


@pytest.mark.parametrize(
    ("email", "first", "last", "fragment"),
    [
        ("not an address", "A", "B", "valid email"),
        ("a@example.com", "", "B", "name is missing"),
    ],
)
def test_invalid_person_is_refused(world, email, first, last, fragment):
    before = _counts()
    with pytest.raises(CohortError, match=fragment):
        enrollment_invite(
            cohort=world.cohort,
            email=email,
            first_name=first,
            last_name=last,
            by=None,
            now=timezone.now(),
        )
    assert _counts() == before


def test_nobody_is_enrolled_in_an_archived_cohort(world):
    world.cohort.archived_at = timezone.now()
    with pytest.raises(CohortError, match="archived"):
        enrollment_invite(
            cohort=world.cohort,
            email="a@example.com",
            first_name="A",
            last_name="B",
            by=None,
            now=timezone.now(),
        )


def test_staff_enrol_one_person_from_the_page(client, world):
    client.force_login(world.staff)
    response = client.post(
        _enrol_url(world, "staff"),
        {
            "person-email": "noor@example.com",
            "person-first_name": "Noor",
            "person-last_name": "Bakker",
            "person-submit": "",
        },
    )
    assert response.status_code == 302
    assert Enrollment.objects.filter(cohort=world.cohort, user__email="noor@example.com").exists()


def test_a_form_with_an_error_gives_back_everything_entered(client, allowed):
    client.force_login(allowed.org_admin)
    response = client.post(
        _enrol_url(allowed),
        {
            "person-email": "not-an-address",
            "person-first_name": "Noor",
            "person-last_name": "Bakker",
            "person-department": "Verkoop",
            "person-starts_on": allowed.cohort.ends_on.isoformat(),
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    for value in (
        "not-an-address",
        "Noor",
        "Bakker",
        "Verkoop",
        allowed.cohort.ends_on.isoformat(),
    ):
        assert f'value="{value}"' in body
    assert not User.objects.filter(display_name="Noor Bakker").exists()


def test_org_admin_without_permission_gets_403_with_a_sentence(client, world):
    client.force_login(world.org_admin)
    response = client.get(_enrol_url(world))
    assert response.status_code == 403
    assert gettext("Enrolling is done by the training company") in response.content.decode()


def test_org_admin_cannot_enrol_into_another_organisations_cohort(client, allowed):
    client.force_login(allowed.org_admin)
    url = reverse("organisation:enrol", args=[allowed.other_cohort.pk])
    assert client.get(url).status_code == 404
    assert _upload(client, url, HEADER + "a@example.com;A;B;\n").status_code == 404


# --- CSV: preview ---------------------------------------------------------------------


def _preview(client, world, text):
    response = _upload(client, _enrol_url(world), text)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def test_upload_shows_a_preview_with_totals_and_writes_nothing(client, allowed):
    client.force_login(allowed.org_admin)
    before = _counts()
    text = (
        HEADER
        + "new@example.com;Nieuw;Mens;Verkoop\n"
        + "alice@example.com;Alice;Al;\n"
        + "broken;X;Y;\n"
        + "NEW@example.com;Dubbel;Mens;\n"
    )
    body = client.get(_preview(client, allowed, text)).content.decode()
    assert _counts() == before
    assert re.search(r'data-total="new">1<', body)
    assert re.search(r'data-total="enrolled">1<', body)
    assert re.search(r'data-total="invalid">2<', body)
    assert body.count('data-status="invalid"') == 2
    assert "broken" in body


def test_preview_never_reveals_an_account_in_another_organisation(client, allowed):
    client.force_login(allowed.org_admin)
    text = HEADER + "bob@example.com;Same;Name;Afd\nnobody-yet@example.com;Same;Name;Afd\n"
    body = client.get(_preview(client, allowed, text)).content.decode()
    rows = re.findall(r'<tr data-status="[^"]*">.*?</tr>', body, flags=re.S)
    assert len(rows) == 2
    bob, fresh = (
        re.sub(r"<td class=\"num\">\d+</td>", "", row).replace("bob@example.com", "X")
        for row in rows
    )
    assert bob == fresh.replace("nobody-yet@example.com", "X")
    assert 'data-status="new"' in bob


def test_a_bad_file_gets_a_message_and_stores_nothing(client, allowed):
    client.force_login(allowed.org_admin)
    before = _counts()
    response = _upload(
        client,
        _enrol_url(allowed),
        "naam;adres\nAn;Straat 1\n",
        **{"upload-starts_on": allowed.cohort.starts_on.isoformat()},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "naam" in body  # the message names the unknown column
    assert f'value="{allowed.cohort.starts_on.isoformat()}"' in body
    assert not [key for key in list(client.session.keys()) if key.startswith(PREVIEW_PREFIX)]
    assert _counts() == before


def test_previews_kept_in_the_session_are_bounded(client, allowed):
    client.force_login(allowed.org_admin)
    urls = [
        _preview(client, allowed, HEADER + f"p{i}@example.com;P;{i};\n")
        for i in range(MAX_PREVIEWS + 1)
    ]
    kept = [key for key in list(client.session.keys()) if key.startswith(PREVIEW_PREFIX)]
    assert len(kept) == MAX_PREVIEWS
    assert client.get(urls[0]).status_code == 302  # the oldest is gone
    assert client.get(urls[-1]).status_code == 200


def test_a_preview_belongs_to_its_cohort(client, world):
    second = CohortFactory(organisation=world.acme, course=world.course, name="Acme voorjaar")
    client.force_login(world.staff)
    url = _upload(client, _enrol_url(world, "staff"), HEADER + "a@example.com;A;B;\n")["Location"]
    token = url.rstrip("/").rsplit("/", 1)[-1]
    other = reverse("staff:enrol_preview", args=[second.pk, token])
    assert client.post(other).status_code == 302
    assert not Enrollment.objects.filter(user__email="a@example.com").exists()


# --- CSV: confirm ---------------------------------------------------------------------


def test_confirm_enrols_the_valid_rows_and_invites_them(
    client, allowed, django_capture_on_commit_callbacks, mailoutbox, eager
):
    client.force_login(allowed.org_admin)
    url = _preview(
        client,
        allowed,
        HEADER + "an@example.com;An;Jansen;Verkoop\nbo@example.com;Bo;Smit;\nx;;;\n",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    enrolled = Enrollment.objects.filter(
        cohort=allowed.cohort, user__email__in=["an@example.com", "bo@example.com"]
    )
    assert enrolled.count() == 2
    assert Invitation.objects.filter(enrollment__in=enrolled).count() == 2
    assert sorted(message.to[0] for message in mailoutbox) == ["an@example.com", "bo@example.com"]
    assert Membership.objects.get(user__email="an@example.com").department == "Verkoop"
    # The preview is used up: a second confirm imports nothing twice.
    assert client.post(url).status_code == 302
    assert enrolled.count() == 2


def test_confirm_checks_again_who_was_enrolled_meanwhile(client, allowed):
    client.force_login(allowed.org_admin)
    url = _preview(client, allowed, HEADER + "an@example.com;An;Jansen;\nbo@example.com;Bo;Smit;\n")
    enrollment_invite(
        cohort=allowed.cohort,
        email="an@example.com",
        first_name="An",
        last_name="J",
        by=None,
        now=timezone.now(),
    )
    assert client.post(url).status_code == 302
    assert (
        Enrollment.objects.filter(cohort=allowed.cohort, user__email="an@example.com").count() == 1
    )
    assert Enrollment.objects.filter(cohort=allowed.cohort, user__email="bo@example.com").exists()


def test_confirm_is_all_or_nothing(world):
    rows = _rows(HEADER + "".join(f"p{i}@example.com;P;{i};Afd\n" for i in range(5)))
    before = _counts()
    calls = []

    def fail_on_third(**kwargs):
        calls.append(kwargs)
        if len(calls) == 3:
            raise RuntimeError("mail queue broke")

    with (
        mock.patch("cohorts.services.invite_or_notify", side_effect=fail_on_third),
        pytest.raises(RuntimeError, match="mail queue broke"),
    ):
        enrollment_import(cohort=world.cohort, rows=rows, by=None, now=timezone.now())
    assert _counts() == before
    assert not EmailAddress.objects.filter(email="p0@example.com").exists()


def test_a_thousand_rows_import_in_one_go_with_bounded_queries(world):
    rows = _rows(HEADER + "".join(f"p{i}@example.com;P;{i};Afd {i % 7}\n" for i in range(1000)))
    # Some already have an account (in another organisation): they are enrolled too.
    for i in range(0, 1000, 100):
        User.objects.create_user(email=f"p{i}@example.com", display_name=f"Existing {i}")
    with (
        mock.patch("cohorts.services.invite_or_notify") as told,
        CaptureQueriesContext(connection) as queries,
    ):
        result = enrollment_import(cohort=world.cohort, rows=rows, by=None, now=timezone.now())
    assert result.enrolled == 1000
    assert told.call_count == 1000
    assert Enrollment.objects.filter(cohort=world.cohort).count() == 1001  # and alice
    assert Membership.objects.filter(organisation=world.acme, department="Afd 3").count() > 100
    # Batches, not a query per row (SQLite's small batches included).
    assert len(queries) <= 60, len(queries)


def test_a_thousand_rows_with_their_invitations_stay_within_a_few_queries_per_row(world):
    rows = _rows(HEADER + "".join(f"p{i}@example.com;P;{i};\n" for i in range(1000)))
    with CaptureQueriesContext(connection) as queries:
        enrollment_import(cohort=world.cohort, rows=rows, by=None, now=timezone.now())
    assert Invitation.objects.count() == 1000
    # invitation_issue costs five queries per new account (a savepoint, an update,
    # an insert, the token, the release).
    assert len(queries) <= 60 + 5 * 1000, len(queries)


def test_the_plan_looks_only_at_this_cohort(world):
    rows = _rows(HEADER + "bob@example.com;B;B;\nalice@example.com;A;A;\n")
    plan = enrolment_plan(cohort=world.cohort, rows=rows)
    assert [row.status for row in plan.rows] == ["new", "enrolled"]


# --- moving ---------------------------------------------------------------------------


@pytest.fixture
def spring(world):
    return CohortFactory(organisation=world.acme, course=world.course, name="Acme voorjaar")


def _with_work(world):
    enrollment = world.learner.enrollments.select_related("cohort").get()
    reflection_draft(
        enrollment=enrollment,
        assignment=Assignment.objects.get(slug="reflectie-vriendelijk-maar-niet-geholpen"),
    )
    return enrollment


def test_a_learner_moves_with_their_work(world, spring):
    enrollment = _with_work(world)
    enrollment_move(enrollment=enrollment, to_cohort=spring, by=world.staff, now=timezone.now())
    enrollment.refresh_from_db()
    assert enrollment.cohort == spring
    assert Submission.objects.filter(enrollment=enrollment).count() == 1


def test_moving_to_a_cohort_with_another_course_is_refused(world):
    no_course = CohortFactory(organisation=world.acme, name="Zonder cursus")
    enrollment = world.learner.enrollments.select_related("cohort").get()
    with pytest.raises(CohortError, match="same course"):
        enrollment_move(enrollment=enrollment, to_cohort=no_course, by=None, now=timezone.now())


def test_moving_to_another_organisation_or_into_a_second_enrolment_is_refused(world, spring):
    enrollment = world.learner.enrollments.select_related("cohort").get()
    with pytest.raises(CohortError, match="same organisation"):
        enrollment_move(
            enrollment=enrollment, to_cohort=world.other_cohort, by=None, now=timezone.now()
        )
    enrollment_invite(
        cohort=spring,
        email="alice@example.com",
        first_name="A",
        last_name="A",
        by=None,
        now=timezone.now(),
    )
    with pytest.raises(CohortError, match="already enrolled"):
        enrollment_move(enrollment=enrollment, to_cohort=spring, by=None, now=timezone.now())


def test_org_admin_moves_through_the_page(client, allowed, spring):
    enrollment = allowed.learner.enrollments.get()
    client.force_login(allowed.org_admin)
    url = reverse("organisation:enrollment_move", args=[allowed.cohort.pk, enrollment.pk])
    assert spring.name in client.get(url).content.decode()
    assert client.post(url, {"to_cohort": spring.pk}).status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.cohort == spring


def test_org_admin_naming_another_organisations_cohort_in_the_form_gets_404(client, allowed):
    enrollment = allowed.learner.enrollments.get()
    client.force_login(allowed.org_admin)
    url = reverse("organisation:enrollment_move", args=[allowed.cohort.pk, enrollment.pk])
    assert client.post(url, {"to_cohort": allowed.other_cohort.pk}).status_code == 404
    enrollment.refresh_from_db()
    assert enrollment.cohort == allowed.cohort


def test_enrolment_of_another_cohort_in_the_url_is_404(client, allowed, spring):
    enrollment = allowed.learner.enrollments.get()
    client.force_login(allowed.org_admin)
    url = reverse("organisation:enrollment_withdraw", args=[spring.pk, enrollment.pk])
    assert client.post(url).status_code == 404


# --- withdrawing ----------------------------------------------------------------------


def test_withdrawing_keeps_the_work(world):
    enrollment = _with_work(world)
    enrollment_withdraw(enrollment=enrollment, by=world.org_admin, now=timezone.now())
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.WITHDRAWN
    assert Submission.objects.filter(enrollment=enrollment).count() == 1


@pytest.mark.parametrize("area", ["staff", "organisation"])
def test_withdraw_through_the_page(client, allowed, area):
    enrollment = allowed.learner.enrollments.get()
    client.force_login(allowed.staff if area == "staff" else allowed.org_admin)
    url = reverse(f"{area}:enrollment_withdraw", args=[allowed.cohort.pk, enrollment.pk])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.WITHDRAWN


def test_the_preview_page_runs_the_same_queries_for_10_or_1000_lines(client, allowed):
    client.force_login(allowed.org_admin)
    counts = []
    for size in (10, 1000):
        text = HEADER + "".join(f"p{size}x{i}@example.com;P;{i};\n" for i in range(size))
        url = _preview(client, allowed, text)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url + "?pagina=2").status_code == 200
        counts.append(len(queries))
        enrollment_invite(
            cohort=allowed.cohort,
            email=f"more{size}@example.com",
            first_name="M",
            last_name="M",
            by=None,
            now=timezone.now(),
        )
    assert counts == [counts[0], counts[0]]
    assert counts[0] <= 8, counts
