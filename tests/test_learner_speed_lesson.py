"""The lesson page renders its Markdown once per text: a re-import shows the new text."""

from django.urls import reverse

from courses.services import course_import
from tests.course_files import lesson_text, write_course
from tests.factories import CohortFactory, make_learner


def test_reimported_lesson_text_shows_at_once(client, db, tmp_path):
    folder = write_course(tmp_path)
    cohort = CohortFactory(course=course_import(folder=folder).course)
    client.force_login(make_learner(cohort))
    url = reverse("learn:lesson", args=[cohort.pk, "les-1-1"])
    lesson_file = folder / "module-1" / "les-1-1.md"

    lesson_file.write_text(lesson_text("Les", 5, "Eerst **vetgedrukt**."))
    course_import(folder=folder)
    first = client.get(url).content.decode()
    assert "<strong>vetgedrukt</strong>" in first

    lesson_file.write_text(lesson_text("Les", 5, "Daarna *schuin*."))
    course_import(folder=folder)
    second = client.get(url).content.decode()
    assert "<em>schuin</em>" in second
    assert "vetgedrukt" not in second
