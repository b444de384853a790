"""Travel times on the road network of an OpenStreetMap file (`.osm` or `.osm.pbf`).

The file is read once with pyosmium into a directed graph (one-way streets honoured,
a speed per road class) held as a scipy CSR matrix; ADR 0006 gives the measurements
behind scipy.sparse.csgraph. A query snaps the incident and the units to their nearest
road segment and runs ONE Dijkstra from the incident over the reversed graph: the time
from every node to the incident at once, whatever the number of units.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import osmium
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from siaga112.domain.dispatch import TravelEstimate
from siaga112.domain.geo import EARTH_RADIUS_M, GeoPoint

ONE_WAY = {"yes", "true", "1"}
REVERSED = {"-1", "reverse"}
CLOSED = {"no", "private"}
SAMPLE_SPACING_M = 25.0  # snapping looks at points this far apart along every segment
SNAP_CANDIDATES = 6
SNAP_CACHE_SIZE = 200_000
AT_NODE = 1e-9  # a snapped position this close to a segment's end is at that node


# One Dijkstra gives time AND distance: each edge weighs milliseconds * 2**24 + decimetres,
# whole numbers that float64 adds exactly (below 2**53). The fastest path wins (distance
# only breaks ties) and both sums come back apart. Limits: 149 h and 1,677 km per path.
SHIFT = float(2 ** 24)


def pack(seconds: np.ndarray | float, meters: np.ndarray | float) -> np.ndarray | float:
    ms = np.round(np.asarray(seconds) * 1000.0)
    dm = np.maximum(np.round(np.asarray(meters) * 10.0), 1.0)  # never 0: CSR drops zeros
    return ms * SHIFT + dm


def unpack(packed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Seconds and meters of each packed path length (inf stays inf: unreachable)."""
    with np.errstate(invalid="ignore"):
        ms = np.floor(packed / SHIFT)
        dm = packed - ms * SHIFT
    return ms / 1000.0, np.where(np.isfinite(packed), dm / 10.0, np.inf)


class RoadNetworkError(Exception):
    """The OSM file cannot be read or holds no usable road."""


@dataclass(frozen=True)
class Snap:
    segment: np.ndarray  # index of the nearest segment, per point
    t: np.ndarray  # position along it, 0 at node a, 1 at node b
    off_m: np.ndarray  # distance from the point to the road

    def tuple0(self) -> tuple[int, float, float]:
        return int(self.segment[0]), float(self.t[0]), float(self.off_m[0])


class RoadGraph:
    """Nodes, segments and the reversed directed graph, ready for one-to-all queries."""

    def __init__(self, lat: np.ndarray, lon: np.ndarray, seg_a: np.ndarray, seg_b: np.ndarray,
                 seg_len: np.ndarray, seg_fw: np.ndarray, seg_bw: np.ndarray) -> None:
        self.lat, self.lon = lat, lon
        self.seg_a, self.seg_b, self.seg_len = seg_a, seg_b, seg_len
        self.seg_fw, self.seg_bw = seg_fw, seg_bw  # seconds a->b and b->a; inf: not allowed
        self.n = len(lat)
        self._lat0 = math.radians(float(np.mean(lat)))
        self._lock = threading.Lock()
        self._snaps: dict[tuple[float, float], tuple[int, float, float]] = {}
        self._build_reverse()
        self._build_snapping()

    @property
    def node_count(self) -> int:
        return self.n

    @property
    def edge_count(self) -> int:
        return int(np.isfinite(self.seg_fw).sum() + np.isfinite(self.seg_bw).sum())

    # --- building ----------------------------------------------------------------------
    def _build_reverse(self) -> None:
        """CSR of the reversed graph (row: where an edge ends), plus a virtual node `n`
        (the incident) whose two slots at the very end are set per query."""
        fw, bw = np.isfinite(self.seg_fw), np.isfinite(self.seg_bw)
        src = np.concatenate([self.seg_a[fw], self.seg_b[bw]])
        dst = np.concatenate([self.seg_b[fw], self.seg_a[bw]])
        cost = np.concatenate([self.seg_fw[fw], self.seg_bw[bw]])
        length = np.concatenate([self.seg_len[fw], self.seg_len[bw]])
        size = self.n + 1
        # Parallel ways between the same two nodes: keep the fastest (CSR would add them up).
        key = dst.astype(np.int64) * size + src
        order = np.lexsort((cost, key))
        key, cost, length = key[order], cost[order], length[order]
        first = np.ones(len(key), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        key, cost, length = key[first], cost[first], length[first]
        rows, cols = key // size, key % size
        indptr = np.zeros(size + 1, dtype=np.int64)
        np.add.at(indptr, rows + 1, 1)
        indptr = np.cumsum(indptr)
        indptr[-1] += 2  # the virtual node's two slots
        indices = np.concatenate([cols, [self.n, self.n]]).astype(np.int32)
        data = np.concatenate([pack(cost, length), [1.0, 1.0]])
        self._rev = csr_matrix((data, indices, indptr.astype(np.int32)), shape=(size, size))

    def _project(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        return np.column_stack([EARTH_RADIUS_M * np.radians(lon) * math.cos(self._lat0),
                                EARTH_RADIUS_M * np.radians(lat)])

    def _build_snapping(self) -> None:
        xy = self._project(self.lat, self.lon)
        self._xy = xy
        pieces = np.maximum(1, np.ceil(self.seg_len / SAMPLE_SPACING_M).astype(np.int64))
        seg_of_sample = np.repeat(np.arange(len(self.seg_a)), pieces + 1)
        starts = np.cumsum(pieces + 1) - (pieces + 1)
        frac = (np.arange(len(seg_of_sample)) - np.repeat(starts, pieces + 1)) / np.repeat(
            pieces, pieces + 1)
        a, b = xy[self.seg_a[seg_of_sample]], xy[self.seg_b[seg_of_sample]]
        self._sample_seg = seg_of_sample
        self._samples = cKDTree(a + (b - a) * frac[:, None])

    # --- queries -----------------------------------------------------------------------
    def snap(self, lat: np.ndarray, lon: np.ndarray) -> Snap:
        """Each point's nearest segment and where on it (vectorized)."""
        p = self._project(lat, lon)
        k = min(SNAP_CANDIDATES, len(self._sample_seg))
        _, idx = self._samples.query(p, k=k)
        idx = idx.reshape(len(p), k)
        segs = self._sample_seg[idx]
        a, b = self._xy[self.seg_a[segs]], self._xy[self.seg_b[segs]]
        ab = b - a
        denom = np.maximum((ab ** 2).sum(axis=2), 1e-12)
        t = np.clip(((p[:, None, :] - a) * ab).sum(axis=2) / denom, 0.0, 1.0)
        off = np.linalg.norm(a + ab * t[:, :, None] - p[:, None, :], axis=2)
        best = off.argmin(axis=1)
        rows = np.arange(len(p))
        return Snap(segs[rows, best], t[rows, best], off[rows, best])

    def snap_cached(self, points: Sequence[GeoPoint]) -> Snap:
        """Units mostly stand still (at their station, or between fixes): their snaps are
        kept by exact position, up to SNAP_CACHE_SIZE of them."""
        keys = [(p.lat, p.lon) for p in points]
        missing = list({k for k in keys if k not in self._snaps})
        if missing:
            fresh = self.snap(np.array([k[0] for k in missing]), np.array([k[1] for k in missing]))
            with self._lock:
                if len(self._snaps) + len(missing) > SNAP_CACHE_SIZE:
                    self._snaps.clear()
                for i, key in enumerate(missing):
                    self._snaps[key] = (int(fresh.segment[i]), float(fresh.t[i]),
                                        float(fresh.off_m[i]))
        found = [self._snaps.get(k) or self.snap(np.array([k[0]]), np.array([k[1]])).tuple0()
                 for k in keys]
        seg, t, off = (np.array(x) for x in zip(*found, strict=True))
        return Snap(seg.astype(np.int64), t, off)

    def times_to(self, dest_lat: float, dest_lon: float, *, within_s: float | None = None
                 ) -> tuple[np.ndarray, np.ndarray, Snap]:
        """Seconds and meters from every node to the destination's snapped spot (inf for
        nodes past `within_s`, when given: the search stops there)."""
        snap = self.snap(np.array([dest_lat]), np.array([dest_lon]))
        s, t = int(snap.segment[0]), float(snap.t[0])
        a, b = int(self.seg_a[s]), int(self.seg_b[s])
        fw, bw, length = self.seg_fw[s], self.seg_bw[s], self.seg_len[s]
        # In the reversed graph the virtual node X has an edge to a (original a -> X) and
        # to b (original b -> X), each costing the part of the segment still to drive.
        # A spot at a node itself is reached there, whatever the segment's direction.
        at_a, at_b = t <= AT_NODE, t >= 1 - AT_NODE
        slots = [(a, 0.0 if at_a else t * fw, 0.0 if at_a else t * length)
                 if at_a or math.isfinite(fw) else (self.n, 1.0, 1.0),
                 (b, 0.0 if at_b else (1 - t) * bw, 0.0 if at_b else (1 - t) * length)
                 if at_b or math.isfinite(bw) else (self.n, 1.0, 1.0)]
        with self._lock:
            self._rev.indices[-2:] = [slots[0][0], slots[1][0]]
            self._rev.data[-2:] = [pack(slots[0][1], slots[0][2]), pack(slots[1][1], slots[1][2])]
            limit = np.inf if within_s is None else float(pack(within_s, 0.0)) + SHIFT
            packed = dijkstra(self._rev, directed=True, indices=self.n, limit=limit)[: self.n]
        seconds, meters = unpack(packed)
        return seconds, meters, snap

    def travel(self, origins: Sequence[GeoPoint], destination: GeoPoint, *,
               access_speed_ms: float, max_snap_m: float, method: str,
               within_s: float | None = None) -> list[TravelEstimate | None]:
        """Estimates per origin; with `within_s`, the search stops past that time and the
        origins it did not reach get `seconds = inf` (farther; None stays unreachable)."""
        if not origins:
            return []
        dist, meters, dest = self.times_to(destination.lat, destination.lon, within_s=within_s)
        if dest.off_m[0] > max_snap_m:
            return [None] * len(origins)
        snap = self.snap_cached(origins)
        s, t = snap.segment, snap.t
        a, b = self.seg_a[s], self.seg_b[s]
        fw, bw, length = self.seg_fw[s], self.seg_bw[s], self.seg_len[s]
        with np.errstate(invalid="ignore"):  # inf * 0 on a one-way segment
            at_a, at_b = t <= AT_NODE, t >= 1 - AT_NODE  # a unit standing on a node
            via_b = np.where(at_b, dist[b],
                             np.where(np.isfinite(fw), (1 - t) * fw + dist[b], np.inf))
            via_a = np.where(at_a, dist[a],
                             np.where(np.isfinite(bw), t * bw + dist[a], np.inf))
            m_b, m_a = (1 - t) * length + meters[b], t * length + meters[a]
            # Unit and incident on the same segment: straight along it, if allowed.
            same = s == dest.segment[0]
            dt = dest.t[0] - t
            direct = np.where(same & (dt >= 0) & np.isfinite(fw), dt * fw,
                              np.where(same & (dt <= 0) & np.isfinite(bw), -dt * bw, np.inf))
        seconds = np.minimum(np.minimum(via_b, via_a), direct)
        road_m = np.where(seconds == direct, np.abs(dt) * length,
                          np.where(seconds == via_b, m_b, m_a))
        access_m = snap.off_m + dest.off_m[0]
        seconds = seconds + access_m / access_speed_ms
        out: list[TravelEstimate | None] = []
        bounded = within_s is not None
        for sec, road, acc, off in zip(seconds, road_m, access_m, snap.off_m, strict=True):
            if off > max_snap_m:
                out.append(None)
            elif math.isfinite(sec):
                out.append(TravelEstimate(float(sec), float(road + acc), method))
            else:  # not reached: past the search radius, or no road at all
                out.append(TravelEstimate(math.inf, math.inf, method) if bounded else None)
        return out


# --- reading OSM -------------------------------------------------------------------------

def _haversine(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray,
               lon2: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(h))


def _directions(tags: Mapping[str, str], highway: str) -> tuple[bool, bool] | None:
    """(forward allowed, backward allowed), or None for a way no vehicle may use."""
    access = tags.get("access", tags.get("motor_vehicle", ""))
    if access in CLOSED and tags.get("emergency") not in ("yes", "designated"):
        return None
    oneway = tags.get("oneway", "")
    if oneway == "reversible":
        return None
    if oneway in ONE_WAY:
        return True, False
    if oneway in REVERSED:
        return False, True
    if oneway == "no":
        return True, True
    if tags.get("junction") in ("roundabout", "circular") or highway == "motorway":
        return True, False  # implied one-way in OSM
    return True, True


def read_osm(path: Path, speeds_kmh: Mapping[str, float]) -> RoadGraph:
    """Every way whose highway class has a speed becomes road segments."""
    if not path.is_file():
        raise RoadNetworkError(f"{path}: no such OSM file")
    index: dict[int, int] = {}
    lats: list[float] = []
    lons: list[float] = []
    seg_a: list[int] = []
    seg_b: list[int] = []
    speed: list[float] = []
    fwd: list[bool] = []
    bwd: list[bool] = []
    try:
        ways = osmium.FileProcessor(str(path)).with_locations().with_filter(
            osmium.filter.KeyFilter("highway"))
        for way in ways:
            if not way.is_way():
                continue
            highway = way.tags.get("highway")
            if highway not in speeds_kmh:
                continue
            dirs = _directions(way.tags, highway)
            if dirs is None:
                continue
            ids = []
            for nd in way.nodes:
                if not nd.location.valid():
                    ids = []  # a way with a missing node is left out whole
                    break
                i = index.get(nd.ref)
                if i is None:
                    i = index[nd.ref] = len(lats)
                    lats.append(nd.location.lat)
                    lons.append(nd.location.lon)
                ids.append(i)
            for u, v in zip(ids, ids[1:]):
                if u != v:
                    seg_a.append(u)
                    seg_b.append(v)
                    speed.append(speeds_kmh[highway] / 3.6)
                    fwd.append(dirs[0])
                    bwd.append(dirs[1])
    except RuntimeError as exc:  # pyosmium's parse errors
        raise RoadNetworkError(f"{path}: cannot read OSM data: {exc}") from None
    if not seg_a:
        raise RoadNetworkError(f"{path}: no drivable road (highway=*) with a configured speed")
    lat, lon = np.array(lats), np.array(lons)
    a, b = np.array(seg_a, dtype=np.int64), np.array(seg_b, dtype=np.int64)
    length = _haversine(lat[a], lon[a], lat[b], lon[b])
    secs = length / np.array(speed)
    fw = np.where(np.array(fwd), secs, np.inf)
    bw = np.where(np.array(bwd), secs, np.inf)
    return RoadGraph(lat, lon, a, b, length, fw, bw)


_CACHE: dict[tuple, RoadGraph] = {}
_CACHE_LOCK = threading.Lock()


def load_road_graph(path: Path, speeds_kmh: Mapping[str, float]) -> RoadGraph:
    """Built once per file version and speed table, then kept for the process."""
    stat = path.stat() if path.exists() else None
    key = (str(path.resolve()), stat and stat.st_mtime_ns, stat and stat.st_size,
           tuple(sorted(speeds_kmh.items())))
    with _CACHE_LOCK:
        graph = _CACHE.get(key)
        if graph is None:
            graph = _CACHE[key] = read_osm(path, speeds_kmh)
        return graph


class OsmTravelTimes:
    """The TravelTimeProvider over the center's OSM file (built lazily, once)."""

    name = "osm"

    def __init__(self, path: Path, *, speeds_kmh: Mapping[str, float],
                 access_speed_kmh: float = 15.0, max_snap_m: float = 1000.0) -> None:
        self.path = path
        self.speeds_kmh = dict(speeds_kmh)
        self.access_speed_ms = access_speed_kmh / 3.6
        self.max_snap_m = max_snap_m

    @property
    def graph(self) -> RoadGraph:
        return load_road_graph(self.path, self.speeds_kmh)

    def warm(self) -> None:
        """Build the graph now (at start) rather than on the first recommendation."""
        self.graph  # noqa: B018

    def travel_to(self, origins: Sequence[GeoPoint], destination: GeoPoint, *,
                  within_s: float | None = None) -> list[TravelEstimate | None]:
        return self.graph.travel(origins, destination, access_speed_ms=self.access_speed_ms,
                                 max_snap_m=self.max_snap_m, method=self.name,
                                 within_s=within_s)
