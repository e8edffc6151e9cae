"""bench/report.py merges the long-conversation and production-topology parts."""

from pathlib import Path

import pytest

from bench import report


@pytest.fixture
def parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(report, "PARTS", tmp_path)
    return tmp_path


def long_conversation(ratio: float) -> dict[str, object]:
    return {
        "conversations": 3,
        "turns_per_conversation": 44,
        "round": "three questions",
        "errors": 0,
        "tracker_events_at_end": 392,
        "target_ratio": 1.2,
        "turn_1": {"samples": 3, "p50_ms": 50.0, "p95_ms": 55.0},
        "turn_40": {"samples": 3, "p50_ms": 50.0 * ratio, "p95_ms": 70.0},
        "ratio_p50": ratio,
        "rounds": {
            "turns": ["1-3", "40-42"],
            "first_p50_ms": 50.0,
            "later_p50_ms": 60.0,
            "ratio_p50": 1.2,
        },
    }


def test_the_long_conversation_ratio_is_a_target(parts: Path) -> None:
    report.write_part("long_conversation", long_conversation(1.5))

    merged = report.merge()

    assert merged["long_conversation"]["ratio_p50"] == 1.5
    target = next(t for t in merged["targets"] if t["target"].startswith("long conversation"))
    assert target == {
        "target": "long conversation: turn 40 p50 vs turn 1",
        "value": 1.5,
        "limit": "<= 1.2x",
        "met": False,
    }
    assert "Turn 1 p50 50 ms, turn 40 p50 75 ms: 1.5x" in report.markdown(merged)


def test_a_production_topology_that_could_not_run_says_why(parts: Path) -> None:
    report.write_part("open_loop_prod", {"skipped": "Redis at 127.0.0.1:6379 does not answer"})

    merged = report.merge()

    assert merged["open_loop_prod"] == {"skipped": "Redis at 127.0.0.1:6379 does not answer"}
    assert "Not measured: Redis at 127.0.0.1:6379 does not answer" in report.markdown(merged)
    assert merged["long_conversation"] is None


def test_the_production_levels_are_drawn_against_the_target(tmp_path: Path) -> None:
    rows = [
        {"visitors": v, "p50_ms": p50, "p95_ms": p95}
        for v, p50, p95 in ((100, 40.0, 250.0), (200, 90.0, 700.0), (400, 900.0, 4000.0))
    ]
    png = tmp_path / "scaling.png"

    report.plot_prod_scaling({"open_loop_prod": {"levels": rows}, "open_loop": None}, png)

    assert png.read_bytes().startswith(b"\x89PNG")
