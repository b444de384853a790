"""Straight line times a circuity factor, at an average speed: needs no data at all."""

from __future__ import annotations

from collections.abc import Sequence

from siaga112.domain.dispatch import TravelEstimate
from siaga112.domain.geo import GeoPoint


class StraightLineTravelTimes:
    """ETA = great-circle distance x circuity / speed. The default; also the fallback
    when a road graph or an OSRM server cannot answer."""

    name = "straight_line"

    def __init__(self, *, circuity: float = 1.35, speed_kmh: float = 30.0) -> None:
        if circuity < 1.0 or speed_kmh <= 0:
            raise ValueError("circuity must be >= 1 and speed positive")
        self.circuity = circuity
        self.speed_ms = speed_kmh / 3.6

    def travel_to(self, origins: Sequence[GeoPoint], destination: GeoPoint, *,
                  within_s: float | None = None) -> list[TravelEstimate | None]:
        """Every origin is measured (`within_s` saves nothing here)."""
        out: list[TravelEstimate | None] = []
        for origin in origins:
            meters = origin.distance_m(destination) * self.circuity
            out.append(TravelEstimate(meters / self.speed_ms, meters, self.name))
        return out
