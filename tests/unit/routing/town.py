"""A tiny made-up town on the equator, written as .osm XML and as .osm.pbf.

    E(0.001,0) <-- F(0.001,0.001) <-- D(0.001,0.002)    primary, one-way westward (oneway=-1
    |              :                  |                  on a way drawn E -> F -> D)
    A(0,0) ------- B(0,0.001) ------- C(0,0.002)        residential, two-way
    A-E and C-D residential two-way; B-F a footway (no cars); G-H a road on its own.

On the equator 0.001 degree is L = 111.195 m both ways. In the tests' speeds a
residential street is 18 km/h (5 m/s) and a primary road 36 km/h (10 m/s).
"""

from __future__ import annotations

import math
from pathlib import Path

import osmium
from osmium.osm import mutable

from siaga112.domain.geo import EARTH_RADIUS_M

L = EARTH_RADIUS_M * math.radians(0.001)
SPEEDS = {"primary": 36.0, "residential": 18.0}
NODES = {  # id: (lat, lon)
    1: (0.0, 0.0), 2: (0.0, 0.001), 3: (0.0, 0.002),  # A B C
    4: (0.001, 0.002), 5: (0.001, 0.0), 6: (0.001, 0.001),  # D E F
    7: (0.003, 0.003), 8: (0.003, 0.004),  # G H
}
A, B, C, D, E, F, G, H = (NODES[i] for i in range(1, 9))
WAYS = [  # id, node ids, tags
    (10, [1, 2, 3], {"highway": "residential", "name": "Jalan Bawah"}),
    (11, [5, 6, 4], {"highway": "primary", "oneway": "-1", "name": "Jalan Atas"}),
    (12, [1, 5], {"highway": "residential"}),
    (13, [3, 4], {"highway": "residential"}),
    (14, [2, 6], {"highway": "footway"}),
    (15, [7, 8], {"highway": "residential"}),
]


def write_osm_xml(path: Path) -> Path:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="siaga112-test">']
    lines += [f'  <node id="{i}" version="1" lat="{lat}" lon="{lon}"/>'
              for i, (lat, lon) in NODES.items()]
    for way_id, refs, tags in WAYS:
        lines.append(f'  <way id="{way_id}" version="1">')
        lines += [f'    <nd ref="{r}"/>' for r in refs]
        lines += [f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        lines.append("  </way>")
    lines.append("</osm>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_osm_pbf(path: Path) -> Path:
    writer = osmium.SimpleWriter(str(path))
    try:
        for i, (lat, lon) in NODES.items():
            writer.add_node(mutable.Node(id=i, version=1, location=(lon, lat)))
        for way_id, refs, tags in WAYS:
            writer.add_way(mutable.Way(id=way_id, version=1, nodes=refs, tags=tags))
    finally:
        writer.close()
    return path
