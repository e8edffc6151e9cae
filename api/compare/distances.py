"""Distances between communes as the crow flies, and the driving time they suggest.

No road network is available offline, so a driving time is an estimate: the distance as the
crow flies, lengthened by a detour factor, at an average speed. Both constants are stated to
the visitor with every figure ("estimation"), never passed off as an itinerary."""

import math

# Road distance / distance as the crow flies. The one road distance the project's facts
# source (shared/facts, §1.5: Cahors–Toulouse ≈ 115 km by the A20) is 1.22 times the
# 94 km between the two towns' points; rounded up, because departmental roads wind more than
# a motorway.
ROAD_DETOUR_FACTOR = 1.25
# Average speed over that road distance (km/h): an assumption of the project (a mix of
# motorway and departmental roads), not a measurement. With the factor above it gives about
# 2 h from Figeac to Toulouse, the order of magnitude travellers report (facts, §1.5).
AVERAGE_DRIVING_SPEED_KMH = 80.0
# Estimated times are rounded to this many minutes: more precision would be false.
ROUND_MINUTES = 5

METHOD_TEXT = (
    "Distances à vol d'oiseau entre les points représentatifs des communes. Les temps en "
    "voiture sont des estimations (distance × "
    f"{str(ROAD_DETOUR_FACTOR).replace('.', ',')} pour les détours de la route, à "
    f"{AVERAGE_DRIVING_SPEED_KMH:.0f} km/h de moyenne), pas des itinéraires."
)


def driving_minutes(crow_distance_km: float) -> int:
    """Estimated driving time in minutes, rounded to ROUND_MINUTES (at least that much)."""
    minutes = crow_distance_km * ROAD_DETOUR_FACTOR / AVERAGE_DRIVING_SPEED_KMH * 60
    return max(ROUND_MINUTES, int(ROUND_MINUTES * math.floor(minutes / ROUND_MINUTES + 0.5)))


def french_duration(minutes: int) -> str:
    """95 -> "1 h 35", 45 -> "45 min"."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"
