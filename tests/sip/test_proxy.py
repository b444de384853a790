"""Kamailio in front of two Siaga112 nodes (deploy/kamailio/kamailio.cfg), real processes
sharing one PostgreSQL: calls over UDP and TCP reach both nodes and are stored; a node
killed with -9 under load loses no call that was answered, and new calls go on through
the other node."""

from __future__ import annotations

import time

import pytest

from tests.conftest import new_database_url
from tests.support.sip_cluster import sip_cluster


@pytest.fixture
def cluster(tmp_path, request):
    url = new_database_url("postgresql", tmp_path, request)
    with sip_cluster(url, tmp_path) as running:
        yield running


def released(found: dict[str, dict[str, int]], node: str) -> int:
    return found.get(node, {}).get("released", 0)


def test_calls_through_kamailio_reach_both_nodes_and_survive_a_node_killed(cluster):
    # UDP: round robin over both nodes; every call answered at a desk and stored.
    udp = cluster.callers(calls=12, rate=12, tag="udp")
    assert udp.wait(40) == 0, cluster.said("udp")
    assert cluster.caller_stats("udp") == {"sent": 12, "successful": 12, "failed": 0}
    found = cluster.wait_until_stored(12)
    assert released(found, "node-a") == 6 and released(found, "node-b") == 6, found

    # TCP in, TCP to the nodes (dispatcher set 2).
    tcp = cluster.callers(calls=8, rate=8, transport="t1", tag="tcp")
    assert tcp.wait(40) == 0, cluster.said("tcp")
    assert cluster.caller_stats("tcp") == {"sent": 8, "successful": 8, "failed": 0}
    found = cluster.wait_until_stored(20)
    assert released(found, "node-a") == 10 and released(found, "node-b") == 10, found

    # A steady load; node-a is killed (-9) a second into it.
    load = cluster.callers(calls=40, rate=10, tag="load")
    time.sleep(1.0)
    cluster.kill("node-a")
    load.wait(60)
    stats = cluster.caller_stats("load")
    assert stats["sent"] == 40
    found = cluster.wait_until_stored(20 + stats["sent"], seconds=5)
    answered = cluster.answered("load")
    assert len(answered) >= stats["successful"]
    # Every call a caller got an answer for is stored; only the calls node-a carried at
    # the moment it died can have failed (their callers are called back at its restart).
    assert cluster.not_stored(answered) == set(), (stats, found)
    cut = stats["failed"]
    assert cut <= DESKS_CUT_AT_MOST, (stats, found)
    assert released(found, "node-b") > 10 + 20, found  # node-b took over the rest

    # After the failover, new calls succeed at once, all on node-b.
    after = cluster.callers(calls=6, rate=12, tag="after")
    assert after.wait(40) == 0, cluster.said("after")
    assert cluster.caller_stats("after") == {"sent": 6, "successful": 6, "failed": 0}


DESKS_CUT_AT_MOST = 6  # calls in progress on node-a when it died (10/s, ~0.3 s each, + 1)
