"""How the answer evaluation judges a reply to a question it expects declined."""

from scripts.eval_answers import ROOT, Judge, Turn, out_of_scope_text

BRIVE = "Brive-la-Gaillarde (Corrèze) n'est pas dans le Lot : je ne connais bien que le Lot."


def test_a_place_outside_the_lot_declined_counts_as_out_of_scope_and_an_answer_does_not() -> None:
    judge = Judge(ROOT / "knowledge", out_of_scope_text())
    declined = Turn("une crèche à Brive ?", out_of_scope=True)
    some_entry = next(iter(sorted(judge.ids)))
    answer = next(body for entry_id, body in judge._answers if entry_id == some_entry)

    assert judge.judge(declined, BRIVE)[:1] == (True,)
    assert judge.judge(declined, out_of_scope_text())[:1] == (True,)
    assert judge.judge(declined, f"{BRIVE}\n\n{answer}")[:1] == (False,)
    assert judge.judge(declined, "Voici les crèches de Brive.")[:1] == (False,)
