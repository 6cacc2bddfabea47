"""Assignments in the course files: the ``ModuleItems`` handler for a module's ``assignments``.

``AssignmentsConfig.ready()`` registers ``AssignmentItems`` with the course reader, so
``import_course`` reads, checks and imports assignments without ``courses`` knowing this
app. Besides upserting by slug and archiving what left the files, the handler guards
learner work already stored: a change that would strand it is refused with a problem
(nothing is imported), and a ``replaces: <old id>`` in the files moves stored answers
to the new id in the import's transaction.
"""

from django.db.models import F

from assignments.definitions import (
    AssignmentSpec,
    check_rubric_scales,
    check_scan_pairs,
    read_assignment,
)
from assignments.models import Assignment, Submission
from courses.content_files import FolderReader, ModuleSpec, Problem
from courses.services import ImportReport, import_archive_missing, import_upsert

# Where each kind keeps the ids that stored answers are keyed by.
ANSWER_LISTS = {"reflection": "prompts", "quiz": "questions"}
SINGULAR = {"prompts": "prompt", "questions": "question"}


class AssignmentItems:
    key = "assignments"
    label = "assignment"
    suffix = ".yaml"

    def read(self, reader: FolderReader, *, module_slug: str, slug: str):
        return read_assignment(reader, module_slug, slug)

    def check_course(self, reader: FolderReader, modules: list[ModuleSpec]) -> None:
        check_scan_pairs(reader, modules)
        check_rubric_scales(reader, modules)

    def check_stored(self, *, course_slug: str, modules: list[ModuleSpec]) -> list[Problem]:
        stored = {a.slug: a for a in Assignment.objects.filter(course__slug=course_slug)}
        problems: list[Problem] = []
        for module in modules:
            for spec in module.items.get(self.key, []):
                if spec.slug in stored:
                    file = f"{module.slug}/{spec.slug}.yaml"
                    problems += _stranded_work(stored[spec.slug], spec, file)
        return problems

    def save(self, *, course, modules: list, report: ImportReport) -> None:
        seen = set()
        for module, module_spec in modules:
            for position, spec in enumerate(module_spec.items.get(self.key, []), start=1):
                assignment = import_upsert(
                    report,
                    Assignment,
                    {"course": course, "slug": spec.slug},
                    {
                        "module": module,
                        "kind": spec.kind,
                        "title": spec.title,
                        "instructions": spec.instructions,
                        "due_offset_days": spec.due_offset_days,
                        "config": spec.config,
                        "position": position,
                        "archived": False,
                    },
                    f"assignment {spec.slug}",
                )
                seen.add(assignment.pk)
                _move_answers(assignment, spec, report)
        import_archive_missing(report, Assignment.objects.filter(course=course), seen, "assignment")


def _holds(value) -> bool:
    """Whether a stored answer holds something a person gave (text, chosen options)."""
    return bool(value.strip()) if isinstance(value, str) else bool(value)


def _stranded_work(assignment: Assignment, spec: AssignmentSpec, file: str) -> list[Problem]:
    submissions = Submission.objects.filter(assignment=assignment)
    if assignment.kind != spec.kind:
        count = submissions.count()
        if not count:
            return []
        return [
            Problem(
                file,
                spec.lines.get("kind"),
                f"kind changes from {assignment.kind} to {spec.kind}, but {count} "
                f"submission(s) of '{spec.slug}' are stored: keep the kind, or give the "
                f"new {spec.kind} a new slug (the old one is then archived with its work)",
            )
        ]
    if spec.kind == "scan":
        return _stranded_scan_results(assignment, spec, file, submissions)
    name = ANSWER_LISTS[spec.kind]
    renames = spec.renames.get(name, {})
    old_ids = [item["id"] for item in assignment.config.get(name, [])]
    new_ids = {item["id"] for item in spec.config[name]}
    gone = [i for i in old_ids if i not in new_ids and i not in renames]
    # A quiz attempt is a graded record: its score stands and its answers stay stored,
    # so a question may leave the quiz. A reflection's text is a draft the next
    # autosave rewrites with the current prompts only: a prompt id that vanishes
    # would lose the text under it.
    guarded = gone if spec.kind == "reflection" else []
    if not guarded and not renames:
        return []
    stranded: dict[str, int] = {}
    clashes: set[str] = set()
    for answers in submissions.values_list("answers", flat=True).iterator():
        for old_id in guarded:
            if _holds(answers.get(old_id)):
                stranded[old_id] = stranded.get(old_id, 0) + 1
        for old_id, new_id in renames.items():
            if _holds(answers.get(old_id)) and _holds(answers.get(new_id)):
                clashes.add(f"'{old_id}' → '{new_id}'")
    problems = []
    line = spec.lines.get(name)
    what = SINGULAR[name]
    if stranded:
        ids = ", ".join(f"'{i}'" for i in sorted(stranded))
        count = max(stranded.values())
        problems.append(
            Problem(
                file,
                line,
                f"{what} id(s) {ids} left the file, but up to {count} submission(s) hold "
                f"answers under them: keep the id, or give the {what} that takes its place "
                f"'replaces: {sorted(stranded)[0]}'",
            )
        )
    if clashes:
        problems.append(
            Problem(
                file,
                line,
                f"cannot move stored answers ({', '.join(sorted(clashes))}): some submissions "
                f"already hold answers under the new id",
            )
        )
    return problems


def _stranded_scan_results(assignment, spec, file, submissions) -> list[Problem]:
    """Scan results are stored scored; pages show them by the definition's names.

    A statement may go (the stored result keeps its scores and the answers stay
    stored), but what the result is read by may not change under stored results:
    the result model, the axes, and any dimension a stored result scores.
    """
    if not submissions.exists():
        return []
    old, new = assignment.config, spec.config
    problems = []
    if old.get("result_model") != new["result_model"]:
        problems.append(
            Problem(
                file,
                spec.lines.get("result_model"),
                f"result_model changes from {old.get('result_model')} to "
                f"{new['result_model']}, but stored results of '{spec.slug}' use the old "
                f"model: keep it, or give the new scan a new slug",
            )
        )
        return problems
    if old.get("axes") and new.get("axes") and old["axes"] != new["axes"]:
        problems.append(
            Problem(
                file,
                spec.lines.get("axes"),
                f"axes change, but stored results of '{spec.slug}' were placed on the old "
                f"axes: keep them, or give the new scan a new slug",
            )
        )
    kept = {dimension["id"] for dimension in new["dimensions"]}
    scored: set[str] = set()
    for result in submissions.values_list("result", flat=True).iterator():
        scored |= set((result or {}).get("scores", {}))
    gone = sorted(scored - kept)
    if gone:
        ids = ", ".join(f"'{i}'" for i in gone)
        problems.append(
            Problem(
                file,
                spec.lines.get("dimensions"),
                f"dimension id(s) {ids} left the file, but stored results of '{spec.slug}' "
                f"are scored on them: keep the dimensions, or give the new scan a new slug",
            )
        )
    return problems


def _move_answers(assignment: Assignment, spec: AssignmentSpec, report: ImportReport) -> None:
    """Carry stored answers from each replaced id to its new id (checked before: no clash)."""
    renames = spec.renames.get(ANSWER_LISTS.get(spec.kind, ""), {})
    if not renames:
        return
    moved = 0
    # Locked, so an autosave cannot write between reading and moving.
    for submission in Submission.objects.select_for_update().filter(assignment=assignment):
        answers = dict(submission.answers)
        for old_id, new_id in renames.items():
            if old_id in answers:
                value = answers.pop(old_id)
                if _holds(value) or new_id not in answers:
                    answers[new_id] = value
        if answers != submission.answers:
            # A new version: a page opened before the import (showing the old ids) can no
            # longer autosave over the moved text. update(), not save(): moving a key is
            # not the learner's activity, so updated_at stays.
            Submission.objects.filter(pk=submission.pk).update(
                answers=answers, version=F("version") + 1
            )
            moved += 1
    if moved:
        pairs = ", ".join(f"{old} → {new}" for old, new in sorted(renames.items()))
        report.updated.append(f"assignment {spec.slug} (answers moved {pairs}: {moved} stored)")
