"""The answer evaluation's held-out questions (reported split, last development batch) are
never among the entries' example questions: attaching tuning questions to entries is
training, and the reported figure must stay one on questions the search never saw."""

import re

from api.knowledge.service import KnowledgeService
from api.territory.normalize import fold
from scripts.attach_examples import HELD_OUT
from scripts.eval_answers import load_items


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


def test_no_held_out_question_is_an_example_question_of_an_entry(
    real_knowledge: KnowledgeService,
) -> None:
    examples = {
        _key(question): entry_id
        for entry_id, loaded in real_knowledge.snapshot.by_id.items()
        for question in loaded.questions
    }
    held_out = [
        item
        for item in load_items()
        if item.split in HELD_OUT or any(f"/{batch}.yml" in item.source for batch in HELD_OUT)
    ]
    assert len(held_out) > 300
    leaked = [
        (turn.text, examples[_key(turn.text)])
        for item in held_out
        for turn in item.turns
        if _key(turn.text) in examples
    ]
    assert leaked == []
