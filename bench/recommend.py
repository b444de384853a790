"""How fast is a unit recommendation on a city-sized road graph, against a naive router?

A generated grid city (side x side intersections, 100 m blocks, primary roads every 10th
street, one-way streets every 7th) is written as an .osm.pbf and read back the way a
center's file is (pyosmium -> scipy CSR): that is the graph build time. Then `units` units
of three agencies (fire engines, ambulances, patrols; some busy or out of service) stand
at random places, and for each random incident the full recommendation runs (Kendari's
building-fire plan plus a patrol: ranking, exclusions, one Dijkstra from the incident,
bounded by the default search radius of 15 minutes and widened when a requirement lacks
units), and once more measuring every unit (no radius). The naive approach, measured in the same run on the same graph and units, does one
shortest-path search per eligible unit (from the unit towards everything, scipy too); its
answers must equal the fast ones. Prints one JSON object on its last line.

    python bench/recommend.py [--side 224] [--units 1000] [--incidents 200] [--naive 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import osmium
import scipy
from osmium.osm import mutable
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from siaga112.adapters.routing.osm_graph import OsmTravelTimes, load_road_graph
from siaga112.config import DEFAULT_ROAD_SPEEDS, RoutingConfig
from siaga112.domain.dispatch import locate, recommend
from siaga112.domain.geo import EARTH_RADIUS_M, GeoPoint
from siaga112.domain.plans import UnitRequirement
from siaga112.domain.units import Unit, UnitStatus

LAT0, LON0 = -4.02, 122.44  # south-west corner: Kendari's latitude
BLOCK_M = 100.0
PLAN = (UnitRequirement("damkar", "fire_engine", 2), UnitRequirement("dinkes", "ambulance"),
        UnitRequirement("polresta", "patrol"))
KINDS = (("damkar", "fire_engine", 0.4), ("dinkes", "ambulance", 0.4),
         ("polresta", "patrol", 0.2))


def grid_point(row: float, col: float) -> tuple[float, float]:
    dlat = math.degrees(BLOCK_M / EARTH_RADIUS_M)
    dlon = dlat / math.cos(math.radians(LAT0))
    return LAT0 + row * dlat, LON0 + col * dlon


def write_grid(path: Path, side: int) -> None:
    writer = osmium.SimpleWriter(str(path))
    try:
        for r in range(side):
            for c in range(side):
                lat, lon = grid_point(r, c)
                writer.add_node(mutable.Node(id=r * side + c + 1, version=1, location=(lon, lat)))
        way = 1
        for r in range(side):  # east-west streets
            tags = {"highway": "primary" if r % 10 == 0 else "residential"}
            if r % 7 == 3:
                tags["oneway"] = "yes"
            writer.add_way(mutable.Way(id=way, version=1, tags=tags,
                                       nodes=[r * side + c + 1 for c in range(side)]))
            way += 1
        for c in range(side):  # north-south streets
            tags = {"highway": "secondary" if c % 10 == 0 else "residential"}
            if c % 7 == 3:
                tags["oneway"] = "-1"
            writer.add_way(mutable.Way(id=way, version=1, tags=tags,
                                       nodes=[r * side + c + 1 for r in range(side)]))
            way += 1
    finally:
        writer.close()


def make_units(n: int, side: int, rng: random.Random) -> list[Unit]:
    units = []
    for i in range(n):
        agency, kind = rng.choices([(a, k) for a, k, _ in KINDS], [w for *_, w in KINDS])[0]
        roll = rng.random()
        status = (UnitStatus.OUT_OF_SERVICE if roll < 0.05 else
                  UnitStatus.EN_ROUTE if roll < 0.15 else UnitStatus.AVAILABLE)
        unit = Unit(code=f"U{i:04d}", name=f"Unit {i}", agency_code=agency, station_code=None,
                    unit_type=kind, status=status)
        unit.last_lat, unit.last_lon = grid_point(rng.uniform(0, side - 1),
                                                  rng.uniform(0, side - 1))
        units.append(unit)
    return units


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)]


def naive_times(graph, forward: csr_matrix, origins: list[GeoPoint],
                destination: GeoPoint) -> list[float]:
    """One shortest-path search per unit: from the unit's snapped segment ends to all."""
    dest = graph.snap(np.array([destination.lat]), np.array([destination.lon]))
    ds, dt = int(dest.segment[0]), float(dest.t[0])
    da, db = int(graph.seg_a[ds]), int(graph.seg_b[ds])
    into = [(da, dt * graph.seg_fw[ds]), (db, (1 - dt) * graph.seg_bw[ds])]
    snaps = graph.snap(np.array([o.lat for o in origins]), np.array([o.lon for o in origins]))
    access = graph_access_speed()
    out = []
    for s, t, off in zip(snaps.segment, snaps.t, snaps.off_m, strict=True):
        a, b = int(graph.seg_a[s]), int(graph.seg_b[s])
        dist = dijkstra(forward, directed=True, indices=[a, b])  # the search for this unit
        best = math.inf
        for row, start_cost in ((1, (1 - t) * graph.seg_fw[s]), (0, t * graph.seg_bw[s])):
            for node, end_cost in into:
                best = min(best, start_cost + dist[row][node] + end_cost)
        if s == ds:
            if dt >= t and math.isfinite(graph.seg_fw[s]):
                best = min(best, (dt - t) * graph.seg_fw[s])
            if dt <= t and math.isfinite(graph.seg_bw[s]):
                best = min(best, (t - dt) * graph.seg_bw[s])
        out.append(best + (off + float(dest.off_m[0])) / access)
    return out


def graph_access_speed() -> float:
    return 15.0 / 3.6


def forward_graph(graph) -> csr_matrix:
    fw, bw = np.isfinite(graph.seg_fw), np.isfinite(graph.seg_bw)
    src = np.concatenate([graph.seg_a[fw], graph.seg_b[bw]])
    dst = np.concatenate([graph.seg_b[fw], graph.seg_a[bw]])
    cost = np.concatenate([graph.seg_fw[fw], graph.seg_bw[bw]])
    return csr_matrix((cost, (src, dst)), shape=(graph.n, graph.n))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=224, help="grid side (nodes = side^2)")
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--naive", type=int, default=3, help="incidents for the naive router")
    parser.add_argument("--seed", type=int, default=112)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "grid-city.osm.pbf"
        t0 = time.perf_counter()
        write_grid(path, args.side)
        write_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        graph = load_road_graph(path, DEFAULT_ROAD_SPEEDS)
        build_s = time.perf_counter() - t0
        pbf_mb = path.stat().st_size / 1e6
        router = OsmTravelTimes(path, speeds_kmh=DEFAULT_ROAD_SPEEDS, access_speed_kmh=15.0,
                                max_snap_m=1000.0)
        units = make_units(args.units, args.side, rng)
        located = {u.code: locate(u, None) for u in units}
        incidents = [GeoPoint(*grid_point(rng.uniform(0, args.side - 1),
                                          rng.uniform(0, args.side - 1)))
                     for _ in range(args.incidents + 1)]
        gc.freeze()  # as `siaga112 serve` does after start-up (ADR 0006)
        t0 = time.perf_counter()
        recommend(PLAN, units, located, incidents[0], router.travel_to)  # snaps every unit
        first_ms = (time.perf_counter() - t0) * 1000
        radius = RoutingConfig().search_minutes * 60  # the center's default
        full_ms, cpu_ms, all_ms, choices = [], [], [], None
        for point in incidents[1:]:
            t0, c0 = time.perf_counter(), time.process_time()
            recommend(PLAN, units, located, point, router.travel_to, search_radius_s=radius)
            full_ms.append((time.perf_counter() - t0) * 1000)
            cpu_ms.append((time.process_time() - c0) * 1000)
            t0 = time.perf_counter()  # every unit measured, however far
            choices = recommend(PLAN, units, located, point, router.travel_to)
            all_ms.append((time.perf_counter() - t0) * 1000)
        eligible = sorted({c.unit_code for ch in choices for c in ch.candidates}
                          | {e.unit_code for ch in choices for e in ch.excluded
                             if e.reason.value == "unreachable"})
        origins = [located[code].point for code in eligible]
        forward = forward_graph(graph)
        naive_ms, max_diff = [], 0.0
        for point in incidents[1:args.naive + 1]:
            t0 = time.perf_counter()
            slow = naive_times(graph, forward, origins, point)
            naive_ms.append((time.perf_counter() - t0) * 1000)
            fast = router.travel_to(origins, point)
            for s, f in zip(slow, fast, strict=True):
                if math.isfinite(s) != (f is not None):
                    raise SystemExit("naive and fast routers disagree on reachability")
                if f is not None:
                    max_diff = max(max_diff, abs(s - f.seconds))
    p50, p99 = percentile(full_ms, 50), percentile(full_ms, 99)
    naive_p50 = percentile(naive_ms, 50)
    print(f"graph {graph.node_count} nodes, {graph.edge_count} edges, built in {build_s:.2f} s; "
          f"recommend p50 {p50:.1f} ms p99 {p99:.1f} ms; naive p50 {naive_p50:.0f} ms",
          file=sys.stderr, flush=True)
    print(json.dumps({
        "benchmark": "recommend", "library": f"scipy {scipy.__version__} (sparse.csgraph)",
        "nodes": graph.node_count, "directed_edges": graph.edge_count,
        "units": args.units, "eligible_units": len(origins),
        "osm_pbf_mb": round(pbf_mb, 2),
        "osm_write_s": round(write_s, 3), "graph_build_s": round(build_s, 3),
        "recommend_ms": {"first_with_snapping": round(first_ms, 2), "p50": round(p50, 2),
                         "p99": round(p99, 2), "mean": round(statistics.fmean(full_ms), 2),
                         "incidents": len(full_ms)},
        "search_minutes": radius / 60,
        # CPU time of the same calls: what the work costs when the machine is shared (the
        # wall-clock figures above include waiting for a core).
        "recommend_cpu_ms": {"p50": round(percentile(cpu_ms, 50), 2),
                             "p99": round(percentile(cpu_ms, 99), 2)},
        # No search radius: every eligible unit measured (the naive router's answer).
        "recommend_every_unit_ms": {"p50": round(percentile(all_ms, 50), 2),
                                    "p99": round(percentile(all_ms, 99), 2)},
        "naive_ms": {"p50": round(naive_p50, 1), "p99": round(percentile(naive_ms, 99), 1),
                     "incidents": len(naive_ms), "searches_per_incident": len(origins)},
        "speedup_p50": round(naive_p50 / p50, 1),
        "max_difference_s": round(max_diff, 4),
        "target_p99_ms": 20.0, "meets_target": p99 < 20.0,
        "load_average_1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
    }))


if __name__ == "__main__":
    main()
