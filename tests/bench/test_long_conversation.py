"""The long-conversation benchmark compares like with like: turn 40 against turn 1."""

import pytest

from bench.long_conversation import compare_turns, long_script
from bench.visitors import GOODBYES, THANKS, THEME_WITH_TOWN


def test_turn_40_asks_the_same_kind_of_question_as_turn_1() -> None:
    script = long_script()

    assert script[0] == script[39] == THEME_WITH_TOWN
    assert script[-2:] == (THANKS, GOODBYES)
    assert len(script) == 44


def test_a_later_turn_that_does_not_start_a_round_is_refused() -> None:
    with pytest.raises(ValueError, match="turn 41 must start a round"):
        long_script(41)


def test_turn_40_and_its_round_are_compared_with_turn_1_and_the_first_round() -> None:
    # Three conversations of 44 turns: turn 1 takes 50 ms, turns 40-42 take 60 ms.
    latencies = [[0.05] * 3 if turn == 0 else [0.04] * 3 for turn in range(44)]
    for turn in (39, 40, 41):
        latencies[turn] = [0.06] * 3

    result = compare_turns(latencies)

    assert result["turn_1"] == {"samples": 3, "p50_ms": 50.0, "p95_ms": 50.0}
    assert result["turn_40"]["p50_ms"] == 60.0
    assert result["ratio_p50"] == 1.2
    assert result["rounds"]["turns"] == ["1-3", "40-42"]
    assert result["rounds"]["first_p50_ms"] == 40.0
    assert result["rounds"]["ratio_p50"] == 1.5
    assert len(result["p50_ms_by_turn"]) == 44
