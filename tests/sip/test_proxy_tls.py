"""Kamailio's TLS listener (deploy/kamailio/kamailio.cfg started with -A WITH_TLS) in front
of two Siaga112 nodes on one PostgreSQL: a trunk that speaks SIP over TLS gets its calls
answered at the desks and stored, spread over both nodes (over TCP behind Kamailio), and a
plain-text SIP client on the TLS port gets no SIP at all.

The trunk is tests/support/sip_tls.py (Python's ssl): Debian's sipp has no TLS."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from tests.conftest import new_database_url
from tests.support.sip_cluster import Cluster, free_port, sip_cluster
from tests.support.sip_tls import TlsTrunk, plain_sip_attempt, self_signed_certificate

CALLS = 6


@pytest.fixture
def tls(tmp_path, request):
    """The cluster, Kamailio's TLS port and the certificate it serves (made here, now)."""
    cert, key = self_signed_certificate(tmp_path)
    tls_port = free_port()
    url = new_database_url("postgresql", tmp_path, request)
    defines = ("WITH_TLS", f"TLS_PORT={tls_port}", f'TLS_CERTIFICATE="{cert}"',
               f'TLS_PRIVATE_KEY="{key}"')
    with sip_cluster(url, tmp_path, kamailio_defines=defines) as cluster:
        yield cluster, tls_port, cert


def stored_callers(cluster: Cluster) -> dict[str, str]:
    """Call-ID (without 'sip:') -> the caller's number, for every stored SIP call."""
    engine = sa.create_engine(cluster.url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT external_id, caller_number FROM calls "
                                        "WHERE external_id LIKE 'sip:%'")).all()
    finally:
        engine.dispose()
    return {external_id.removeprefix("sip:"): number for external_id, number in rows}


def test_calls_over_tls_are_answered_stored_and_plain_text_is_refused(tls):
    cluster, tls_port, cert = tls

    # Plain SIP to the TLS port: the handshake fails, Kamailio hangs up without a word.
    plain_id = f"plain-{uuid.uuid4().hex}"
    received, closed = plain_sip_attempt("127.0.0.1", tls_port, plain_id)
    assert closed and b"SIP/2.0" not in received, received[:200]

    # A trunk over TLS; it trusts only the throwaway certificate, so Kamailio served it.
    with TlsTrunk("127.0.0.1", tls_port, cert) as trunk:
        assert trunk.sock.version() in ("TLSv1.2", "TLSv1.3")
        calls = [trunk.call(f"0812{i:08d}") for i in range(CALLS)]

    for call in calls:  # rang at the desk, answered, hung up cleanly
        assert 180 in call.invite_codes and call.invite_codes[-1] == 200, (
            call.invite_codes, cluster.kamailio_log.read_text()[-2000:])
        assert call.bye_code == 200, call
    found = cluster.wait_until_stored(CALLS)
    stored = stored_callers(cluster)
    # Each call under its own Call-ID, with its caller's number (stored as E.164).
    assert {c.call_id: stored.get(c.call_id) for c in calls} == {
        c.call_id: "+62" + c.caller[1:] for c in calls}
    assert plain_id not in stored and len(stored) == CALLS
    # Round robin over both nodes (dispatcher set 2, TCP behind Kamailio).
    half = {"released": CALLS // 2}
    assert found == {"node-a": half, "node-b": half}, found
