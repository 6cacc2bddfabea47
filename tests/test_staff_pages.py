"""Staff run organisations and cohorts from /beheer/, without the Django admin."""

import datetime
import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from assignments.services import reflection_draft
from cohorts.models import Cohort, Enrollment, ModuleRelease
from cohorts.services import (
    CohortError,
    cohort_archive,
    cohort_set_trainers,
    cohort_unarchive,
    cohort_update,
    enrollment_withdraw,
)
from courses.models import Module
from courses.services import course_import
from organisations.models import Organisation
from organisations.services import OrganisationError, organisation_create, organisation_update
from tests.assignment_helpers import QUIZ, REFLECTION, assignment
from tests.course_files import write_course
from tests.factories import CohortFactory, OrganisationFactory, UserFactory, make_trainer


@pytest.fixture(autouse=True)
def _messages_in_english():
    """Service messages are checked against their English ids (views render Dutch)."""
    with translation.override("en"):
        yield


@pytest.fixture
def staff(client, world):
    client.force_login(world.staff)
    return client


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _cohort_data(world, **changes):
    """A valid cohort form: the Acme cohort's values, with ``changes``."""
    cohort = world.cohort
    data = {
        "name": cohort.name,
        "course": cohort.course_id,
        "starts_on": cohort.starts_on.isoformat(),
        "ends_on": cohort.ends_on.isoformat(),
        "time_zone": cohort.time_zone,
        "trainers": [world.trainer.pk],
        "trainer_email": "",
    }
    return data | changes


def _ended(world, days_ago=1):
    """The Acme cohort, moved so that it ended ``days_ago`` days ago."""
    today = timezone.localdate()
    Cohort.objects.filter(pk=world.cohort.pk).update(
        starts_on=today - datetime.timedelta(days=90),
        ends_on=today - datetime.timedelta(days=days_ago),
    )
    world.cohort.refresh_from_db()
    return world.cohort


# --- Organisations -------------------------------------------------------------


def test_staff_create_an_organisation_with_a_slug_made_from_its_name(staff, world):
    response = staff.post(
        reverse("staff:organisation_add"),
        {"name": "  Café Zonnig  ", "admins_may_enrol": "on", "retention_months": "24"},
    )
    organisation = Organisation.objects.get(name="Café Zonnig")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:organisation", args=[organisation.pk])
    assert organisation.slug == "cafe-zonnig"
    assert organisation.admins_may_enrol is True
    assert organisation.retention_months == 24


def test_a_second_organisation_whose_name_makes_the_same_slug_gets_its_own(db):
    first = organisation_create(name="Acme B.V.")
    second = organisation_create(name="Acme BV")
    assert (first.slug, second.slug) == ("acme-bv", "acme-bv-2")


def test_a_name_without_letters_still_gets_a_slug(db):
    assert organisation_create(name="???").slug == "organisatie"


def test_an_organisation_name_is_unique_whatever_the_case(db, world):
    with pytest.raises(OrganisationError, match="already has this name"):
        organisation_create(name="ACME")
    with pytest.raises(OrganisationError, match="already has this name"):
        organisation_update(
            organisation=world.bolt, name="acme", admins_may_enrol=False, retention_months=12
        )


@pytest.mark.parametrize("months", [0, 121])
def test_retention_outside_one_to_120_months_is_refused_by_the_service(db, months):
    with pytest.raises(OrganisationError, match="1 to 120 months"):
        organisation_create(name="Kort", retention_months=months)


def test_a_refused_organisation_form_keeps_everything_entered(staff, world):
    response = staff.post(
        reverse("staff:organisation_add"),
        {"name": "Nieuwe klant", "admins_may_enrol": "on", "retention_months": "500"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "retention_months" in form.errors
    body = response.content.decode()
    assert 'value="Nieuwe klant"' in body
    assert 'value="500"' in body
    checkbox = re.search(r'<input type="checkbox" name="admins_may_enrol"[^>]*>', body)
    assert checkbox is not None
    assert "checked" in checkbox.group()
    assert not Organisation.objects.filter(name="Nieuwe klant").exists()


def test_a_duplicate_organisation_name_comes_back_with_the_reason(staff, world):
    response = staff.post(
        reverse("staff:organisation_add"), {"name": "Bolt", "retention_months": "12"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        gettext("Another organisation already has this name.")
    ]
    assert Organisation.objects.filter(name__iexact="bolt").count() == 1


def test_staff_edit_an_organisation_and_its_slug_stays(staff, world):
    slug = world.acme.slug
    url = reverse("staff:organisation_edit", args=[world.acme.pk])
    page = staff.get(url).content.decode()
    assert 'value="Acme"' in page
    response = staff.post(url, {"name": "Acme Groep", "retention_months": "6"})
    assert response.status_code == 302
    world.acme.refresh_from_db()
    assert (world.acme.name, world.acme.slug) == ("Acme Groep", slug)
    assert world.acme.admins_may_enrol is False
    assert world.acme.retention_months == 6


def test_the_organisation_page_links_staff_to_editing_and_a_new_cohort(staff, world):
    body = staff.get(reverse("staff:organisation", args=[world.acme.pk])).content.decode()
    assert reverse("staff:organisation_edit", args=[world.acme.pk]) in body
    assert reverse("staff:cohort_add", args=[world.acme.pk]) in body


def test_the_org_admins_own_page_has_no_staff_links(client, world):
    client.force_login(world.org_admin)
    body = client.get(reverse("organisation:detail", args=[world.acme.pk])).content.decode()
    assert "/beheer/" not in body


# --- Creating a cohort ------------------------------------------------------------


def test_staff_create_a_cohort_with_trainers_chosen_and_added_by_email(staff, world):
    outsider = UserFactory(email="nieuwe.trainer@example.com")
    start = timezone.localdate() + datetime.timedelta(days=14)
    response = staff.post(
        reverse("staff:cohort_add", args=[world.acme.pk]),
        _cohort_data(
            world,
            name="Acme voorjaar",
            starts_on=start.isoformat(),
            ends_on=(start + datetime.timedelta(days=60)).isoformat(),
            time_zone="Europe/Brussels",
            trainers=[world.trainer.pk, world.staff.pk],
            trainer_email="Nieuwe.Trainer@example.com",
        ),
    )
    cohort = Cohort.objects.get(organisation=world.acme, name="Acme voorjaar")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:cohort", args=[cohort.pk])
    assert (cohort.course, cohort.starts_on, cohort.time_zone) == (
        world.course,
        start,
        "Europe/Brussels",
    )
    assert set(cohort.trainers.all()) == {world.trainer, world.staff, outsider}


def test_trainer_choices_are_staff_and_current_trainers_only(staff, world):
    response = staff.get(reverse("staff:cohort_add", args=[world.acme.pk]))
    choices = set(response.context["form"].fields["trainers"].queryset)
    assert choices == {world.trainer, world.trainer_other, world.staff}


def test_an_unknown_trainer_address_is_refused_and_the_form_keeps_its_values(staff, world):
    response = staff.post(
        reverse("staff:cohort_add", args=[world.acme.pk]),
        _cohort_data(world, name="Acme winter", trainer_email="niemand@example.com"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "trainer_email": [gettext("There is no active account with this email address.")]
    }
    body = response.content.decode()
    assert 'value="Acme winter"' in body
    assert 'value="niemand@example.com"' in body
    assert f'value="{world.cohort.starts_on.isoformat()}"' in body
    assert not Cohort.objects.filter(name="Acme winter").exists()


def test_a_cohort_ending_before_it_starts_is_refused(staff, world):
    start = timezone.localdate()
    response = staff.post(
        reverse("staff:cohort_add", args=[world.acme.pk]),
        _cohort_data(
            world,
            name="Achterstevoren",
            starts_on=start.isoformat(),
            ends_on=(start - datetime.timedelta(days=1)).isoformat(),
        ),
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["ends_on"]
    assert not Cohort.objects.filter(name="Achterstevoren").exists()


def test_a_date_more_than_five_years_away_is_refused(staff, world):
    far = timezone.localdate() + datetime.timedelta(days=6 * 365)
    response = staff.post(
        reverse("staff:cohort_add", args=[world.acme.pk]),
        _cohort_data(world, name="Ver weg", ends_on=far.isoformat()),
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "ends_on": [gettext("Choose a date within five years of today.")]
    }


def test_a_cohort_name_is_unique_within_its_organisation_only(staff, world):
    refused = staff.post(
        reverse("staff:cohort_add", args=[world.acme.pk]),
        _cohort_data(world, name="acme NAJAAR"),
    )
    assert list(refused.context["form"].errors) == ["name"]
    allowed = staff.post(
        reverse("staff:cohort_add", args=[world.bolt.pk]),
        _cohort_data(world, name="Acme najaar", trainers=[]),
    )
    assert allowed.status_code == 302
    assert Cohort.objects.filter(name="Acme najaar").count() == 2


# --- Editing a cohort ---------------------------------------------------------------


def test_the_staff_cohort_page_shows_the_settings_form_beside_the_schedule(staff, world):
    response = staff.get(reverse("staff:cohort", args=[world.cohort.pk]))
    assert response.context["details_form"]["name"].value() == world.cohort.name
    assert response.context["schedule_form"].fields
    body = response.content.decode()
    assert reverse("staff:cohort_edit", args=[world.cohort.pk]) in body


def test_staff_change_a_cohorts_settings_and_trainers(staff, world):
    new_start = world.cohort.starts_on + datetime.timedelta(days=3)
    response = staff.post(
        reverse("staff:cohort_edit", args=[world.cohort.pk]),
        _cohort_data(
            world,
            name="Acme najaar (groep 2)",
            starts_on=new_start.isoformat(),
            time_zone="Europe/London",
            trainers=[world.trainer_other.pk],
        ),
    )
    assert response.status_code == 302
    world.cohort.refresh_from_db()
    assert world.cohort.name == "Acme najaar (groep 2)"
    assert world.cohort.starts_on == new_start
    assert world.cohort.time_zone == "Europe/London"
    assert list(world.cohort.trainers.all()) == [world.trainer_other]
    # Alice started with the cohort, so she moves along with it.
    assert world.learner.enrollments.get().starts_on == new_start


def test_a_refused_cohort_edit_keeps_what_was_entered_and_changes_nothing(staff, world):
    name = world.cohort.name
    response = staff.post(
        reverse("staff:cohort_edit", args=[world.cohort.pk]),
        _cohort_data(world, name="Nieuwe naam", ends_on="2001-01-01"),
    )
    assert response.status_code == 200
    assert "ends_on" in response.context["details_form"].errors
    body = response.content.decode()
    assert 'value="Nieuwe naam"' in body
    assert 'value="2001-01-01"' in body
    world.cohort.refresh_from_db()
    assert world.cohort.name == name
    # The page's title and facts show the cohort as stored, not the rejected input.
    assert response.context["cohort"].name == name


def test_an_empty_trainer_selection_removes_every_trainer(db, world):
    cohort_set_trainers(cohort=world.cohort, trainers=[])
    assert not world.cohort.trainers.exists()


def test_an_inactive_account_cannot_become_trainer(db, world):
    world.nobody.is_active = False
    world.nobody.save(update_fields=["is_active"])
    with pytest.raises(CohortError, match="no active account"):
        cohort_set_trainers(cohort=world.cohort, trainers=[world.nobody])


@pytest.fixture
def other_course(tmp_path, db):
    return course_import(
        folder=write_course(tmp_path, slug="tweede-cursus", title="Tweede cursus")
    ).course


def test_the_course_can_change_while_nobody_has_started_work(staff, world, other_course):
    first_module = Module.objects.filter(course=world.course).first()
    ModuleRelease.objects.create(
        cohort=world.cohort, module=first_module, opens_on=world.cohort.starts_on
    )
    response = staff.post(
        reverse("staff:cohort_edit", args=[world.cohort.pk]),
        _cohort_data(world, course=other_course.pk),
    )
    assert response.status_code == 302
    world.cohort.refresh_from_db()
    assert world.cohort.course == other_course
    # The old course's opening dates went with it.
    assert not ModuleRelease.objects.filter(cohort=world.cohort).exists()


def test_the_course_cannot_change_once_a_learner_has_work(staff, world, other_course):
    reflection_draft(enrollment=world.learner.enrollments.get(), assignment=assignment(REFLECTION))
    response = staff.post(
        reverse("staff:cohort_edit", args=[world.cohort.pk]),
        _cohort_data(world, course=other_course.pk, name="Andere naam"),
    )
    assert response.status_code == 200
    message = gettext(
        "Learners in this cohort have already started work in its course, "
        "so the course can no longer be changed."
    )
    assert response.context["details_form"].non_field_errors() == [message]
    world.cohort.refresh_from_db()
    assert (world.cohort.course, world.cohort.name) == (world.course, "Acme najaar")


def test_other_settings_still_change_when_the_course_stays(db, world):
    reflection_draft(enrollment=world.learner.enrollments.get(), assignment=assignment(REFLECTION))
    cohort_update(
        cohort=world.cohort,
        name="Acme najaar",
        starts_on=world.cohort.starts_on,
        ends_on=world.cohort.ends_on + datetime.timedelta(days=7),
        time_zone=world.cohort.time_zone,
        course=world.course,
    )
    world.cohort.refresh_from_db()
    assert world.cohort.course == world.course


def test_a_late_joiner_keeps_a_later_start_but_never_starts_before_the_cohort(db, world):
    late = Enrollment.objects.get(user=world.learner)
    late.starts_on = world.cohort.starts_on + datetime.timedelta(days=5)
    late.save(update_fields=["starts_on"])
    later_start = world.cohort.starts_on + datetime.timedelta(days=10)
    cohort_update(
        cohort=world.cohort,
        name=world.cohort.name,
        starts_on=later_start,
        ends_on=world.cohort.ends_on,
        time_zone=world.cohort.time_zone,
        course=world.course,
    )
    late.refresh_from_db()
    assert late.starts_on == later_start


# --- Archive --------------------------------------------------------------------------


def test_a_running_cohort_cannot_be_archived(staff, world):
    response = staff.post(reverse("staff:cohort_archive", args=[world.cohort.pk]))
    assert response.status_code == 302
    world.cohort.refresh_from_db()
    assert world.cohort.archived_at is None
    expected = gettext("A cohort can only be archived after it has ended (after %(date)s).") % {
        "date": date_format(world.cohort.ends_on, "DATE_FORMAT")
    }
    assert _messages(response) == [expected]


def test_a_cohort_ending_today_is_not_yet_finished(db, world):
    cohort = _ended(world, days_ago=0)
    with pytest.raises(CohortError, match="after it has ended"):
        cohort_archive(cohort=cohort, now=timezone.now())


def test_staff_archive_a_finished_cohort_and_restore_it(staff, world):
    cohort = _ended(world)
    page = staff.get(reverse("staff:cohort", args=[cohort.pk])).content.decode()
    assert reverse("staff:cohort_archive", args=[cohort.pk]) in page
    staff.post(reverse("staff:cohort_archive", args=[cohort.pk]))
    cohort.refresh_from_db()
    assert cohort.archived_at is not None
    page = staff.get(reverse("staff:cohort", args=[cohort.pk]))
    assert page.status_code == 200
    assert page.context["details_form"] is None
    assert reverse("staff:cohort_unarchive", args=[cohort.pk]) in page.content.decode()
    staff.post(reverse("staff:cohort_unarchive", args=[cohort.pk]))
    cohort.refresh_from_db()
    assert cohort.archived_at is None


def test_archiving_twice_keeps_the_first_date(db, world):
    cohort = _ended(world)
    first = timezone.now()
    cohort_archive(cohort=cohort, now=first)
    with pytest.raises(CohortError, match="already archived"):
        cohort_archive(cohort=cohort, now=first + datetime.timedelta(hours=1))
    cohort.refresh_from_db()
    assert cohort.archived_at == first


def test_a_cohort_that_is_not_archived_cannot_be_restored(db, world):
    with pytest.raises(CohortError, match="not archived"):
        cohort_unarchive(cohort=world.cohort)


def test_an_archived_cohort_cannot_be_changed_until_restored(db, world):
    cohort = cohort_archive(cohort=_ended(world), now=timezone.now())
    with pytest.raises(CohortError, match="archived"):
        cohort_update(
            cohort=cohort,
            name="Nieuw",
            starts_on=cohort.starts_on,
            ends_on=cohort.ends_on,
            time_zone=cohort.time_zone,
            course=cohort.course,
        )


def test_archived_cohorts_are_hidden_from_the_overview_until_asked_for(staff, world):
    cohort_archive(cohort=_ended(world), now=timezone.now())
    url = reverse("staff:cohort", args=[world.cohort.pk])
    default = staff.get(reverse("staff:home"))
    assert list(default.context["cohorts"]) == [world.other_cohort]
    assert url not in default.content.decode()
    shown = staff.get(reverse("staff:home"), {"archief": "1"})
    assert set(shown.context["cohorts"]) == {world.cohort, world.other_cohort}
    assert url in shown.content.decode()


@pytest.mark.parametrize("show_archived", [False, True])
def test_the_overview_runs_the_same_queries_for_few_and_many(staff, world, show_archived):
    params = {"archief": "1"} if show_archived else {}
    url = reverse("staff:home")
    staff.get(url, params)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert staff.get(url, params).status_code == 200
        return len(queries)

    small = count()
    now = timezone.now()
    for i in range(6):
        organisation = OrganisationFactory(name=f"Klant {i}")
        cohort = CohortFactory(
            organisation=organisation,
            starts_on=timezone.localdate() - datetime.timedelta(days=90),
            ends_on=timezone.localdate() - datetime.timedelta(days=30),
        )
        make_trainer(cohort)
        if i % 2:
            cohort_archive(cohort=cohort, now=now)
    assert count() == small == 5


def test_the_staff_roster_pages_a_large_cohort(client, world):
    from tests.factories import make_learner

    for number in range(55):
        make_learner(world.cohort, display_name=f"Extra {number:02d}")
    client.force_login(world.staff)
    url = reverse("staff:cohort", args=[world.cohort.pk])
    first = client.get(url).content.decode()
    second = client.get(url + "?pagina=2").content.decode()
    rows = lambda body: body.count("/verplaatsen/")  # noqa: E731 (one move link per learner)
    assert (rows(first), rows(second)) == (50, 6)
    assert 'rel="next"' in first
    assert 'rel="prev"' in second


# --- Extensions: a row's action, not a list of every learner -----------------------


def test_the_staff_cohort_page_has_no_drop_down_of_learners(staff, world):
    from tests.test_cohort_overview import bulk_learners

    url = reverse("staff:cohort", args=[world.cohort.pk])
    options = staff.get(url).content.decode().count("<option")
    enrollments = bulk_learners(world.cohort, 30, prefix="Zed")
    body = staff.get(url).content.decode()
    # The page's choices (course, trainers, time zone, language) do not grow with learners.
    assert body.count("<option") == options
    assert 'name="enrollment"' not in body
    # Each active learner's row leads to that learner's own extension page instead.
    for enrollment in enrollments:
        extension_url = reverse("staff:enrollment_extension", args=[world.cohort.pk, enrollment.pk])
        assert f'href="{extension_url}"' in body
    assert body.count("/uitstel/") == 31


def test_staff_grant_an_extension_from_a_learners_row(staff, world):
    enrollment = Enrollment.objects.get(user=world.learner)
    url = reverse("staff:enrollment_extension", args=[world.cohort.pk, enrollment.pk])
    page = staff.get(url).content.decode()
    assert "Alice" in page
    assert 'name="assignment"' in page
    due = timezone.localdate() + datetime.timedelta(days=10)
    quiz = assignment(QUIZ)
    response = staff.post(
        url, {"enrollment": enrollment.pk, "assignment": quiz.pk, "due_on": due.isoformat()}
    )
    assert _messages(response) == ["Het uitstel is gegeven."]
    cohort_page = staff.get(response["Location"]).content.decode()
    assert quiz.title in cohort_page.split('id="extension-heading"')[1]
    assert quiz.title in staff.get(url).content.decode()


def test_a_learner_who_left_has_no_extension_action(staff, world):
    enrollment = Enrollment.objects.get(user=world.learner)
    enrollment_withdraw(enrollment=enrollment, by=world.staff, now=timezone.now())
    url = reverse("staff:enrollment_extension", args=[world.cohort.pk, enrollment.pk])
    assert (
        f'href="{url}"'
        not in staff.get(reverse("staff:cohort", args=[world.cohort.pk])).content.decode()
    )
    page = staff.get(url).content.decode()
    assert 'name="assignment"' not in page
    due = timezone.localdate() + datetime.timedelta(days=10)
    response = staff.post(
        url,
        {"enrollment": enrollment.pk, "assignment": assignment(QUIZ).pk, "due_on": due.isoformat()},
    )
    assert response.status_code == 200
    assert not enrollment.extensions.exists()


def test_a_learners_extension_page_is_404_under_another_cohort(staff, world):
    enrollment = Enrollment.objects.get(user=world.learner)
    url = reverse("staff:enrollment_extension", args=[world.other_cohort.pk, enrollment.pk])
    assert staff.get(url).status_code == 404
