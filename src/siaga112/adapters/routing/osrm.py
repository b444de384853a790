"""A client for an OSRM server's table service, for centers that run one.

One request per recommendation: `GET /table/v1/{profile}/{dest};{origins...}
?sources=1;2;...&destinations=0&annotations=duration,distance`.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from siaga112.domain.dispatch import TravelEstimate
from siaga112.domain.geo import GeoPoint


class RoutingUnavailable(Exception):
    """The routing service did not answer usefully; callers fall back to the straight line."""


class OsrmTravelTimes:
    name = "osrm"

    def __init__(self, base_url: str, *, profile: str = "driving", timeout: float = 2.0,
                 client: httpx.Client | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.profile = profile
        self._client = client or httpx.Client(timeout=timeout)

    def travel_to(self, origins: Sequence[GeoPoint], destination: GeoPoint, *,
                  within_s: float | None = None) -> list[TravelEstimate | None]:
        """Every origin is measured (`within_s` saves nothing here)."""
        if not origins:
            return []
        coords = ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in (destination, *origins))
        sources = ";".join(str(i) for i in range(1, len(origins) + 1))
        url = f"{self.base_url}/table/v1/{self.profile}/{coords}"
        try:
            response = self._client.get(url, params={
                "sources": sources, "destinations": "0", "annotations": "duration,distance"})
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RoutingUnavailable(f"OSRM at {self.base_url}: {exc}") from None
        if response.status_code != 200 or body.get("code") != "Ok":
            raise RoutingUnavailable(f"OSRM at {self.base_url}: HTTP {response.status_code} "
                                     f"{body.get('code')}: {body.get('message', '')}".strip())
        durations, distances = body.get("durations"), body.get("distances")
        if not isinstance(durations, list) or len(durations) != len(origins) \
                or not isinstance(distances, list) or len(distances) != len(origins):
            raise RoutingUnavailable(f"OSRM at {self.base_url}: the table does not match "
                                     f"the {len(origins)} origins asked")
        out: list[TravelEstimate | None] = []
        for dur_row, dist_row in zip(durations, distances, strict=True):
            seconds, meters = dur_row[0], dist_row[0]
            out.append(None if seconds is None or meters is None
                       else TravelEstimate(float(seconds), float(meters), self.name))
        return out
