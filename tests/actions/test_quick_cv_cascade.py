"""The cascade measure of bot/nlu/quick_cv.py: which messages it sends to the second
classifier and how it combines the two rankings (docs/nlu.md, "A cascade")."""

from __future__ import annotations

import numpy as np

from bot.nlu.quick_cv import Route, _routes

FIRST = np.array(
    [
        [0.90, 0.05, 0.05],  # sure: stays with the first classifier
        [0.30, 0.25, 0.45],  # low top confidence (0.45)
        [0.48, 0.44, 0.08],  # close second (margin 0.04)
    ]
)
SECOND = np.array([[0.1, 0.8, 0.1], [0.7, 0.2, 0.1], [0.2, 0.7, 0.1]])


def test_routes_low_confidence_or_close_second() -> None:
    assert Route(0.5, 0.0, "replace").routed(FIRST).tolist() == [False, True, True]
    assert Route(0.0, 0.05, "replace").routed(FIRST).tolist() == [False, False, True]
    assert Route(0.4, 0.0, "replace").routed(FIRST).tolist() == [False, False, False]


def test_replace_takes_the_second_ranking_for_routed_messages_only() -> None:
    combined = Route(0.5, 0.0, "replace").combine(FIRST, SECOND)
    assert np.allclose(combined[0], FIRST[0])
    assert np.allclose(combined[1:], SECOND[1:])


def test_average_mixes_both_rankings() -> None:
    combined = Route(0.0, 0.05, "average").combine(FIRST, SECOND)
    assert np.allclose(combined[:2], FIRST[:2])
    assert np.allclose(combined[2], [0.34, 0.57, 0.09])


def test_grid_leaves_out_the_route_that_sends_nothing() -> None:
    routes = _routes()
    assert all(route.confidence or route.margin for route in routes)
    assert {route.mode for route in routes} == {"replace", "average"}
