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


QUIZ_YAML = """kind: quiz
title: Toets
instructions: Kies het juiste antwoord.
due_offset_days: 3
pass_mark: 50
questions:
  - id: q1
    text: Wat koopt de klant?
    options:
      - id: a
        text: Een boor
        correct: false
        feedback: Nee, het gaat om het resultaat.
      - id: b
        text: Een gat
        correct: true
        feedback: Ja.
"""

SCAN_YAML = """kind: scan
title: Scan
due_offset_days: 2
result_model: quadrant
dimensions:
  - {id: wat, label: Wat}
  - {id: hoe, label: Hoe}
statements:
  - {id: s1, text: Een, dimension: wat}
  - {id: s2, text: Twee, dimension: hoe, weight: -1}
  - {id: s4, text: Vier, dimension: hoe}
  - {id: s5, text: Vijf, weight: -1, dimension: wat}
axes: {x: wat, y: hoe}
high_from: 3.75
quadrants:
  high_high: {title: A, explanation: a}
  high_low: {title: B, explanation: b}
  low_high: {title: C, explanation: c}
  low_low: {title: D, explanation: d}
"""

REFLECTION_YAML = """kind: reflection
title: Reflectie
due_offset_days: 5
prompts:
  - {id: verhaal, label: Vertel, min_words: 3, max_words: 10}
rubric:
  pass_level: 1
  criteria:
    - id: c1
      title: Helder
      levels:
        - {points: 0, title: Nee, description: Onduidelijk, example: Het ging mis.}
        - {points: 1, title: Ja, description: Duidelijk, example: De klant kreeg twee facturen.}
"""


def add_assignments(root: Path, module: str = "module-1") -> Path:
    """Add a quiz, a scan and a reflection to a course written by write_course."""
    for slug, text in (("toets", QUIZ_YAML), ("scan", SCAN_YAML), ("reflectie", REFLECTION_YAML)):
        write_assignment(root, slug, text, module)
    return root


def write_assignment(root: Path, slug: str, text: str, module: str = "module-1") -> Path:
    """Write ``<module>/<slug>.yaml`` and list it in course.yaml (once); returns the file."""
    path = root / module / f"{slug}.yaml"
    path.write_text(text, encoding="utf-8")
    course = yaml.safe_load((root / "course.yaml").read_text(encoding="utf-8"))
    for spec in course["modules"]:
        if spec["slug"] == module and slug not in spec.setdefault("assignments", []):
            spec["assignments"].append(slug)
    (root / "course.yaml").write_text(
        yaml.safe_dump(course, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return path
