"""How the answer evaluation judges a reply to a question it expects declined."""

from api.knowledge.service import KnowledgeService
from scripts.eval_answers import ROOT, Judge, Turn, out_of_scope_text

BRIVE = "Brive-la-Gaillarde (Corrèze) n'est pas dans le Lot : je ne connais bien que le Lot."


def test_a_place_outside_the_lot_declined_counts_as_out_of_scope_and_an_answer_does_not(
    real_knowledge: KnowledgeService,
) -> None:
    judge = Judge(ROOT / "knowledge", out_of_scope_text())
    declined = Turn("une crèche à Brive ?", out_of_scope=True)
    answer = real_knowledge.snapshot.by_id["creche-petite-enfance-lot"].entry.answer

    assert judge.judge(declined, BRIVE)[:1] == (True,)
    assert judge.judge(declined, out_of_scope_text())[:1] == (True,)
    assert judge.judge(declined, f"{BRIVE}\n\n{answer}")[:1] == (False,)
    assert judge.judge(declined, "Voici les crèches de Brive.")[:1] == (False,)
