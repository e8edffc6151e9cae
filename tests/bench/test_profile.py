"""bench.profile names the functions a turn's time goes to, their callees included."""

from pathlib import Path

from bench.profile import OWN_AND_RASA, inclusive


def test_functions_are_ranked_by_the_samples_they_are_on_not_the_entry_point(
    tmp_path: Path,
) -> None:
    main = "main (rasa/__main__.py:1)"
    handle = "handle_message (rasa/core/processor.py:10)"
    states = "past_states (rasa/shared/core/trackers.py:20)"
    loads = "loads (json/__init__.py:5)"
    raw = tmp_path / "rasa.txt"
    raw.write_text(
        f"{main};{handle};{states};{loads} 6\n{main};{handle};{states} 3\n{main};{handle} 1\n"
        f"{main} 10\n",
        encoding="utf-8",
    )

    ranked = inclusive(raw, OWN_AND_RASA)

    assert ranked == [
        ("handle_message (rasa/core/processor.py)", 10),
        ("past_states (rasa/shared/core/trackers.py)", 9),
    ]
