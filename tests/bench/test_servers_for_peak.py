"""How many servers a stated peak needs, from the production topology's open-loop levels."""

from bench.open_loop_prod import servers_for_peak


def level(visitors: int, p95_ms: float | None, errors: int = 0) -> dict[str, object]:
    return {"visitors": visitors, "p95_ms": p95_ms, "errors": errors}


def test_the_largest_level_under_the_target_sizes_the_servers() -> None:
    levels = [level(400, 950.0), level(100, 120.0), level(200, 280.0)]

    estimate = servers_for_peak(levels, peak_visitors=500, p95_limit_ms=300.0)

    assert estimate["visitors_per_server"] == 200
    assert estimate["servers"] == 3
    assert "ceil(500 / 200) = 3" in estimate["derivation"]


def test_a_level_with_errors_or_after_a_missed_level_does_not_count() -> None:
    with_errors = [level(100, 120.0), level(200, 150.0, errors=2), level(400, 200.0)]
    after_a_miss = [level(100, 120.0), level(200, 310.0), level(400, 250.0)]

    assert servers_for_peak(with_errors, 400, 300.0)["visitors_per_server"] == 100
    assert servers_for_peak(after_a_miss, 400, 300.0)["visitors_per_server"] == 100


def test_no_estimate_when_even_the_smallest_level_misses_the_target() -> None:
    estimate = servers_for_peak([level(100, 1400.0), level(200, None)], 400, 300.0)

    assert estimate["servers"] is None
    assert "not even the smallest (100 visitors)" in estimate["derivation"]
