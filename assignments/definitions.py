"""Validating assignment files (``<module>/<slug>.yaml``) with file and line per problem.

The course reader in ``courses.content_files`` calls ``read_assignment`` (through the
handler in ``assignments.content``) for every assignment a module lists. What is
returned is the plain-Python definition that is stored in ``Assignment.config``;
scoring (``assignments.scoring``) relies on the guarantees checked here.
"""

import re
from dataclasses import dataclass, field

import yaml

from assignments.scoring import (
    MIDPOINT,
    PHASE_KEYS_ORDER,
    SCALE,
    dimension_scores,
    quiz_group_quotas,
)
from courses.content_files import MAX_OFFSET_DAYS, TITLE_MAX

ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
COMMON_KEYS = {"kind", "title", "instructions", "due_offset_days"}
KIND_KEYS = {
    "quiz": {"pass_mark", "questions", "max_attempts", "draw"},
    "scan": {
        "result_model",
        "pre_post",
        "pair",
        "dimensions",
        "statements",
        "axes",
        "high_from",
        "quadrants",
        "cutoffs",
        "phases",
    },
    "reflection": {"prompts", "rubric"},
}
KIND_REQUIRED = {
    "quiz": {"pass_mark", "questions"},
    "scan": {"result_model", "dimensions", "statements"},
    "reflection": {"prompts"},
}
QUADRANT_KEYS = ("high_high", "high_low", "low_high", "low_low")
# What a pre and a post scan share, so that their results can be compared.
SCAN_PAIR_SAME = (
    "result_model",
    "dimensions",
    "statements",
    "axes",
    "high_from",
    "cutoffs",
    "phases",
)
PHASE_KEYS = PHASE_KEYS_ORDER
MAX_WORDS_CEILING = 5000
MAX_ATTEMPTS_CEILING = 100
MAX_POINTS = 100
MAX_WEIGHT = 10


@dataclass
class AssignmentSpec:
    slug: str
    kind: str
    title: str
    instructions: str
    due_offset_days: int
    config: dict = field(default_factory=dict)
    # Not stored: old id -> new id from ``replaces`` (per list: "prompts", "questions").
    renames: dict[str, dict[str, str]] = field(default_factory=dict)
    # Not stored: where things are in the file, for problems found against stored work.
    lines: dict[str, int] = field(default_factory=dict)


def _line(node) -> int:
    return node.start_mark.line + 1


class _Checker:
    """Node-level checks; ``reader`` is the course reader that collects problems."""

    def __init__(self, reader, file: str):
        self.reader = reader
        self.file = file

    def problem(self, node, message: str) -> None:
        self.reader.problem(self.file, _line(node) if node is not None else None, message)

    def mapping(self, node, allowed, required, what):
        return self.reader.mapping(node, self.file, set(allowed), set(required), what)

    def sequence(self, node, what, *, minimum=1) -> list:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{what} must be a list")
            return []
        if len(node.value) < minimum:
            self.problem(node, f"{what} needs at least {minimum} item(s)")
        return node.value

    def text(self, node, what, *, required=True, max_length=None) -> str:
        return self.reader.text(node, self.file, what, required=required, max_length=max_length)

    def ident(self, node, what, seen: dict) -> str:
        value = self.text(node, what)
        if value and not ID.match(value):
            self.problem(node, f"{what} '{value}' may only hold a-z, 0-9, '_' and '-'")
        elif value in seen:
            self.problem(node, f"duplicate {what} '{value}' (first used on line {seen[value]})")
        elif value:
            seen[value] = _line(node)
        return value

    def integer(self, node, what, *, minimum, maximum) -> int | None:
        return self.reader.integer(node, self.file, what, minimum=minimum, maximum=maximum)

    def number(self, node, what, *, minimum, maximum, default) -> float | None:
        return self.reader.number(
            node, self.file, what, minimum=minimum, maximum=maximum, default=default
        )

    def boolean(self, node, what, *, default: bool) -> bool:
        return self.reader.boolean(node, self.file, what, default=default)

    def replaces(self, items: list[dict], nodes: dict, what: str) -> dict[str, str]:
        """``replaces: <old id>`` on an item: stored answers move from the old id to it.

        The old id must be gone from the list, and only one item can take its place.
        """
        renames: dict[str, str] = {}
        current = {item["id"] for item in items}
        for item in items:
            node = nodes.get(item["id"])
            if node is None or not item["id"]:
                continue
            old = self.text(node, "replaces")
            if old and not ID.match(old):
                self.problem(node, f"replaces '{old}' is not a {what} id")
            elif old in current:
                self.problem(node, f"replaces '{old}', but {what} '{old}' is still in the file")
            elif old in renames:
                self.problem(
                    node, f"{what} '{old}' is replaced twice ('{renames[old]}', '{item['id']}')"
                )
            elif old:
                renames[old] = item["id"]
        return renames

    # --- kinds ---------------------------------------------------------------

    def quiz(self, keys) -> tuple[dict, dict[str, str]]:
        pass_mark = self.integer(keys.get("pass_mark"), "pass_mark", minimum=1, maximum=100)
        questions, seen, replaces_nodes, group_nodes = [], {}, {}, {}
        for q_node in (
            self.sequence(keys.get("questions"), "questions") if keys.get("questions") else []
        ):
            q = self.mapping(
                q_node,
                {"id", "text", "multiple", "options", "replaces", "group"},
                {"id", "text", "options"},
                "a question",
            )
            if q is None:
                continue
            question = {
                "id": self.ident(q.get("id"), "question id", seen),
                "text": self.text(q.get("text"), "question text"),
                "multiple": self.boolean(q.get("multiple"), "multiple", default=False),
                "options": [],
            }
            if q.get("group") is not None:
                question["group"] = self.text(q["group"], "group")
                group_nodes.setdefault(question["group"], q["group"])
                if question["group"] and not ID.match(question["group"]):
                    self.problem(
                        q["group"],
                        f"group '{question['group']}' may only hold a-z, 0-9, '_' and '-'",
                    )
            if q.get("replaces") is not None:
                replaces_nodes[question["id"]] = q["replaces"]
            option_ids: dict = {}
            for o_node in (
                self.sequence(q.get("options"), "options", minimum=2) if q.get("options") else []
            ):
                o = self.mapping(
                    o_node,
                    {"id", "text", "correct", "feedback"},
                    {"id", "text", "feedback"},
                    "an option",
                )
                if o is None:
                    continue
                question["options"].append(
                    {
                        "id": self.ident(o.get("id"), "option id", option_ids),
                        "text": self.text(o.get("text"), "option text"),
                        "correct": self.boolean(o.get("correct"), "correct", default=False),
                        "feedback": self.text(o.get("feedback"), "feedback"),
                    }
                )
            correct = sum(1 for option in question["options"] if option["correct"])
            if question["options"] and not question["multiple"] and correct != 1:
                self.problem(
                    q_node,
                    f"question '{question['id']}' is single-choice but has "
                    f"{correct} correct options (needs exactly 1)",
                )
            if question["options"] and question["multiple"] and correct < 1:
                self.problem(q_node, f"question '{question['id']}' has no correct option")
            questions.append(question)
        max_attempts = self.integer(
            keys.get("max_attempts"), "max_attempts", minimum=1, maximum=MAX_ATTEMPTS_CEILING
        )
        renames = self.replaces(questions, replaces_nodes, "question")
        config = {"pass_mark": pass_mark or 0, "questions": questions, "max_attempts": max_attempts}
        if keys.get("draw") is not None:
            config["draw"] = self.draw(keys["draw"], questions, group_nodes)
        return config, renames

    def draw(self, node, questions: list[dict], group_nodes: dict) -> int | None:
        """``draw``: questions per attempt, taken evenly from the groups of the bank.

        Every group must get at least one question in each attempt, and either every
        question names its group or none does (one bank).
        """
        draw = self.integer(node, "draw", minimum=1, maximum=max(len(questions), 1))
        if draw is None or not questions:
            return draw
        ungrouped = [q["id"] for q in questions if not q.get("group")]
        if group_nodes and ungrouped:
            self.problem(
                node,
                "with draw, either every question names its group or none does; "
                f"without a group: {', '.join(ungrouped)}",
            )
            return draw
        quotas = quiz_group_quotas({"questions": questions, "draw": draw})
        for group, quota in quotas.items():
            if quota == 0:
                self.problem(
                    group_nodes.get(group, node),
                    f"group '{group}' gets no question in an attempt of {draw} "
                    f"(by its share of the {len(questions)} questions): raise draw, "
                    f"or add questions to the group",
                )
        return draw

    def scan(self, keys) -> dict:
        model = self.text(keys.get("result_model"), "result_model")
        if model and model not in {"quadrant", "phase"}:
            self.problem(keys["result_model"], "result_model must be quadrant or phase")
        pre_post = self.text(keys.get("pre_post"), "pre_post", required=False) or ""
        if pre_post and pre_post not in {"pre", "post"}:
            self.problem(keys["pre_post"], "pre_post must be pre or post")
        pair = self.text(keys.get("pair"), "pair", required=False) or ""
        if pre_post == "post" and not pair:
            self.problem(keys.get("pre_post"), "a post scan needs 'pair': the slug of its pre scan")
        if pair and pre_post != "post":
            self.problem(keys.get("pair"), "'pair' is only for a post scan")
        dimensions, dim_ids, dim_nodes = [], {}, {}
        for d_node in (
            self.sequence(keys.get("dimensions"), "dimensions") if keys.get("dimensions") else []
        ):
            d = self.mapping(d_node, {"id", "label"}, {"id", "label"}, "a dimension")
            if d is not None:
                dimensions.append(
                    {
                        "id": self.ident(d.get("id"), "dimension id", dim_ids),
                        "label": self.text(d.get("label"), "dimension label"),
                    }
                )
                dim_nodes[dimensions[-1]["id"]] = d_node
        statements, statement_ids = [], {}
        for s_node in (
            self.sequence(keys.get("statements"), "statements") if keys.get("statements") else []
        ):
            s = self.mapping(
                s_node,
                {"id", "text", "dimension", "weight"},
                {"id", "text", "dimension"},
                "a statement",
            )
            if s is None:
                continue
            dimension = self.text(s.get("dimension"), "statement dimension")
            if dimension and dimension not in dim_ids:
                self.problem(s.get("dimension"), f"unknown dimension '{dimension}'")
            weight = self.number(
                s.get("weight"), "weight", minimum=-MAX_WEIGHT, maximum=MAX_WEIGHT, default=1.0
            )
            if weight == 0:
                self.problem(s.get("weight"), "weight cannot be 0")
            statements.append(
                {
                    "id": self.ident(s.get("id"), "statement id", statement_ids),
                    "text": self.text(s.get("text"), "statement text"),
                    "dimension": dimension,
                    "weight": weight,
                }
            )
        used = {statement["dimension"] for statement in statements}
        balanced = True
        for dimension in dimensions:
            if dimension["id"] and dimension["id"] not in used:
                self.problem(
                    keys.get("dimensions"), f"dimension '{dimension['id']}' has no statements"
                )
                balanced = False
                continue
            weights = [s["weight"] for s in statements if s["dimension"] == dimension["id"]]
            # Agreeing with everything (acquiescence) must not read as a high score.
            if not (any(w > 0 for w in weights) and any(w < 0 for w in weights)):
                self.problem(
                    dim_nodes.get(dimension["id"], keys.get("dimensions")),
                    f"dimension '{dimension['id']}' needs at least one positive and one "
                    f"reversed statement (weight below 0), so that agreeing with everything "
                    f"does not score high",
                )
                balanced = False
        config = {
            "result_model": model,
            "pre_post": pre_post,
            "pair": pair,
            "dimensions": dimensions,
            "statements": statements,
        }
        if model == "quadrant":
            config.update(self.quadrant(keys, dim_ids))
        elif model == "phase":
            config.update(self.phases(keys, dim_ids))
        if balanced and dimensions:
            self.same_answer_stays_below_the_top(config, dim_nodes)
        return config

    def threshold(self, node, what) -> float | None:
        """A cut-off on the 1–5 scale above its middle: a neutral answer (3) is never high."""
        value = self.number(node, what, minimum=SCALE[0], maximum=SCALE[-1], default=None)
        if value is not None and value <= MIDPOINT:
            self.problem(
                node,
                f"{what} must be above {MIDPOINT:g} (the middle of the scale, a neutral "
                f"answer) and at most {SCALE[-1]}",
            )
            return None
        return value

    def same_answer_stays_below_the_top(self, config, dim_nodes) -> None:
        """Giving every statement the same answer must not reach the top outcome: the
        quadrant axes stay below ``high_from``, "able" stays below ``automatic``."""
        if config["result_model"] == "quadrant":
            limit = config.get("high_from")
            checked = [(config.get("axes", {}).get(axis), "high_from") for axis in ("x", "y")]
        else:
            limit = config.get("cutoffs", {}).get("automatic")
            checked = [(config.get("axes", {}).get("able"), "cutoffs.automatic")]
        if limit is None:
            return
        for value in (SCALE[0], SCALE[-1]):
            scores = dimension_scores(config, {s["id"]: value for s in config["statements"]})
            for dimension, name in checked:
                if dimension in scores and scores[dimension] >= limit:
                    self.problem(
                        dim_nodes.get(dimension),
                        f"answering every statement {value} gives dimension '{dimension}' "
                        f"{scores[dimension]:g}, which reaches {name} ({limit:g}): balance "
                        f"its positive and reversed statements",
                    )
                    checked.remove((dimension, name))

    def quadrant(self, keys, dim_ids) -> dict:
        for name in ("phases", "cutoffs"):
            if name in keys:
                self.problem(keys[name], f"'{name}' belongs to the phase model")
        axes_node, quadrants_node = keys.get("axes"), keys.get("quadrants")
        if axes_node is None or quadrants_node is None or "high_from" not in keys:
            self.problem(
                keys.get("result_model"),
                "a quadrant scan needs 'axes', 'high_from' (where a dimension turns high, "
                "above 3, e.g. 3.75) and 'quadrants'",
            )
            return {}
        high_from = self.threshold(keys["high_from"], "high_from")
        axes = self.mapping(axes_node, {"x", "y"}, {"x", "y"}, "axes") or {}
        result_axes = {}
        for name, node in axes.items():
            value = self.text(node, f"axis {name}")
            if value not in dim_ids:
                self.problem(node, f"axis {name} names unknown dimension '{value}'")
            result_axes[name] = value
        quadrants = self.mapping(quadrants_node, QUADRANT_KEYS, QUADRANT_KEYS, "quadrants") or {}
        result = {}
        for key, node in quadrants.items():
            q = self.mapping(node, {"title", "explanation"}, {"title", "explanation"}, key) or {}
            result[key] = {
                "title": self.text(q.get("title"), f"{key} title"),
                "explanation": self.text(q.get("explanation"), f"{key} explanation"),
            }
        return {"axes": result_axes, "high_from": high_from, "quadrants": result}

    def phases(self, keys, dim_ids) -> dict:
        for name in ("quadrants", "high_from"):
            if name in keys:
                self.problem(keys[name], f"'{name}' belongs to the quadrant model")
        node = keys.get("phases")
        if node is None or "axes" not in keys or "cutoffs" not in keys:
            self.problem(
                keys.get("result_model"),
                "a phase scan needs 'axes' (aware, able), 'cutoffs' (aware, able, automatic) "
                "and 'phases'",
            )
            return {}
        axes = self.mapping(keys["axes"], {"aware", "able"}, {"aware", "able"}, "axes") or {}
        result_axes = {}
        for name, axis_node in axes.items():
            value = self.text(axis_node, f"axis {name}")
            if value not in dim_ids:
                self.problem(axis_node, f"axis {name} names unknown dimension '{value}'")
            result_axes[name] = value
        if len(result_axes) == 2 and result_axes["aware"] == result_axes["able"]:
            self.problem(keys["axes"], "axes aware and able must name two different dimensions")
        names = ("aware", "able", "automatic")
        cutoff_nodes = self.mapping(keys["cutoffs"], names, names, "cutoffs") or {}
        cutoffs = {
            name: self.threshold(cutoff_node, f"cutoffs {name}")
            for name, cutoff_node in cutoff_nodes.items()
        }
        if (
            cutoffs.get("able") is not None
            and cutoffs.get("automatic") is not None
            and cutoffs["automatic"] <= cutoffs["able"]
        ):
            self.problem(
                cutoff_nodes["automatic"],
                "cutoffs automatic must be above cutoffs able: klantbekwaam asks more than able",
            )
        phases = []
        for p_node in self.sequence(node, "phases", minimum=4):
            p = self.mapping(
                p_node,
                {"key", "title", "min_score", "explanation"},
                {"key", "title", "explanation"},
                "a phase",
            )
            if p is None:
                continue
            if "min_score" in p:
                self.problem(
                    p["min_score"],
                    "min_score is from the first edition: edition 2 scores a phase by 'axes' "
                    "and 'cutoffs'; remove min_score",
                )
            phases.append(
                {
                    "key": self.text(p.get("key"), "phase key"),
                    "title": self.text(p.get("title"), "phase title"),
                    "explanation": self.text(p.get("explanation"), "phase explanation"),
                }
            )
        if [phase["key"] for phase in phases] != list(PHASE_KEYS):
            self.problem(node, "phases must be exactly " + ", ".join(PHASE_KEYS) + " in that order")
        return {"axes": result_axes, "cutoffs": cutoffs, "phases": phases}

    def reflection(self, keys) -> tuple[dict, dict[str, str]]:
        prompts, seen, replaces_nodes = [], {}, {}
        for p_node in self.sequence(keys.get("prompts"), "prompts") if keys.get("prompts") else []:
            p = self.mapping(
                p_node,
                {"id", "label", "help", "min_words", "max_words", "required", "replaces"},
                {"id", "label"},
                "a prompt",
            )
            if p is None:
                continue
            min_words = (
                self.integer(p.get("min_words"), "min_words", minimum=0, maximum=MAX_WORDS_CEILING)
                or 0
            )
            max_words = (
                self.integer(p.get("max_words"), "max_words", minimum=1, maximum=MAX_WORDS_CEILING)
                or 1000
            )
            if min_words > max_words:
                self.problem(p_node, "min_words is larger than max_words")
            prompts.append(
                {
                    "id": self.ident(p.get("id"), "prompt id", seen),
                    "label": self.text(p.get("label"), "prompt label"),
                    "help": self.text(p.get("help"), "help", required=False),
                    "min_words": min_words,
                    "max_words": max_words,
                    "required": self.boolean(p.get("required"), "required", default=True),
                }
            )
            if p.get("replaces") is not None:
                replaces_nodes[prompts[-1]["id"]] = p["replaces"]
        if prompts and not any(prompt["required"] for prompt in prompts):
            self.problem(keys.get("prompts"), "at least one prompt must be required")
        rubric = {"criteria": [], "pass_level": None}
        if keys.get("rubric") is not None:
            r = (
                self.mapping(keys["rubric"], {"criteria", "pass_level"}, {"criteria"}, "rubric")
                or {}
            )
            criterion_ids: dict = {}
            for c_node in self.sequence(r.get("criteria"), "criteria") if r.get("criteria") else []:
                c = self.mapping(
                    c_node, {"id", "title", "levels"}, {"id", "title", "levels"}, "a criterion"
                )
                if c is None:
                    continue
                levels = []
                for l_node in (
                    self.sequence(c.get("levels"), "levels", minimum=2) if c.get("levels") else []
                ):
                    lv = self.mapping(
                        l_node,
                        {"points", "title", "description", "example"},
                        {"points", "title", "description"},
                        "a level",
                    )
                    if lv is not None:
                        levels.append(
                            {
                                "points": self.integer(
                                    lv.get("points"), "points", minimum=0, maximum=MAX_POINTS
                                )
                                or 0,
                                "title": self.text(lv.get("title"), "level title"),
                                "description": self.text(
                                    lv.get("description"), "level description"
                                ),
                                # An anchor example: what an answer at this level sounds like.
                                "example": self.text(
                                    lv.get("example"), "level example", required=False
                                ),
                            }
                        )
                points = [level["points"] for level in levels]
                if points != sorted(set(points)):
                    self.problem(c.get("levels"), "levels must rise in points, each different")
                rubric["criteria"].append(
                    {
                        "id": self.ident(c.get("id"), "criterion id", criterion_ids),
                        "title": self.text(c.get("title"), "criterion title"),
                        "levels": levels,
                    }
                )
            if r.get("pass_level") is not None:
                rubric["pass_level"] = self.pass_level(r["pass_level"], rubric["criteria"])
        renames = self.replaces(prompts, replaces_nodes, "prompt")
        return {"prompts": prompts, "rubric": rubric}, renames

    def pass_level(self, node, criteria: list[dict]) -> int | None:
        """Approving needs every criterion at ``pass_level`` or higher: one of each's levels."""
        level = self.integer(node, "pass_level", minimum=0, maximum=MAX_POINTS)
        if level is None:
            return None
        for criterion in criteria:
            points = [lv["points"] for lv in criterion["levels"]]
            if level not in points:
                self.problem(
                    node,
                    f"pass_level {level} is not a level of criterion '{criterion['id']}' "
                    f"(its levels: {', '.join(str(p) for p in points)})",
                )
        return level


def read_assignment(reader, module_slug: str, slug: str) -> AssignmentSpec | None:
    file = f"{module_slug}/{slug}.yaml"
    text = reader.read_text(reader.folder / module_slug / f"{slug}.yaml", file)
    if text is None:
        return None
    root = reader.load_yaml(text, file)
    if root is None:
        if not any(problem.file == file for problem in reader.problems):
            reader.problem(file, 1, "the assignment file is empty")
        return None
    checker = _Checker(reader, file)
    kind_node = root.value[0][1] if isinstance(root, yaml.MappingNode) and root.value else None
    kind = ""
    for key_node, value_node in root.value if isinstance(root, yaml.MappingNode) else []:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == "kind":
            kind = str(value_node.value) if isinstance(value_node, yaml.ScalarNode) else ""
            kind_node = value_node
    if kind not in KIND_KEYS:
        reader.problem(
            file, _line(kind_node) if kind_node else 1, "kind must be quiz, scan or reflection"
        )
        return None
    keys = checker.mapping(
        root,
        COMMON_KEYS | KIND_KEYS[kind],
        {"kind", "title", "due_offset_days"} | KIND_REQUIRED[kind],
        f"the {kind}",
    )
    if keys is None:
        return None
    spec = AssignmentSpec(
        slug=slug,
        kind=kind,
        title=checker.text(keys.get("title"), "title", max_length=TITLE_MAX),
        instructions=checker.text(keys.get("instructions"), "instructions", required=False),
        due_offset_days=checker.integer(
            keys.get("due_offset_days"), "due_offset_days", minimum=0, maximum=MAX_OFFSET_DAYS
        )
        or 0,
        lines={name: _line(node) for name, node in keys.items()} | {"kind": _line(kind_node)},
    )
    if kind == "quiz":
        spec.config, spec.renames["questions"] = checker.quiz(keys)
    elif kind == "scan":
        spec.config = checker.scan(keys)
    else:
        spec.config, spec.renames["prompts"] = checker.reflection(keys)
    return spec


def check_scan_pairs(reader, modules) -> None:
    """A post scan names a pre scan of the same course that asks and scores the same."""
    located = [(m.slug, a) for m in modules for a in m.items.get("assignments", [])]
    scans = {a.slug: a for _module, a in located if a.kind == "scan"}
    for module_slug, scan in located:
        pair = scan.config.get("pair") if scan.kind == "scan" else None
        if not pair:
            continue
        where = f"{module_slug}/{scan.slug}.yaml"
        pre = scans.get(pair)
        if pre is None or pre.config.get("pre_post") != "pre":
            reader.problem(
                where, scan.lines.get("pair"), f"pair '{pair}' is not a pre scan of this course"
            )
        else:
            differ = [
                name for name in SCAN_PAIR_SAME if pre.config.get(name) != scan.config.get(name)
            ]
            if differ:
                reader.problem(
                    where,
                    scan.lines.get(differ[0]),
                    f"a post scan must ask and score what '{pair}' does; these differ: "
                    + ", ".join(differ),
                )


def check_rubric_scales(reader, modules) -> None:
    """One rubric scale per course: every rubric uses the same level points on every
    criterion and the same ``pass_level``, so a level means the same in each reflection.

    The first reflection with a rubric (in course order) sets the scale; each file that
    differs from it gets one problem per difference, naming both files.
    """
    reference = None
    for module in modules:
        for spec in module.items.get("assignments", []):
            rubric = spec.config.get("rubric") or {}
            if spec.kind != "reflection" or not rubric.get("criteria"):
                continue
            where = f"{module.slug}/{spec.slug}.yaml"
            if reference is None:
                first = rubric["criteria"][0]
                reference = {
                    "file": where,
                    "points": [level["points"] for level in first["levels"]],
                    "pass_level": rubric.get("pass_level"),
                }
            line = spec.lines.get("rubric")
            for criterion in rubric["criteria"]:
                points = [level["points"] for level in criterion["levels"]]
                if points != reference["points"]:
                    reader.problem(
                        where,
                        line,
                        f"criterion '{criterion['id']}' has levels "
                        f"{_listed(points)}, but the course's rubric scale (set by "
                        f"{reference['file']}) is {_listed(reference['points'])}: every "
                        f"rubric of a course uses one scale",
                    )
                    break
            if rubric.get("pass_level") != reference["pass_level"]:
                reader.problem(
                    where,
                    line,
                    f"pass_level is {_or_none(rubric.get('pass_level'))}, but "
                    f"{reference['file']} sets {_or_none(reference['pass_level'])}: every "
                    f"rubric of a course uses one pass_level",
                )


def _listed(points: list[int]) -> str:
    return ", ".join(str(p) for p in points)


def _or_none(value) -> str:
    return "not set" if value is None else str(value)
