"""Writing course folders for tests: the shipped course's format, any size."""

from pathlib import Path

import yaml

SHIPPED = Path(__file__).resolve().parent.parent / "courses" / "content" / "klantgerichtheid"


def lesson_text(title: str, minutes: int = 5, body: str | None = None) -> str:
    body = body if body is not None else f"**Leerdoel:** iets over {title}.\n\n## Kop\n\nTekst."
    return f"---\ntitle: {title}\nminutes: {minutes}\n---\n\n{body}\n"


def write_course(
    folder: Path,
    *,
    slug: str = "testcursus",
    modules: int = 2,
    lessons: int = 2,
    offsets: list[int] | None = None,
    title: str = "Testcursus",
) -> Path:
    """A valid course folder with ``modules`` × ``lessons`` lessons; returns the folder."""
    root = folder / slug
    root.mkdir(parents=True, exist_ok=True)
    (root / "intro.md").write_text("Welkom bij de **testcursus**.\n", encoding="utf-8")
    spec_modules = []
    for m in range(1, modules + 1):
        module_slug = f"module-{m}"
        (root / module_slug).mkdir(exist_ok=True)
        lesson_slugs = []
        for n in range(1, lessons + 1):
            lesson_slug = f"les-{m}-{n}"
            lesson_slugs.append(lesson_slug)
            (root / module_slug / f"{lesson_slug}.md").write_text(
                lesson_text(f"Les {m}.{n}"), encoding="utf-8"
            )
        spec_modules.append(
            {
                "slug": module_slug,
                "title": f"Module {m}",
                "intro": f"Over module {m}.",
                "release_offset_days": (offsets[m - 1] if offsets else (m - 1) * 7),
                "lessons": lesson_slugs,
            }
        )
    course = {
        "slug": slug,
        "title": title,
        "summary": "Een cursus om mee te testen.",
        "learning_goals": ["Je kunt testen."],
        "intro": "intro.md",
        "modules": spec_modules,
    }
    (root / "course.yaml").write_text(
        yaml.safe_dump(course, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return root
