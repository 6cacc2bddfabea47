"""Reminder mail on the screens and in the inbox.

Staff's log of every reminder email (filters, pages), undelivered mail shown to staff
and to the organisation's own admins, staff's reminder rules per cohort, the trainer's
list of reminders per learner and the personal reminder (nudge), and the emails
themselves: in the recipient's language, text and HTML, a link to the work, one-click
unsubscribe headers and a footer per category, and never any work or feedback text.

Moments are fixed at 12:00 in Amsterdam today (the ``world``'s cohorts started a week
ago), so every recipient is in their daytime and every cohort is running.
"""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext, ngettext

from accounts.models import User
from assignments.services import reflection_draft, reflection_submit, submission_grade
from cohorts.models import Enrollment
from courses.models import Module
from dashboards.forms import ReminderRulesForm
from notifications import services
from notifications.mail import read_unsubscribe_token
from notifications.models import (
    RULE_CATEGORY,
    CohortReminderRules,
    MailOptOut,
    Message,
    ReminderItem,
    Rule,
)
from notifications.selectors import (
    MessageLogFilters,
    failed_messages_shown,
    message_log,
    reminders_for_enrollment,
)
from tests.assignment_helpers import QUIZ, REFLECTION, assignment, words
from tests.factories import make_learner

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
SITE = settings.SITE_URL
SECRET_REFLECTION = "Zwanenmeer-vertrouwelijk"
SECRET_COMMENT = "Kroonjuweel-commentaar"
SUBJECT_PREFIX = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX


@pytest.fixture
def noon():
    """Today at 12:00 in Amsterdam: daytime for everyone, every cohort running."""
    return datetime.datetime.combine(timezone.localdate(), datetime.time(12), tzinfo=AMS)


def _in(language: str, msgid: str, **values) -> str:
    with translation.override(language):
        text = gettext(msgid)
    return text % values if values else text


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _message(recipient, kind, *, at, organisation=None, local_date=None, **fields) -> Message:
    return Message.objects.create(
        recipient=recipient,
        organisation=organisation,
        kind=kind,
        local_date=local_date or at.date(),
        send_after=at - datetime.timedelta(minutes=1),
        created_at=at - datetime.timedelta(minutes=1),
        **fields,
    )


def _item(message, rule, target, occurrence="1", **fields) -> ReminderItem:
    return ReminderItem.objects.create(
        recipient=message.recipient,
        message=message,
        rule=rule,
        target=target,
        occurrence=occurrence,
        created_at=message.created_at,
        **fields,
    )


def _row_ids(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-message="(\d+)"', response.content.decode())}


# --- staff's log -----------------------------------------------------------------------


@pytest.fixture
def log(world, noon):
    """Four emails: alice's failed daily reminder (Acme), her sent nudge (Acme), tara's
    sent digest (no organisation), bob's pending daily reminder (Bolt)."""
    alice = world.learner.enrollments.get()
    bob = world.learner_other.enrollments.get()
    failed = _message(
        world.learner,
        Message.Kind.DAILY,
        at=noon,
        organisation=world.acme,
        status=Message.Status.FAILED,
        attempts=1,
        last_error="SMTPRecipientsRefused: 550 mailbox unavailable",
    )
    _item(failed, Rule.OVERDUE, "a", enrollment=alice, assignment=assignment(QUIZ))
    _item(failed, Rule.DUE_SOON, "b", enrollment=alice, assignment=assignment(REFLECTION))
    nudge = _message(
        world.learner,
        Message.Kind.EVENT,
        at=noon - datetime.timedelta(hours=1),
        organisation=world.acme,
        status=Message.Status.SENT,
        attempts=1,
        sent_at=noon - datetime.timedelta(minutes=59),
    )
    _item(nudge, Rule.NUDGE, "n", enrollment=alice, sender=world.trainer)
    digest = _message(
        world.trainer,
        Message.Kind.DIGEST,
        at=noon - datetime.timedelta(hours=2),
        status=Message.Status.SENT,
        attempts=2,
        sent_at=noon - datetime.timedelta(hours=2),
    )
    _item(digest, Rule.TRAINER_DIGEST, "queue")
    pending = _message(
        world.learner_other,
        Message.Kind.DAILY,
        at=noon - datetime.timedelta(hours=3),
        organisation=world.bolt,
    )
    _item(pending, Rule.INACTIVE, "q", enrollment=bob)
    return {"failed": failed, "nudge": nudge, "digest": digest, "pending": pending}


def test_staff_log_lists_every_email_newest_first_with_its_details(client, world, log):
    client.force_login(world.staff)
    response = client.get(reverse("staff:reminders"))
    assert response.status_code == 200
    body = response.content.decode()
    order = [int(pk) for pk in re.findall(r'data-message="(\d+)"', body)]
    assert order == [log[name].pk for name in ("failed", "nudge", "digest", "pending")]
    row = body[body.index(f'data-message="{log["failed"].pk}"') :]
    row = row[: row.index("</tr>")]
    assert "alice@example.com" in row
    assert "550 mailbox unavailable" in row
    assert 'class="badge badge-failed"' in row
    # Both rules of the daily mail, each once.
    with translation.override("nl"):
        assert f"{Rule.DUE_SOON.label}, {Rule.OVERDUE.label}" in row
    digest_row = body[body.index(f'data-message="{log["digest"].pk}"') :]
    assert '<td class="num">2</td>' in digest_row[: digest_row.index("</tr>")]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "failed"}, {"failed"}),
        ({"status": "sent"}, {"nudge", "digest"}),
        ({"kind": "daily"}, {"failed", "pending"}),
        ({"kind": "digest"}, {"digest"}),
        ({"rule": "overdue"}, {"failed"}),
        ({"rule": "nudge"}, {"nudge"}),
        ({"rule": "inactive", "kind": "daily"}, {"pending"}),
        ({"organisation": "bolt"}, {"pending"}),
        ({"organisation": "acme"}, {"failed", "nudge"}),
        ({"email": "ALICE"}, {"failed", "nudge"}),
        ({"email": "tara@"}, {"digest"}),
        ({"email": "tara@", "status": "failed"}, set()),
        # Values that are not a choice count as no filter.
        ({"status": "exploded", "kind": "x", "rule": "y", "organisation": "z"}, None),
    ],
)
def test_staff_log_filters(client, world, log, query, expected):
    if "organisation" in query and query["organisation"] in {"acme", "bolt"}:
        query = {**query, "organisation": getattr(world, query["organisation"]).pk}
    client.force_login(world.staff)
    response = client.get(reverse("staff:reminders"), query)
    assert response.status_code == 200
    wanted = set(log) if expected is None else expected
    assert _row_ids(response) == {log[name].pk for name in wanted}


def test_staff_log_filter_form_keeps_the_choices(client, world, log):
    client.force_login(world.staff)
    body = client.get(
        reverse("staff:reminders"),
        {"status": "failed", "rule": "overdue", "organisation": world.acme.pk, "email": "ali"},
    ).content.decode()
    assert '<option value="failed" selected>' in body
    assert '<option value="overdue" selected>' in body
    assert f'<option value="{world.acme.pk}" selected>' in body
    assert 'name="email" value="ali"' in body


def test_staff_log_pages_keep_the_filters(client, world, noon):
    for i in range(55):
        message = _message(
            world.learner,
            Message.Kind.EVENT,
            at=noon - datetime.timedelta(minutes=i),
            organisation=world.acme,
            status=Message.Status.FAILED,
        )
        _item(
            message, Rule.NUDGE, "n", occurrence=str(i), enrollment=world.learner.enrollments.get()
        )
    newest_first = list(Message.objects.order_by("-created_at", "-pk").values_list("pk", flat=True))
    client.force_login(world.staff)
    url = reverse("staff:reminders")
    first = client.get(url, {"status": "failed"})
    assert [int(pk) for pk in re.findall(r'data-message="(\d+)"', first.content.decode())] == (
        newest_first[:50]
    )
    assert 'href="?status=failed&amp;pagina=2"' in first.content.decode()
    second = client.get(url, {"status": "failed", "pagina": 2})
    assert _row_ids(second) == set(newest_first[50:])
    assert client.get(url, {"status": "sent"}).content.decode().count("data-message=") == 0


def test_staff_home_links_to_the_log_and_cohort_page_to_its_rules(client, world):
    client.force_login(world.staff)
    home = client.get(reverse("staff:home")).content.decode()
    assert f'href="{reverse("staff:reminders")}"' in home
    cohort_page = client.get(reverse("staff:cohort", args=[world.cohort.pk])).content.decode()
    assert f'href="{reverse("staff:cohort_reminders", args=[world.cohort.pk])}"' in cohort_page


def test_message_log_selector_joins_recipient_organisation_and_rules(
    world, log, django_assert_num_queries
):
    with django_assert_num_queries(2):
        messages = list(message_log(MessageLogFilters()))
        assert {m.recipient.email for m in messages} >= {"alice@example.com", "tara@example.com"}
        assert {m.organisation.name for m in messages if m.organisation} == {"Acme", "Bolt"}
        assert sorted(item.rule for item in messages[0].items.all()) == ["due_soon", "overdue"]


# --- undelivered mail: staff and the organisation's own admins --------------------------


def test_failed_reminder_shows_to_staff_and_the_organisations_admin_only(client, world, log):
    reason = "550 mailbox unavailable"
    client.force_login(world.staff)
    assert (
        reason in client.get(reverse("staff:organisation", args=[world.acme.pk])).content.decode()
    )
    assert reason in client.get(reverse("staff:reminders")).content.decode()
    client.force_login(world.org_admin)
    page = client.get(reverse("organisation:detail", args=[world.acme.pk])).content.decode()
    assert 'id="failed-reminders-heading"' in page
    assert reason in page
    assert "alice@example.com" in page
    # Bolt's admin sees nothing of Acme's mail: not on Bolt's page, and Acme's is a 404.
    client.force_login(world.org_admin_other)
    bolt = client.get(reverse("organisation:detail", args=[world.bolt.pk])).content.decode()
    assert 'id="failed-reminders-heading"' not in bolt
    assert reason not in bolt
    assert client.get(reverse("organisation:detail", args=[world.acme.pk])).status_code == 404


def test_only_failed_mail_of_the_organisation_is_listed(world, log):
    rows, more = failed_messages_shown(world.acme)
    assert [m.pk for m in rows] == [log["failed"].pk]
    assert more == 0
    assert failed_messages_shown(world.bolt) == ([], 0)


def test_failed_reminders_show_the_newest_twenty_and_count_the_rest(client, world, noon):
    for i in range(23):
        _message(
            world.learner,
            Message.Kind.EVENT,
            at=noon - datetime.timedelta(hours=i),
            organisation=world.acme,
            status=Message.Status.FAILED,
            last_error=f"550 failure number {i:02d}",
        )
    client.force_login(world.org_admin)
    page = client.get(reverse("organisation:detail", args=[world.acme.pk])).content.decode()
    shown = re.findall(r"550 failure number (\d\d)", page)
    assert shown == [f"{i:02d}" for i in range(20)]
    more = re.search(r'id="failed-reminders-more">([^<]*)<', page).group(1)
    with translation.override("nl"):
        expected = ngettext(
            "And %(counter)s older undelivered email.",
            "And %(counter)s older undelivered emails.",
            3,
        ) % {"counter": 3}
    assert more == expected


# --- staff's reminder rules per cohort ---------------------------------------------------


def _rules_data(**changes) -> dict:
    data = {
        "due_soon": "on",
        "due_soon_first_days": "5",
        "due_soon_second_days": "2",
        "overdue": "on",
        "overdue_days": "3",
        "inactive_days": "10",
        "module_released": "on",
        "trainer_digest": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_rules_form_covers_every_setting():
    editable = {
        field.name
        for field in CohortReminderRules._meta.concrete_fields
        if field.editable and not field.primary_key
    } - {"cohort", "updated_at"}
    form = ReminderRulesForm()
    assert set(form.fields) == editable
    assert {field.name for group in form.groups() for field in group["fields"]} == editable


def test_rules_page_shows_the_defaults_for_a_cohort_never_changed(client, world):
    client.force_login(world.staff)
    body = client.get(reverse("staff:cohort_reminders", args=[world.cohort.pk])).content.decode()
    assert 'id="rules-default"' in body
    assert 'name="due_soon_first_days" value="3"' in body
    assert 'name="inactive_days" value="7"' in body
    assert not CohortReminderRules.objects.exists()


def test_rules_form_saves(client, world):
    client.force_login(world.staff)
    url = reverse("staff:cohort_reminders", args=[world.cohort.pk])
    response = client.post(url, _rules_data())
    assert response.status_code == 302
    assert response["Location"] == url
    assert _messages(response) == [_in("nl", "The reminder settings have been saved.")]
    rules = CohortReminderRules.objects.get(cohort=world.cohort)
    assert (rules.due_soon_first_days, rules.due_soon_second_days, rules.overdue_days) == (5, 2, 3)
    assert rules.inactive_days == 10
    assert rules.inactive is False  # unticked
    assert rules.feedback_ready is False
    assert rules.trainer_digest is True
    # Saving again changes the same row.
    client.post(url, _rules_data(due_soon_second_days="0"))
    assert CohortReminderRules.objects.get(cohort=world.cohort).due_soon_second_days == 0
    assert CohortReminderRules.objects.count() == 1
    assert not CohortReminderRules.objects.filter(cohort=world.other_cohort).exists()


def test_rules_form_refuses_a_second_reminder_before_the_first_and_keeps_the_input(client, world):
    client.force_login(world.staff)
    url = reverse("staff:cohort_reminders", args=[world.cohort.pk])
    response = client.post(
        url, _rules_data(due_soon_first_days="2", due_soon_second_days="4", inactive_days="12")
    )
    assert response.status_code == 200
    body = response.content.decode()
    with translation.override("nl"):
        problem = gettext(
            "The second reminder must come closer to the deadline than the first: "
            "choose fewer days than %(first)d, or 0 for no second reminder."
        ) % {"first": 2}
    assert problem in body
    assert 'name="due_soon_first_days" value="2"' in body
    assert 'name="due_soon_second_days" value="4"' in body
    assert 'name="inactive_days" value="12"' in body
    assert re.search(r'name="inactive"[^>]*id="id_inactive"', body)
    assert not re.search(r'name="inactive"[^>]*checked', body)
    assert _messages(response) == [_in("nl", "Please correct the fields below; nothing was saved.")]
    assert not CohortReminderRules.objects.exists()


def test_rules_form_refuses_numbers_out_of_bounds(client, world):
    client.force_login(world.staff)
    CohortReminderRules.objects.create(cohort=world.cohort, inactive_days=9)
    url = reverse("staff:cohort_reminders", args=[world.cohort.pk])
    response = client.post(url, _rules_data(inactive_days="99", overdue_days="abc"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="inactive_days" value="99"' in body
    assert 'name="overdue_days" value="abc"' in body
    assert body.count('class="field field-invalid"') == 2
    assert CohortReminderRules.objects.get(cohort=world.cohort).inactive_days == 9


def test_rules_service_validates_and_changes_only_what_is_given(world):
    rules = services.reminder_rules_update(cohort=world.cohort, data={"inactive_days": 14})
    assert (rules.inactive_days, rules.due_soon_first_days, rules.due_soon_second_days) == (
        14,
        3,
        1,
    )
    bounds = "must be a whole number from"
    closer = "must come closer to the deadline"
    refused = [
        ({"due_soon_first_days": 0}, bounds),
        ({"due_soon_first_days": 15}, bounds),
        ({"inactive_days": 2}, bounds),
        ({"overdue_days": "3"}, bounds),
        ({"overdue_days": True}, bounds),
        ({"due_soon": 1}, "must be on or off"),
        ({"due_soon_first_days": 3, "due_soon_second_days": 3}, closer),
        # The stored second reminder (1 day before) would not come closer.
        ({"due_soon_first_days": 1}, closer),
        ({"cohort": world.other_cohort}, "Unknown reminder settings: cohort"),
    ]
    for data, problem in refused:
        with translation.override("en"), pytest.raises(services.NotificationError, match=problem):
            services.reminder_rules_update(cohort=world.cohort, data=data)
    stored = CohortReminderRules.objects.get(cohort=world.cohort)
    assert (stored.inactive_days, stored.due_soon_first_days, stored.due_soon_second_days) == (
        14,
        3,
        1,
    )
    rules = services.reminder_rules_update(
        cohort=world.cohort, data={"due_soon_first_days": 1, "due_soon_second_days": 0}
    )
    assert (rules.due_soon_first_days, rules.due_soon_second_days) == (1, 0)


# --- the trainer: reminders per learner, and a personal reminder ------------------------


def _nudge_url(cohort, enrollment):
    return reverse("trainer:nudge", args=[cohort.pk, enrollment.pk])


def _learner_url(cohort, enrollment):
    return reverse("trainer:learner", args=[cohort.pk, enrollment.pk])


def test_trainer_sends_a_personal_reminder(client, world, noon):
    enrollment = world.learner.enrollments.get()
    client.force_login(world.trainer)
    with time_machine.travel(noon, tick=False):
        response = client.post(_nudge_url(world.cohort, enrollment))
    assert response.status_code == 302
    assert response["Location"] == _learner_url(world.cohort, enrollment)
    assert _messages(response) == [
        _in("nl", "Your reminder to %(name)s is on its way.", name="Alice")
    ]
    message = Message.objects.get()
    assert message.kind == Message.Kind.EVENT
    assert message.recipient == world.learner
    assert message.organisation == world.acme
    (item,) = message.items.all()
    assert (item.rule, item.enrollment, item.sender) == (Rule.NUDGE, enrollment, world.trainer)
    assert services.message_send(message_id=message.pk, now=noon) == Message.Status.SENT
    (sent,) = mail.outbox
    assert sent.to == ["alice@example.com"]
    assert "Tara" in sent.subject
    # The trainer's page lists it.
    with time_machine.travel(noon, tick=False):
        page = client.get(_learner_url(world.cohort, enrollment)).content.decode()
    section = page[page.index('id="reminders-heading"') : page.index('id="timeline-heading"')]
    with translation.override("nl"):
        assert escape(str(Rule.NUDGE.label).capitalize()) in section
        assert str(Message.Status.SENT.label) in section
    assert date_format(noon.date(), "DATE_FORMAT") in section


def test_personal_reminder_at_night_waits_for_the_morning(client, world, noon):
    enrollment = world.learner.enrollments.get()
    client.force_login(world.trainer)
    with time_machine.travel(noon + datetime.timedelta(hours=10, minutes=30), tick=False):
        response = client.post(_nudge_url(world.cohort, enrollment))
    assert _messages(response) == [
        _in(
            "nl",
            "It is night where %(name)s lives: your reminder goes out at 08:00 their time.",
            name="Alice",
        )
    ]
    message = Message.objects.get()
    assert message.send_after == noon + datetime.timedelta(hours=20)  # 08:00 tomorrow


def test_second_personal_reminder_the_same_day_is_refused(client, world, noon):
    enrollment = world.learner.enrollments.get()
    client.force_login(world.trainer)
    with time_machine.travel(noon, tick=False):
        client.post(_nudge_url(world.cohort, enrollment), follow=True)  # shows its message
    with time_machine.travel(noon + datetime.timedelta(hours=3), tick=False):
        response = client.post(_nudge_url(world.cohort, enrollment))
    assert response.status_code == 302
    assert _messages(response) == [
        _in("nl", "This learner has already had a personal reminder today.")
    ]
    assert Message.objects.count() == 1


def test_trainer_of_another_cohort_gets_404_and_sends_nothing(client, world, noon):
    enrollment = world.learner.enrollments.get()
    client.force_login(world.trainer_other)
    with time_machine.travel(noon, tick=False):
        assert client.post(_nudge_url(world.cohort, enrollment)).status_code == 404
        # The learner's id under the trainer's own cohort is no way in either.
        assert client.post(_nudge_url(world.other_cohort, enrollment)).status_code == 404
    client.force_login(world.trainer)
    with time_machine.travel(noon, tick=False):
        assert client.post(_nudge_url(world.other_cohort, enrollment)).status_code == 404
        assert client.get(_nudge_url(world.cohort, enrollment)).status_code == 405
    assert not Message.objects.exists()


def test_withdrawn_learner_gets_no_personal_reminder(client, world, noon):
    enrollment = world.learner.enrollments.get()
    Enrollment.objects.filter(pk=enrollment.pk).update(status=Enrollment.Status.WITHDRAWN)
    client.force_login(world.trainer)
    with time_machine.travel(noon, tick=False):
        response = client.post(_nudge_url(world.cohort, enrollment))
        page = client.get(_learner_url(world.cohort, enrollment)).content.decode()
    assert response.status_code == 302
    assert _messages(response) == [_in("nl", "This learner is no longer active in the cohort.")]
    assert not Message.objects.exists()
    assert _nudge_url(world.cohort, enrollment) not in page


def test_learner_page_offers_the_nudge_form(client, world, noon):
    enrollment = world.learner.enrollments.get()
    client.force_login(world.trainer)
    page = client.get(_learner_url(world.cohort, enrollment)).content.decode()
    assert f'action="{_nudge_url(world.cohort, enrollment)}"' in page
    assert 'id="reminders-heading"' in page


def test_reminders_for_enrollment_lists_what_went_newest_first(world, noon):
    alice = world.learner.enrollments.get()
    quiz, reflection = assignment(QUIZ), assignment(REFLECTION)
    module = Module.objects.filter(course=world.course).order_by("position").last()
    old = _message(
        world.learner,
        Message.Kind.DAILY,
        at=noon - datetime.timedelta(days=2),
        status=Message.Status.SENT,
        sent_at=noon - datetime.timedelta(days=2),
    )
    _item(old, Rule.DUE_SOON, "q", enrollment=alice, assignment=quiz)
    _item(old, Rule.MODULE_RELEASED, "m", enrollment=alice, module=module)
    # Left out of its mail (handed in meanwhile): never reached the learner.
    _item(old, Rule.OVERDUE, "r", enrollment=alice, assignment=reflection, dropped=True)
    failed = _message(
        world.learner,
        Message.Kind.DAILY,
        at=noon - datetime.timedelta(days=1),
        status=Message.Status.FAILED,
    )
    _item(failed, Rule.OVERDUE, "q", enrollment=alice, assignment=quiz)
    cancelled = _message(
        world.learner, Message.Kind.DAILY, at=noon, status=Message.Status.CANCELLED
    )
    _item(cancelled, Rule.INACTIVE, "i", enrollment=alice)
    pending = _message(world.learner, Message.Kind.EVENT, at=noon)
    _item(pending, Rule.NUDGE, "n", enrollment=alice, sender=world.trainer)
    # Bob's reminders are not alice's.
    other = _message(world.learner_other, Message.Kind.EVENT, at=noon, status=Message.Status.SENT)
    _item(other, Rule.NUDGE, "n", enrollment=world.learner_other.enrollments.get())

    found = reminders_for_enrollment(alice)
    assert [(r.rule, r.status, r.title) for r in found] == [
        (Rule.NUDGE, Message.Status.PENDING, ""),
        (Rule.OVERDUE, Message.Status.FAILED, quiz.title),
        (Rule.MODULE_RELEASED, Message.Status.SENT, module.title),
        (Rule.DUE_SOON, Message.Status.SENT, quiz.title),
    ]
    assert found[0].sender == "Tara"
    assert found[2].at == noon - datetime.timedelta(days=2)
    assert found[1].at == noon - datetime.timedelta(days=1, minutes=1)
    assert len(reminders_for_enrollment(alice, limit=2)) == 2


# --- the emails ----------------------------------------------------------------------------


def _reflection(enrollment, *, now, secret=SECRET_REFLECTION):
    reflection = assignment(REFLECTION)
    draft = reflection_draft(enrollment=enrollment, assignment=reflection)
    return reflection_submit(
        submission=draft,
        answers={p["id"]: f"{secret} {words(100)}" for p in reflection.config["prompts"]},
        based_on=draft.version,
        now=now,
    )


def _daily(world, now) -> Message:
    alice = world.learner.enrollments.get()
    message = _message(world.learner, Message.Kind.DAILY, at=now, organisation=world.acme)
    module = Module.objects.filter(course=world.course).order_by("position")[1]
    _item(
        message,
        Rule.DUE_SOON,
        "d",
        enrollment=alice,
        assignment=assignment(REFLECTION),
        due_on=now.date() + datetime.timedelta(days=40),
    )
    _item(
        message,
        Rule.OVERDUE,
        "o",
        enrollment=alice,
        assignment=assignment(QUIZ),
        due_on=now.date() - datetime.timedelta(days=1),
    )
    _item(message, Rule.MODULE_RELEASED, "m", enrollment=alice, module=module)
    _item(message, Rule.INACTIVE, "i", enrollment=alice)
    return message


def _digest(world, now) -> Message:
    carla = make_learner(world.cohort, email="carla@example.com", display_name="Carla")
    _reflection(
        carla.enrollments.select_related("cohort").get(), now=now - datetime.timedelta(days=3)
    )
    message = _message(world.trainer, Message.Kind.DIGEST, at=now)
    _item(message, Rule.TRAINER_DIGEST, "queue")
    return message


def _summary(world, now) -> Message:
    message = _message(world.org_admin, Message.Kind.SUMMARY, at=now, organisation=world.acme)
    _item(message, Rule.ORG_SUMMARY, f"organisation:{world.acme.pk}")
    return message


def _feedback(world, now) -> Message:
    enrollment = world.learner.enrollments.select_related("cohort").get()
    submission = _reflection(enrollment, now=now - datetime.timedelta(days=1))
    rubric = assignment(REFLECTION).config["rubric"]["criteria"]
    submission_grade(
        submission=submission,
        trainer=world.trainer,
        rubric_scores={c["id"]: c["levels"][0]["points"] for c in rubric},
        comment=f"{SECRET_COMMENT}: schrijf meer over de klant.",
        decision="returned",
        now=now - datetime.timedelta(minutes=5),
    )
    return Message.objects.get(items__rule=Rule.FEEDBACK_READY)


def _nudge(world, now) -> Message:
    return services.nudge_send(
        enrollment=world.learner.enrollments.select_related("cohort").get(),
        trainer=world.trainer,
        now=now - datetime.timedelta(minutes=5),
    )


BUILDERS = {
    "daily": _daily,
    "digest": _digest,
    "summary": _summary,
    "feedback": _feedback,
    "nudge": _nudge,
}


def _send(message, now):
    assert services.message_send(message_id=message.pk, now=now) == Message.Status.SENT
    return mail.outbox[-1]


def _learn(name, world, **kwargs):
    return SITE + reverse(f"learn:{name}", kwargs={"cohort_id": world.cohort.pk, **kwargs})


def _expected(kind, world, language, now) -> tuple[str, list[str], list[str]]:
    """The subject, the links to the work, and dates as the recipient reads them."""
    with translation.override(language):
        if kind == "daily":
            subject = gettext("Overdue: %(title)s") % {"title": assignment(QUIZ).title}
            module = Module.objects.filter(course=world.course).order_by("position")[1]
            links = [
                _learn("assignment", world, assignment_slug=REFLECTION),
                _learn("assignment", world, assignment_slug=QUIZ),
                _learn("module", world, module_slug=module.slug),
                _learn("cohort", world),
            ]
            dates = [
                date_format(now.date() + datetime.timedelta(days=40), "DATE_FORMAT"),
                date_format(now.date() - datetime.timedelta(days=1), "DATE_FORMAT"),
            ]
        elif kind == "digest":
            subject = ngettext(
                "%(counter)s reflection is waiting for your feedback",
                "%(counter)s reflections are waiting for your feedback",
                1,
            ) % {"counter": 1}
            links = [SITE + reverse("trainer:home")]
            dates = [date_format(now.date() - datetime.timedelta(days=3), "DATE_FORMAT")]
        elif kind == "summary":
            subject = gettext("Weekly summary for %(organisation)s") % {"organisation": "Acme"}
            links = [SITE + reverse("organisation:home")]
            dates = []
        elif kind == "feedback":
            subject = gettext("Feedback on %(title)s is ready") % {
                "title": assignment(REFLECTION).title
            }
            links = [_learn("assignment", world, assignment_slug=REFLECTION)]
            dates = []
        else:
            subject = gettext("%(name)s sends you a reminder") % {"name": "Tara"}
            links = [_learn("cohort", world), _learn("assignment", world, assignment_slug=QUIZ)]
            dates = []
    return SUBJECT_PREFIX + subject, links, dates


RECIPIENT = {"daily": "learner", "digest": "trainer", "summary": "org_admin"}
_UNSUBSCRIBE = re.compile(re.escape(SITE) + r"/meldingen/afmelden/([^/\s\"]+)/")


def _unsubscribe_links(text: str, *, in_href: bool = False) -> dict:
    """category -> what the token of the footer's link for it names (person, categories)."""
    pattern = re.compile('href="' + _UNSUBSCRIBE.pattern) if in_href else _UNSUBSCRIBE
    found = {}
    for token in pattern.findall(text):
        named = read_unsubscribe_token(token)
        assert named is not None, token
        assert len(named[1]) == 1, named  # one category per link
        found[named[1][0]] = named
    return found


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("kind", list(BUILDERS))
def test_each_email_in_the_recipients_language_with_links_and_unsubscribe(
    world, noon, kind, language
):
    recipient = getattr(world, RECIPIENT.get(kind, "learner"))
    User.objects.filter(pk=recipient.pk).update(language=language)
    message = BUILDERS[kind](world, noon)
    email = _send(message, noon)
    subject, links, dates = _expected(kind, world, language, noon)
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert email.to == [recipient.email]
    assert email.subject == subject

    # Greeted by name in their language (the Dutch "Hallo" is translated already).
    name = recipient.display_name
    hello = "Hallo" if language == "nl" else "Hello"
    other = "Hello" if language == "nl" else "Hallo"
    for part in (email.body, html):
        assert f"{hello} {name}," in part
        assert f"{other} {name}," not in part
    assert f'<html lang="{language}">' in html

    # Straight to the work.
    for link in links:
        assert link in email.body
        assert f'href="{link}"' in html
    for written in dates:
        assert written in email.body
        assert written in html

    # One-click unsubscribe (RFC 8058) for the mail's categories, a link per category
    # in the footer, and the preferences page.
    categories = sorted({RULE_CATEGORY[item.rule] for item in message.items.all()})
    header = email.extra_headers["List-Unsubscribe"]
    assert header.startswith(f"<{SITE}/meldingen/afmelden/")
    assert header.endswith("/>")
    token = header[1:-2].rsplit("/", 1)[1]
    assert read_unsubscribe_token(token) == (recipient.pk, categories)
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert _unsubscribe_links(email.body) == {
        category: (recipient.pk, [category]) for category in categories
    }
    assert _unsubscribe_links(html, in_href=True) == _unsubscribe_links(email.body)
    with translation.override(language):
        stop = gettext("Stop emails about: %(label)s") % {
            "label": RULE_CATEGORY[message.items.first().rule].label
        }
    assert stop in email.body
    preferences = SITE + reverse("notifications:preferences")
    assert preferences in email.body
    assert f'href="{preferences}"' in html


def test_daily_email_has_a_section_only_for_what_it_contains(world, noon):
    alice = world.learner.enrollments.get()
    message = _message(world.learner, Message.Kind.DAILY, at=noon, organisation=world.acme)
    _item(
        message,
        Rule.DUE_SOON,
        "d",
        enrollment=alice,
        assignment=assignment(REFLECTION),
        due_on=noon.date() + datetime.timedelta(days=2),
    )
    email = _send(message, noon)
    with translation.override("nl"):
        headings = {
            key: gettext(msgid)
            for key, msgid in (
                ("due", "Due soon"),
                ("late", "Overdue"),
                ("modules", "New modules"),
                ("quiet", "We have not seen you for a while"),
            )
        }
    html = email.alternatives[0][0]
    assert f"<h2>{headings['due']}</h2>" in html
    for key in ("late", "modules", "quiet"):
        assert f"<h2>{headings[key]}</h2>" not in html
        assert f"\n{headings[key]}\n" not in email.body
    assert f"\n{headings['due']}\n" in email.body
    assert "Acme najaar" in email.body


def test_text_is_not_escaped_and_html_is(world, noon):
    world.cohort.name = "Acme & Co <najaar>"
    world.cohort.save(update_fields=["name"])
    email = _send(_daily(world, noon), noon)
    html = email.alternatives[0][0]
    assert "Acme & Co <najaar>" in email.body
    assert "&amp;" not in email.body
    assert "Acme &amp; Co &lt;najaar&gt;" in html
    assert "<najaar>" not in html


def test_no_email_ever_contains_work_or_feedback(world, noon):
    for build in BUILDERS.values():
        _send(build(world, noon), noon)
    assert len(mail.outbox) == len(BUILDERS)
    # The reflection and the comment are in the database, so the check means something.
    assert ReminderItem.objects.filter(rule=Rule.FEEDBACK_READY).exists()
    for email in mail.outbox:
        parts = [email.subject, email.body, email.alternatives[0][0], str(email.extra_headers)]
        for part in parts:
            assert SECRET_REFLECTION not in part
            assert SECRET_COMMENT not in part


def test_the_unsubscribe_link_in_a_mail_switches_that_category_off(client, world, noon):
    email = _send(_daily(world, noon), noon)
    (token,) = [
        token
        for token in _UNSUBSCRIBE.findall(email.body)
        if read_unsubscribe_token(token) == (world.learner.pk, ["activity"])
    ]
    path = reverse("notifications:unsubscribe", args=[token])
    assert client.get(path).status_code == 200
    assert not MailOptOut.objects.exists()  # a link scanner's GET changes nothing
    assert client.post(path).status_code == 200
    assert list(MailOptOut.objects.values_list("user_id", "category")) == [
        (world.learner.pk, "activity")
    ]
