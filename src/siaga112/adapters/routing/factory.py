"""Builds the center's travel-time provider from its `[routing]` section."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from siaga112.adapters.routing.osm_graph import OsmTravelTimes, RoadNetworkError
from siaga112.adapters.routing.osrm import OsrmTravelTimes, RoutingUnavailable
from siaga112.adapters.routing.straight_line import StraightLineTravelTimes
from siaga112.config import RoutingConfig
from siaga112.domain.dispatch import TravelEstimate
from siaga112.domain.geo import GeoPoint
from siaga112.services.ports import TravelTimeProvider

log = logging.getLogger(__name__)


class WithFallback:
    """A 112 center keeps dispatching when its router fails: the straight line answers
    instead, and each estimate says so in its method."""

    def __init__(self, primary: TravelTimeProvider, fallback: TravelTimeProvider) -> None:
        self.primary, self.fallback = primary, fallback
        self.name = primary.name

    def warm(self) -> None:
        """Prepare the primary provider (build a road graph) at start; never fatal."""
        warm = getattr(self.primary, "warm", None)
        if warm is not None:
            try:
                warm()
            except (RoadNetworkError, OSError) as exc:
                log.error("routing by %s unavailable, the straight line will answer: %s",
                          self.name, exc)

    def travel_to(self, origins: Sequence[GeoPoint], destination: GeoPoint, *,
                  within_s: float | None = None) -> list[TravelEstimate | None]:
        try:
            return self.primary.travel_to(origins, destination, within_s=within_s)
        except (RoutingUnavailable, RoadNetworkError, OSError) as exc:
            log.warning("routing by %s failed, using the straight line: %s", self.name, exc)
            return [None if e is None else TravelEstimate(
                        e.seconds, e.meters, f"{e.method} (fallback: {self.name} failed)")
                    for e in self.fallback.travel_to(origins, destination)]


def travel_time_provider(config: RoutingConfig, *, base_dir: Path | None = None
                         ) -> TravelTimeProvider:
    straight = StraightLineTravelTimes(circuity=config.circuity, speed_kmh=config.speed_kmh)
    if config.provider == "osm":
        assert config.osm_file is not None
        path = Path(config.osm_file)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        return WithFallback(OsmTravelTimes(path, speeds_kmh=config.speeds_kmh,
                                           access_speed_kmh=config.access_speed_kmh,
                                           max_snap_m=config.max_snap_m), straight)
    if config.provider == "osrm":
        assert config.osrm_url is not None
        return WithFallback(OsrmTravelTimes(config.osrm_url, profile=config.osrm_profile,
                                            timeout=config.timeout_seconds), straight)
    return straight
