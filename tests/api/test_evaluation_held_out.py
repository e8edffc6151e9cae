"""The answer evaluation's held-out questions (reported split, last development batch) are
never among the entries' example questions: attaching tuning questions to entries is
training, and the reported figure must stay one on questions the search never saw."""

from api.knowledge.service import KnowledgeService
from scripts.attach_examples import HELD_OUT, group, wording
from scripts.eval_answers import load_items


def test_no_held_out_question_is_an_example_question_of_an_entry(
    real_knowledge: KnowledgeService,
) -> None:
    examples = {
        wording(question): entry_id
        for entry_id, loaded in real_knowledge.snapshot.by_id.items()
        for question in loaded.questions
    }
    held_out = [item for item in load_items() if group(item) in HELD_OUT]
    assert len(held_out) > 300
    leaked = [
        (turn.text, examples[wording(turn.text)])
        for item in held_out
        for turn in item.turns
        if wording(turn.text) in examples
    ]
    assert leaked == []
