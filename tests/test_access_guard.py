"""Every URL declares who may see it, and nobody sees more than their role allows."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.access import AUTHENTICATED, DEBUG_ONLY, PUBLIC, ROLE_RULES
from assignments.models import Assignment, CommentSnippet
from assignments.services import reflection_draft, reflection_submit
from cohorts.invitations import invitation_issue, invitation_token
from notifications.mail import unsubscribe_token
from tests.course_files import SHIPPED
from tests.test_job_aids import import_with_job_aid

# Third-party URL trees that guard themselves: the Django admin by namespace (it
# logs in through allauth, see lms/urls.py) and allauth's account pages by module
# (allauth includes its URLs without a namespace).
TRUSTED_NAMESPACES = {"admin"}
TRUSTED_MODULE_PREFIXES = ("allauth.",)
KNOWN_RULES = {PUBLIC, AUTHENTICATED, DEBUG_ONLY, *ROLE_RULES}


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(
                pattern.url_patterns,
                prefix + str(pattern.pattern),
                namespace or pattern.namespace,
            )
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback, namespace


def _view_module(callback) -> str:
    target = getattr(callback, "view_class", None) or getattr(callback, "__wrapped__", callback)
    return getattr(target, "__module__", "") or ""


def test_every_own_url_declares_an_access_rule():
    undeclared = []
    for route, callback, namespace in _walk(get_resolver().url_patterns):
        module = _view_module(callback)
        if namespace in TRUSTED_NAMESPACES or module.startswith(TRUSTED_MODULE_PREFIXES):
            continue
        if getattr(callback, "access_rule", None) not in KNOWN_RULES:
            undeclared.append(f"{route} -> {module}.{callback.__name__}")
    assert undeclared == [], "URLs without a declared access rule:\n" + "\n".join(undeclared)


def test_walk_sees_our_own_urls():
    # Guards the guard: if the walk found nothing of ours it would pass vacuously.
    routes = {route for route, _callback, _ns in _walk(get_resolver().url_patterns)}
    assert {"leren/", "trainer/groepen/<int:cohort_id>/", "beheer/"} <= routes


REFLECTION = "reflectie-vriendelijk-maar-niet-geholpen"

ROLES = [
    "anonymous",
    "learner",
    "learner_other",
    "trainer",
    "trainer_other",
    "org_admin",
    "org_admin_other",
    "staff",
]

# url name, kwargs builder (from the world fixture), expected status per role.
# 302 for anonymous means: redirected to the login page (checked below).
MATRIX = [
    ("learn:home", None, [302, 200, 200, 403, 403, 403, 403, 403]),
    ("learn:cohort", "cohort", [302, 200, 404, 403, 403, 403, 403, 403]),
    ("learn:module", "module", [302, 200, 404, 403, 403, 403, 403, 403]),
    ("learn:lesson", "lesson", [302, 200, 404, 403, 403, 403, 403, 403]),
    ("learn:assignment", "assignment", [302, 200, 404, 403, 403, 403, 403, 403]),
    ("learn:assignment", "reflection", [302, 200, 404, 403, 403, 403, 403, 403]),
    ("learn:calendar", "cohort", [302, 200, 404, 403, 403, 403, 403, 403]),
    # A module's printable job aid: the learner's own cohort, once the module is open.
    ("learn:job_aid", "job_aid", [302, 200, 404, 403, 403, 403, 403, 403]),
    # The course preview: trainers of the cohort and staff read it; everyone else 404.
    ("learn:preview", "cohort", [302, 404, 404, 200, 404, 404, 404, 200]),
    ("learn:preview_lesson", "lesson", [302, 404, 404, 200, 404, 404, 404, 200]),
    ("learn:preview_assignment", "assignment", [302, 404, 404, 200, 404, 404, 404, 200]),
    ("learn:preview_job_aid", "job_aid", [302, 404, 404, 200, 404, 404, 404, 200]),
    ("trainer:home", None, [302, 403, 403, 200, 200, 403, 403, 403]),
    ("trainer:cohorts", None, [302, 403, 403, 200, 200, 403, 403, 403]),
    # The trainer guide: every trainer, and staff (who support them).
    ("trainer:guide", None, [302, 403, 403, 200, 200, 403, 403, 200]),
    ("trainer:cohort", "cohort", [302, 403, 403, 200, 404, 403, 403, 403]),
    # The progress matrix as CSV and one learner's page: only a trainer of the cohort.
    ("trainer:export", "cohort", [302, 403, 403, 200, 404, 403, 403, 403]),
    ("trainer:learner", "enrollment", [302, 403, 403, 200, 404, 403, 403, 403]),
    # The grading page shows reflection text: only a trainer of the learner's cohort.
    ("trainer:grade", "submission", [302, 403, 403, 200, 404, 403, 403, 403]),
    ("organisation:home", None, [302, 403, 403, 403, 403, 200, 200, 403]),
    ("organisation:detail", "organisation", [302, 403, 403, 403, 403, 200, 404, 403]),
    ("organisation:cohort", "cohort", [302, 403, 403, 403, 403, 200, 404, 403]),
    # HR's report as CSV: only an org admin of the cohort's organisation.
    ("organisation:export", "cohort", [302, 403, 403, 403, 403, 200, 404, 403]),
    ("staff:home", None, [302, 403, 403, 403, 403, 403, 403, 200]),
    ("staff:organisation", "organisation", [302, 403, 403, 403, 403, 403, 403, 200]),
    ("staff:cohort", "cohort", [302, 403, 403, 403, 403, 403, 403, 200]),
    # Enrolling: staff always; an org admin only when the organisation allows it (else a
    # 403 that says so), and never in another organisation's cohort.
    ("staff:enrol", "cohort", [302, 403, 403, 403, 403, 403, 403, 200]),
    ("organisation:enrol", "cohort", [302, 403, 403, 403, 403, 403, 404, 403]),
    ("organisation:enrol", "enrol", [302, 403, 403, 403, 403, 200, 404, 403]),
    # An unknown or expired preview sends back to the upload page.
    ("staff:enrol_preview", "enrol_preview", [302, 403, 403, 403, 403, 403, 403, 302]),
    ("organisation:enrol_preview", "enrol_preview", [302, 403, 403, 403, 403, 302, 404, 403]),
    ("staff:enrollment_move", "enrollment", [302, 403, 403, 403, 403, 403, 403, 200]),
    ("staff:enrollment_withdraw", "enrollment", [302, 403, 403, 403, 403, 403, 403, 200]),
    # A learner's extensions, a row's action on the staff cohort page: staff only.
    ("staff:enrollment_extension", "enrollment", [302, 403, 403, 403, 403, 403, 403, 200]),
    ("organisation:enrollment_move", "enrol_enrollment", [302, 403, 403, 403, 403, 200, 404, 403]),
    (
        "organisation:enrollment_withdraw",
        "enrol_enrollment",
        [302, 403, 403, 403, 403, 200, 404, 403],
    ),
    ("staff:organisation_add", None, [302, 403, 403, 403, 403, 403, 403, 200]),
    ("staff:organisation_edit", "organisation", [302, 403, 403, 403, 403, 403, 403, 200]),
    ("staff:cohort_add", "organisation", [302, 403, 403, 403, 403, 403, 403, 200]),
    ("profile", None, [302, 200, 200, 200, 200, 200, 200, 200]),
    # Data rights: everyone downloads only their own data (no id in the URL) and may ask
    # for deletion; staff handle the requests and anonymise.
    ("privacy:export", None, [302, 200, 200, 200, 200, 200, 200, 200]),
    ("privacy:deletion", None, [302, 200, 200, 200, 200, 200, 200, 200]),
    ("staff:privacy", None, [302, 403, 403, 403, 403, 403, 403, 200]),
    ("staff:anonymise", "person", [302, 403, 403, 403, 403, 403, 403, 200]),
    ("welcome", None, [302, 200, 200, 200, 200, 200, 200, 200]),
    ("start", None, [302, 302, 302, 302, 302, 302, 302, 302]),
    ("health", None, [200, 200, 200, 200, 200, 200, 200, 200]),
    # The demo outbox exists only with DEBUG on (and then for staff: tests/test_outbox.py).
    ("outbox:list", None, [404, 404, 404, 404, 404, 404, 404, 404]),
    ("outbox:detail", "mail", [404, 404, 404, 404, 404, 404, 404, 404]),
    # The invitation link is public: it explains itself to whoever holds it (here: used up).
    ("invitations:accept", "invitation", [200, 200, 200, 200, 200, 200, 200, 200]),
    # Reminder mail: staff's log and each cohort's rules; everyone's own email
    # preferences; the unsubscribe link in a mail is public (the signed token is the key)
    # and a GET only shows a button.
    ("staff:reminders", None, [302, 403, 403, 403, 403, 403, 403, 200]),
    ("staff:cohort_reminders", "cohort", [302, 403, 403, 403, 403, 403, 403, 200]),
    ("notifications:preferences", None, [302, 200, 200, 200, 200, 200, 200, 200]),
    ("notifications:unsubscribe", "unsubscribe", [200, 200, 200, 200, 200, 200, 200, 200]),
]


def _kwargs(world, kind):
    if kind is None:
        return {}
    if kind == "cohort":
        return {"cohort_id": world.cohort.pk}
    if kind == "organisation":
        return {"organisation_id": world.acme.pk}
    if kind == "module":
        return {"cohort_id": world.cohort.pk, "module_slug": "klantgericht-of-klantvriendelijk"}
    if kind == "job_aid":
        return {"cohort_id": world.cohort.pk, "module_slug": import_with_job_aid(SHIPPED)}
    if kind == "assignment":
        return {"cohort_id": world.cohort.pk, "assignment_slug": "quiz-twee-dimensies"}
    if kind == "reflection":
        return {"cohort_id": world.cohort.pk, "assignment_slug": REFLECTION}
    if kind == "draft":
        reflection_draft(
            enrollment=world.learner.enrollments.get(),
            assignment=Assignment.objects.get(slug=REFLECTION),
        )
        return {"cohort_id": world.cohort.pk, "assignment_slug": REFLECTION, "revision": 1}
    if kind == "mail":
        return {"name": "20260101T000000000000-00000000.eml"}
    if kind in {"submission", "snippet"}:
        draft = reflection_draft(
            enrollment=world.learner.enrollments.select_related("cohort").get(),
            assignment=Assignment.objects.get(slug=REFLECTION),
        )
        submitted = reflection_submit(
            submission=draft,
            answers={"verhaal": " ".join(["klant"] * 100)},
            based_on=draft.version,
            now=timezone.now(),
        )
        if kind == "submission":
            return {"submission_id": submitted.pk}
        snippet = CommentSnippet.objects.create(trainer=world.trainer, text="Goed gedaan.")
        return {"submission_id": submitted.pk, "snippet_id": snippet.pk}
    if kind == "thread":
        _kwargs(world, "submission")  # alice's reflection, handed in as revision 1
        return {"cohort_id": world.cohort.pk, "assignment_slug": REFLECTION, "revision": 1}
    if kind == "enrollment":
        enrollment = world.learner.enrollments.get()
        return {"cohort_id": world.cohort.pk, "enrollment_id": enrollment.pk}
    if kind == "person":
        return {"person_id": world.learner.pk}
    if kind in {"enrol", "enrol_preview", "enrol_enrollment"}:
        world.acme.admins_may_enrol = True
        world.acme.save(update_fields=["admins_may_enrol"])
        if kind == "enrol_preview":
            return {"cohort_id": world.cohort.pk, "token": "onbekend"}
        if kind == "enrol_enrollment":
            return _kwargs(world, "enrollment")
        return {"cohort_id": world.cohort.pk}
    if kind == "lesson":
        return {"cohort_id": world.cohort.pk, "lesson_slug": "wat-je-biedt-en-hoe-je-het-brengt"}
    if kind == "unsubscribe":
        return {"token": unsubscribe_token(world.learner.pk, ["deadlines"])}
    if kind == "invitation":
        invitation = invitation_issue(
            enrollment=world.learner.enrollments.get(),
            invited_by=world.org_admin,
            now=timezone.now(),
        )
        return {"token": invitation_token(invitation)}
    raise AssertionError(kind)


@pytest.mark.parametrize(("url_name", "kind", "expected"), MATRIX, ids=[m[0] for m in MATRIX])
def test_role_endpoint_matrix(client, world, url_name, kind, expected):
    url = reverse(url_name, kwargs=_kwargs(world, kind))
    seen = {}
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(getattr(world, role))
        response = client.get(url)
        seen[role] = response.status_code
        if role == "anonymous" and response.status_code == 302:
            assert response["Location"].startswith(reverse("account_login") + "?next=")
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            # A page title is plain text, and every page has exactly one h1.
            assert re.search(r"<title>[^<]+</title>", response.content.decode()), url
            assert response.content.decode().count("<h1") == 1, url
    assert seen == dict(zip(ROLES, expected, strict=True))


# Writes: url name, kwargs kind, expected status per role for a POST.
POST_MATRIX = [
    ("learn:lesson_read", "lesson", [302, 302, 404, 403, 403, 403, 403, 403]),
    ("staff:cohort", "cohort", [302, 403, 403, 403, 403, 403, 403, 302]),
    # An empty quiz comes back to the learner with a message per question.
    ("learn:assignment_submit", "assignment", [302, 200, 404, 403, 403, 403, 403, 403]),
    # An autosave without the version it edited is refused.
    ("learn:assignment_draft", "draft", [302, 400, 404, 403, 403, 403, 403, 403]),
    # An empty message in a submission's thread comes back with a message; nothing is saved.
    ("learn:assignment_message", "thread", [302, 200, 404, 403, 403, 403, 403, 403]),
    ("learn:trainer_message", "submission", [302, 403, 403, 200, 404, 403, 403, 403]),
    # An empty extension form on a learner's page comes back with a message.
    ("trainer:learner", "enrollment", [302, 403, 403, 200, 404, 403, 403, 403]),
    # An empty grade or snippet comes back on the page with a message; nothing is saved.
    ("trainer:grade", "submission", [302, 403, 403, 200, 404, 403, 403, 403]),
    ("trainer:snippet_add", "submission", [302, 403, 403, 200, 404, 403, 403, 403]),
    ("trainer:snippet_delete", "snippet", [302, 403, 403, 200, 404, 403, 403, 403]),
    # An empty extension form on a learner's extension page comes back with a message.
    ("staff:enrollment_extension", "enrollment", [302, 403, 403, 403, 403, 403, 403, 200]),
    # Enrolling: an empty form comes back with its errors; a missing preview sends back.
    ("staff:enrol", "cohort", [302, 403, 403, 403, 403, 403, 403, 200]),
    ("organisation:enrol", "cohort", [302, 403, 403, 403, 403, 403, 404, 403]),
    ("organisation:enrol", "enrol", [302, 403, 403, 403, 403, 200, 404, 403]),
    ("staff:enrol_preview", "enrol_preview", [302, 403, 403, 403, 403, 403, 403, 302]),
    ("organisation:enrol_preview", "enrol_preview", [302, 403, 403, 403, 403, 302, 404, 403]),
    ("staff:enrollment_move", "enrollment", [302, 403, 403, 403, 403, 403, 403, 200]),
    ("organisation:enrollment_move", "enrol_enrollment", [302, 403, 403, 403, 403, 200, 404, 403]),
    # Withdrawing: refused to an org admin whose organisation does not allow it.
    ("organisation:enrollment_withdraw", "enrollment", [302, 403, 403, 403, 403, 403, 404, 403]),
    (
        "organisation:enrollment_withdraw",
        "enrol_enrollment",
        [302, 403, 403, 403, 403, 302, 404, 403],
    ),
    ("staff:enrollment_withdraw", "enrollment", [302, 403, 403, 403, 403, 403, 403, 302]),
    # Empty staff forms come back with their errors; nothing is saved.
    ("staff:organisation_add", None, [302, 403, 403, 403, 403, 403, 403, 200]),
    ("staff:organisation_edit", "organisation", [302, 403, 403, 403, 403, 403, 403, 200]),
    ("staff:cohort_add", "organisation", [302, 403, 403, 403, 403, 403, 403, 200]),
    ("staff:cohort_edit", "cohort", [302, 403, 403, 403, 403, 403, 403, 200]),
    # Archiving a running cohort is refused with a message; restoring one that is not archived too.
    ("staff:cohort_archive", "cohort", [302, 403, 403, 403, 403, 403, 403, 302]),
    ("staff:cohort_unarchive", "cohort", [302, 403, 403, 403, 403, 403, 403, 302]),
    # Asking again changes nothing; anonymising is staff's alone (alice, a learner, here).
    ("privacy:deletion", None, [302, 302, 302, 302, 302, 302, 302, 302]),
    ("staff:anonymise", "person", [302, 403, 403, 403, 403, 403, 403, 302]),
    # Open to everyone (the choice is stored in a cookie before login); an empty form is 400.
    ("language_switch", None, [400, 400, 400, 400, 400, 400, 400, 400]),
    # Alice already has a password: the link refuses to set another; a fresh link is not sent.
    ("invitations:accept", "invitation", [409, 409, 409, 409, 409, 409, 409, 409]),
    ("invitations:renew", "invitation", [200, 200, 200, 200, 200, 200, 200, 200]),
    # Staff, and the org admin of the learner's organisation, send an invitation again.
    ("invitations:resend", "enrollment", [302, 403, 403, 403, 403, 302, 404, 302]),
    # A personal reminder: only a trainer of the learner's cohort (sent, or refused with
    # a message, then back to the learner's page).
    ("trainer:nudge", "enrollment", [302, 403, 403, 302, 404, 403, 403, 403]),
    # An empty rules form comes back with its errors; nothing is saved.
    ("staff:cohort_reminders", "cohort", [302, 403, 403, 403, 403, 403, 403, 200]),
    # Saving preferences goes back to the page; the one-click unsubscribe (RFC 8058)
    # needs no session and no CSRF token.
    ("notifications:preferences", None, [302, 302, 302, 302, 302, 302, 302, 302]),
    ("notifications:unsubscribe", "unsubscribe", [200, 200, 200, 200, 200, 200, 200, 200]),
]


@pytest.mark.parametrize(
    ("url_name", "kind", "expected"), POST_MATRIX, ids=[m[0] for m in POST_MATRIX]
)
def test_role_endpoint_matrix_for_writes(client, world, url_name, kind, expected):
    url = reverse(url_name, kwargs=_kwargs(world, kind))
    seen = {}
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(getattr(world, role))
        response = client.post(url, {})
        seen[role] = response.status_code
        if role == "anonymous" and response.status_code == 302:
            assert response["Location"].startswith(reverse("account_login"))
    assert seen == dict(zip(ROLES, expected, strict=True))


def test_unknown_cohort_id_is_404_for_the_right_role(client, world):
    client.force_login(world.trainer)
    assert client.get(reverse("trainer:cohort", args=[999999])).status_code == 404
    client.force_login(world.learner)
    assert client.get(reverse("learn:cohort", args=[999999])).status_code == 404
    client.force_login(world.org_admin)
    assert client.get(reverse("organisation:cohort", args=[999999])).status_code == 404


def test_other_tenant_data_never_appears_on_own_pages(client, world):
    client.force_login(world.trainer)
    body = client.get(reverse("trainer:cohorts")).content.decode()
    assert world.cohort.name in body
    assert world.other_cohort.name not in body
    client.force_login(world.org_admin)
    body = client.get(reverse("organisation:detail", args=[world.acme.pk])).content.decode()
    assert "alice@example.com" in body
    assert "bob@example.com" not in body


@pytest.mark.parametrize(
    "path", ["/leren/", "/trainer/", "/organisatie/", "/beheer/", "/profiel/", "/admin/"]
)
def test_logged_out_visitor_is_sent_to_login_and_back(client, world, path):
    response = client.get(path)
    assert response.status_code == 302
    login_url = response["Location"]
    if login_url.startswith("/admin/login/"):
        # The admin's own login page hands over to the product's login.
        login_url = client.get(login_url)["Location"]
    assert login_url.startswith("/accounts/login/")
    response = client.post(
        login_url, {"login": "sara@example.com", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == path


def test_django_admin_refuses_non_staff(client, world):
    client.force_login(world.trainer)
    assert client.get("/admin/", follow=True).status_code == 403
    client.force_login(world.staff)
    assert client.get("/admin/").status_code == 200


def _named_urls(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace])) or None
            yield from _named_urls(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            module = _view_module(pattern.callback)
            if namespace in TRUSTED_NAMESPACES or module.startswith(TRUSTED_MODULE_PREFIXES):
                continue
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_named_url_has_a_row_in_the_role_matrix():
    """A new page is not done until the matrix says who may see it."""
    covered = {row[0] for row in MATRIX} | {row[0] for row in POST_MATRIX}
    missing = sorted(set(_named_urls(get_resolver().url_patterns)) - covered)
    assert missing == [], "named URLs without a row in MATRIX or POST_MATRIX: " + ", ".join(missing)
