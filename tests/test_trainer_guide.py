"""The trainer guide in the product: docs/trainer-guide(.en).md for trainers and staff.

The tests point the page at guide files of their own, so they do not depend on the
real guide's wording.
"""

import os
from types import SimpleNamespace

import pytest
from django.urls import reverse

from accounts.services import user_set_language
from courses.services import course_import
from tests.course_files import write_course
from tests.factories import (
    CohortFactory,
    UserFactory,
    make_learner,
    make_org_admin,
    make_trainer,
)

URL = "/trainer/handleiding/"


@pytest.fixture
def guide_dir(settings, tmp_path):
    settings.KB_TRAINER_GUIDE_DIR = tmp_path
    (tmp_path / "trainer-guide.md").write_text(
        "# Handleiding voor de test\n\n## Beoordelen\n\nJe **beoordeelt** een reflectie.\n\n"
        "<script>alert(1)</script>\n",
        encoding="utf-8",
    )
    (tmp_path / "trainer-guide.en.md").write_text(
        "# Guide for the test\n\n## Grading\n\nYou **grade** a reflection.\n", encoding="utf-8"
    )
    return tmp_path


@pytest.fixture
def world(db, tmp_path):
    """Who may read the guide and who may not (a course of the tests' own, not the shipped
    one: its content is not what these tests are about)."""
    course = course_import(folder=write_course(tmp_path / "cursus")).course
    cohort = CohortFactory(course=course)
    other = CohortFactory(course=course)
    return SimpleNamespace(
        trainer=make_trainer(cohort),
        trainer_other=make_trainer(other),
        staff=UserFactory(is_staff=True),
        learner=make_learner(cohort),
        org_admin=make_org_admin(cohort.organisation),
        nobody=UserFactory(),
    )


def _get(client, user):
    client.force_login(user)
    return client.get(URL)


def test_the_guide_has_its_url():
    assert reverse("trainer:guide") == URL


@pytest.mark.parametrize("role", ["trainer", "trainer_other", "staff"])
def test_trainers_and_staff_read_the_dutch_guide(client, world, guide_dir, role):
    response = _get(client, getattr(world, role))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Handleiding voor de test</h1>" in body
    assert "<h2>Beoordelen</h2>" in body
    assert "Je <strong>beoordeelt</strong> een reflectie." in body
    assert "<script>alert" not in body
    assert "Guide for the test" not in body


def test_english_speaking_trainer_reads_the_english_guide(client, world, guide_dir):
    user_set_language(user=world.trainer, language="en")
    body = _get(client, world.trainer).content.decode()
    assert "<h1>Guide for the test</h1>" in body
    assert "You <strong>grade</strong> a reflection." in body
    assert "Handleiding voor de test" not in body


def test_english_falls_back_to_the_dutch_guide(client, world, guide_dir):
    (guide_dir / "trainer-guide.en.md").unlink()
    user_set_language(user=world.trainer, language="en")
    body = _get(client, world.trainer).content.decode()
    assert "<h1>Handleiding voor de test</h1>" in body


def test_an_edited_guide_shows_at_once(client, world, guide_dir):
    assert "beoordeelt" in _get(client, world.trainer).content.decode()
    path = guide_dir / "trainer-guide.md"
    path.write_text("# Handleiding voor de test\n\nNieuwe tekst.\n", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    body = client.get(URL).content.decode()
    assert "Nieuwe tekst." in body
    assert "beoordeelt" not in body


def test_missing_guide_says_so(client, world, settings, tmp_path):
    settings.KB_TRAINER_GUIDE_DIR = tmp_path / "leeg"
    response = _get(client, world.trainer)
    assert response.status_code == 200
    assert 'class="prose"' not in response.content.decode()


@pytest.mark.parametrize("role", ["learner", "org_admin", "nobody"])
def test_learners_and_hr_are_refused_like_on_other_trainer_pages(client, world, guide_dir, role):
    user = getattr(world, role)
    assert _get(client, user).status_code == 403
    assert client.get(reverse("trainer:cohorts")).status_code == 403


def test_visitor_is_sent_to_login(client, world, guide_dir):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_navigation_links_to_the_guide_for_trainers_and_staff_only(client, world, guide_dir):
    link = f'<a href="{URL}"'
    for role, shown in (("trainer", True), ("staff", True), ("learner", False)):
        client.force_login(getattr(world, role))
        body = client.get(reverse("profile")).content.decode()
        assert (link in body) is shown, role
    client.force_login(world.trainer)
    assert f'{link} aria-current="page"' in client.get(URL).content.decode()
