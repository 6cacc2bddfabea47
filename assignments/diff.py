"""A word-level comparison of two revisions of a text, for the trainer's grading page.

Words are compared, not characters: a trainer wants to see which words the learner
added or removed, not which letters. Whitespace travels with the word before it,
so line breaks stay where the learner put them (the page shows the text with
``white-space: pre-wrap``), and a change of spacing alone is no change. The parts
are plain text; the template escapes them and wraps them in ``<ins>``/``<del>``.
"""

import difflib
import re
from dataclasses import dataclass

EQUAL, INSERTED, DELETED = "equal", "inserted", "deleted"

# A word with the whitespace after it, or whitespace at the very start.
_TOKEN = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True)
class DiffPart:
    kind: str  # EQUAL, INSERTED or DELETED
    text: str

    @property
    def is_inserted(self) -> bool:
        return self.kind == INSERTED

    @property
    def is_deleted(self) -> bool:
        return self.kind == DELETED


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def word_diff(old: str, new: str) -> list[DiffPart]:
    """``new`` compared with ``old``: unchanged, inserted and deleted runs of words.

    Neighbouring tokens of one kind are merged into one part, so a rewritten
    sentence is one deletion followed by one insertion.
    """
    old_tokens, new_tokens = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(
        a=[token.strip() for token in old_tokens],
        b=[token.strip() for token in new_tokens],
        autojunk=False,
    )
    parts: list[DiffPart] = []

    def add(kind: str, tokens: list[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if parts and parts[-1].kind == kind:
            parts[-1] = DiffPart(kind, parts[-1].text + text)
        else:
            parts.append(DiffPart(kind, text))

    for op, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if op == "equal":
            add(EQUAL, new_tokens[b_start:b_end])
            continue
        if op in {"delete", "replace"}:
            add(DELETED, old_tokens[a_start:a_end])
        if op in {"insert", "replace"}:
            add(INSERTED, new_tokens[b_start:b_end])
    return parts


def has_changes(parts: list[DiffPart]) -> bool:
    return any(part.kind != EQUAL for part in parts)
