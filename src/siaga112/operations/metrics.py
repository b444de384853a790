"""Prometheus metrics of a node: the queue, today's service level, SIP traffic, the web
routes' latency (the dispatch recommendation's among them) and failed event handlers.

Two kinds of figures:
- the center's, read from the database at each scrape (calls waiting, the longest wait,
  today's service level): every node reports the same values, take `max` over nodes;
- this node's own counters (SIP messages, HTTP requests, event handler failures), summed
  over nodes.

Counting a SIP message costs a look at its first line (and CSeq for responses) on the SIP
node's thread: about 2 us against the ~3 ms a call costs (docs/capacity.md).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from siaga112.adapters.db import tables
from siaga112.domain.calls import CallState

if TYPE_CHECKING:
    from siaga112.bootstrap import Siaga
    from siaga112.entrypoints.sip import Telephony

log = logging.getLogger(__name__)
SIP_METHODS = frozenset({"INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "INFO", "UPDATE",
                         "NOTIFY", "MESSAGE", "PRACK", "REGISTER", "SUBSCRIBE", "REFER"})
CSEQ = re.compile(rb"\r\nCSeq[ \t]*:[ \t]*\d+[ \t]+([A-Za-z]+)", re.IGNORECASE)
WAITING = (CallState.RECEIVED.value, CallState.SCREENING.value, CallState.QUEUED.value,
           CallState.OFFERED.value)
RECOMMENDATION_ROUTE = "/api/v1/dispatch/incidents/{incident_id}/recommendation"
SERVICE_LEVEL_CACHE_SECONDS = 10.0
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

# -- process-wide: failures anywhere in this process, counted from the log -----------------
EVENT_HANDLER_FAILURES = Counter(
    "siaga112_event_handler_failures", "Event handlers that raised (after their command "
    "committed: a push or notification lost, the call itself kept)", ["event"])
ERRORS_LOGGED = Counter("siaga112_errors_logged", "Errors logged, by the component that "
                        "logged them (SIP node, writer, switchboard, web)", ["component"])


class _FailureCounter(logging.Handler):
    """Counts ERROR records of Siaga112's loggers (the message bus logs each failed event
    handler as one: services/messagebus.py), so that no code path needs a metrics hook."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if record.name == "siaga112.services.messagebus" and record.msg.startswith(
                    "event handler"):
                event = record.args[1] if isinstance(record.args, tuple) and len(
                    record.args) > 1 else None
                EVENT_HANDLER_FAILURES.labels(type(event).__name__).inc()
            ERRORS_LOGGED.labels(component=record.name.removeprefix("siaga112.")).inc()
        except Exception:  # counting must never break logging
            pass


_installed = threading.Lock()
_handler: _FailureCounter | None = None


def _install_failure_counter() -> None:
    global _handler
    with _installed:
        if _handler is None:
            _handler = _FailureCounter()
            logging.getLogger("siaga112").addHandler(_handler)


# -- per center (per Siaga object) ----------------------------------------------------------
class Metrics:
    def __init__(self, siaga: Siaga) -> None:
        self.siaga = siaga
        self.registry = CollectorRegistry(auto_describe=True)
        self.sip_requests = Counter("siaga112_sip_requests", "SIP requests by direction "
                                    "and method", ["direction", "method"],
                                    registry=self.registry)
        self.sip_responses = Counter("siaga112_sip_responses", "SIP responses by direction, "
                                     "method (CSeq) and status", ["direction", "method", "status"],
                                     registry=self.registry)
        self.http_requests = Counter("siaga112_http_requests", "HTTP requests by route and "
                                     "status", ["method", "route", "status"],
                                     registry=self.registry)
        self.http_latency = Histogram("siaga112_http_request_duration_seconds", "Time to "
                                      "answer an HTTP request, by route", ["method", "route"],
                                      buckets=LATENCY_BUCKETS, registry=self.registry)
        self.recommendation = Histogram(
            "siaga112_dispatch_recommendation_seconds", "Time to recommend units for an "
            "incident (GET .../recommendation), as the dispatcher waits for it",
            buckets=LATENCY_BUCKETS, registry=self.registry)
        self.registry.register(_CenterCollector(self))
        self.telephony: Telephony | None = None
        self._children: dict[tuple[str, ...], Any] = {}
        _install_failure_counter()

    # -- SIP ---------------------------------------------------------------------------------
    def watch_sip(self, telephony: Telephony) -> None:
        """Count what the node receives and sends: its handler and its transports are
        wrapped (TCP connections when their first message arrives)."""
        self.telephony = telephony
        loop = telephony.node.loop
        handler = loop.handler

        def counted(data: bytes, source: Any, transport: Any) -> None:
            self.count_sip("in", data)
            if not getattr(transport, "_metered", False):
                self._meter(transport)
            handler(data, source, transport)

        loop.handler = counted
        if loop.udp is not None:
            self._meter(loop.udp)

    def _meter(self, transport: Any) -> None:
        send = transport.send

        def counted_send(data: bytes, addr: Any = None) -> None:
            self.count_sip("out", data)
            send(data, addr)

        transport.send = counted_send
        transport._metered = True

    def count_sip(self, direction: str, data: bytes) -> None:
        try:
            space = data.find(b" ", 0, 32)
            if space < 0:
                return  # keep-alive or not SIP
            first = data[:space]
            if first == b"SIP/2.0":
                status = data[space + 1:space + 4].decode("ascii", "replace")
                found = CSEQ.search(data, 0, 4096)
                method = found.group(1).decode("ascii").upper() if found else "?"
                key: tuple[str, ...] = ("r", direction, _known(method), status)
                child = self._children.get(key)
                if child is None:
                    child = self._children[key] = self.sip_responses.labels(
                        direction, _known(method), status if status.isdigit() else "?")
            else:
                method = _known(first.decode("ascii", "replace").upper())
                key = ("q", direction, method)
                child = self._children.get(key)
                if child is None:
                    child = self._children[key] = self.sip_requests.labels(direction, method)
            child.inc()
        except Exception:  # never let counting disturb the node
            log.debug("SIP metrics: could not count a message", exc_info=True)

    # -- HTTP --------------------------------------------------------------------------------
    def observe_http(self, method: str, route: str, status: int, seconds: float) -> None:
        self.http_requests.labels(method, route, str(status)).inc()
        self.http_latency.labels(method, route).observe(seconds)
        if route == RECOMMENDATION_ROUTE and status == 200:
            self.recommendation.observe(seconds)

    # -- exposition --------------------------------------------------------------------------
    def exposition(self) -> bytes:
        return generate_latest(REGISTRY) + generate_latest(self.registry)


def _known(method: str) -> str:
    return method if method in SIP_METHODS else "other"


class _CenterCollector(Collector):
    """Figures read at each scrape: the queue from the database, the SIP node's state."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self._service: tuple[float, dict[str, Any]] | None = None

    def describe(self) -> list[Metric]:
        return []  # collected fresh at each scrape

    def collect(self) -> Iterator[Metric]:
        siaga = self.metrics.siaga
        up = GaugeMetricFamily("siaga112_database_up", "1 when the last scrape could read "
                               "the database")
        try:
            yield from self._queue(siaga)
            yield from self._service_level(siaga)
            up.add_metric([], 1)
        except sa.exc.SQLAlchemyError as exc:
            log.warning("metrics: the database could not be read: %s", type(exc).__name__)
            up.add_metric([], 0)
        yield up
        yield from self._sip()

    def _queue(self, siaga: Siaga) -> Iterator[Metric]:
        c = tables.calls.c
        with siaga.engine.connect() as conn:
            rows = dict(conn.execute(sa.select(c.state, sa.func.count())
                                     .where(c.state.in_(WAITING)).group_by(c.state)).all())
            oldest = conn.execute(sa.select(sa.func.min(c.received_at))
                                  .where(c.state.in_(WAITING))).scalar()
        waiting = GaugeMetricFamily("siaga112_calls_waiting", "Calls not yet answered nor "
                                    "ended (the whole center), by state", labels=["state"])
        for state in WAITING:
            waiting.add_metric([state], rows.get(state, 0))
        yield waiting
        wait = 0.0
        if oldest is not None:
            wait = max(0.0, (siaga.clock.now() - _aware(oldest)).total_seconds())
        yield GaugeMetricFamily("siaga112_calls_longest_wait_seconds", "How long the "
                                "longest-waiting unanswered call has waited", value=wait)

    def _service_level(self, siaga: Siaga) -> Iterator[Metric]:
        now = time.monotonic()
        if self._service is None or self._service[0] < now:
            self._service = (now + SERVICE_LEVEL_CACHE_SECONDS, today_service_level(siaga))
        figures = self._service[1]
        within = GaugeMetricFamily(
            "siaga112_service_level_today", "Share of today's offered calls (local day) "
            "answered within the threshold (NaN before the first offered call)",
            labels=["threshold_seconds"])
        for threshold, share in figures["answered_within"].items():
            within.add_metric([threshold], float("nan") if share is None else share)
        yield within
        for name, key, text in (
                ("siaga112_calls_offered_today", "offered", "Calls offered to the queue today"),
                ("siaga112_calls_answered_today", "answered", "Calls answered today"),
                ("siaga112_calls_abandoned_today", "abandoned_in_queue",
                 "Calls abandoned in the queue today")):
            yield GaugeMetricFamily(name, text, value=figures[key])

    def _sip(self) -> Iterator[Metric]:
        telephony = self.metrics.telephony
        listening = GaugeMetricFamily("siaga112_sip_listener_up", "1 while this node's SIP "
                                      "listener runs")
        listening.add_metric([], 1 if telephony is not None and sip_running(telephony) else 0)
        yield listening
        if telephony is None:
            return
        node = telephony.node
        yield GaugeMetricFamily("siaga112_sip_live_calls", "Dialogs this node carries now",
                                value=node.live_calls)
        for key, text in (("received", "New INVITEs"),
                          ("malformed", "Messages that could not be parsed (400, or dropped)"),
                          ("refused", "Calls refused with 503 beyond the admission limit")):
            yield CounterMetricFamily(f"siaga112_sip_{key}", text, value=node.stats[key])
        yield GaugeMetricFamily("siaga112_sip_writer_pending", "Commands waiting for the "
                                "SIP node's writer", value=telephony.writer.pending())
        writer = telephony.writer
        yield CounterMetricFamily("siaga112_sip_writer_outages", "Times the SIP node's writer "
                                  "found the database unreachable and held its commands",
                                  value=writer.outages)
        yield CounterMetricFamily("siaga112_sip_writer_refused", "New calls and position "
                                  "commands refused because the database stayed unreachable",
                                  value=writer.refused)


def sip_running(telephony: Telephony) -> bool:
    thread = getattr(telephony.node, "_thread", None)
    return bool(thread is not None and thread.is_alive() and not telephony.node.loop._stopping)


def today_service_level(siaga: Siaga) -> dict[str, Any]:
    """Today's (the center's local day) service level, as the reports compute it."""
    from siaga112.adapters.db.reading import snapshot
    from siaga112.reports import call_counts
    from siaga112.reports.period import Period
    from siaga112.reports.service_level import service_levels
    from siaga112.reports.sql import TimeSql

    center = siaga.center
    today = siaga.clock.now().astimezone(center.zone).date()
    period = Period(today, today, center.zone)
    with snapshot(siaga.engine) as conn:
        ts = TimeSql(conn.dialect.name, period.offsets())
        hours = call_counts.hourly_counts(conn, period=period, ts=ts,
                                          valid_call_seconds=center.thresholds.valid_call_seconds)
        buckets = call_counts.answer_histogram(conn, period=period, ts=ts)
    return service_levels(hours=hours, buckets=buckets,
                          thresholds=center.thresholds.service_level_seconds,
                          targets=center.thresholds.service_level_targets)["overall"]


def _aware(moment: Any) -> Any:
    from datetime import UTC

    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def metrics_for(siaga: Siaga) -> Metrics:
    """The center's one Metrics (create_app may be called more than once for one center)."""
    metrics: Metrics | None = getattr(siaga, "_metrics", None)
    if metrics is None:
        metrics = Metrics(siaga)
        setattr(siaga, "_metrics", metrics)  # noqa: B010 - an operations concern kept off the dataclass
    return metrics


class MetricsMiddleware:
    """Times every HTTP request by its route's template (never the raw path: an id in a
    path would make a new series per call)."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def watched(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            siaga = scope["app"].state.siaga if "app" in scope else None
            if siaga is not None:
                metrics_for(siaga).observe_http(scope["method"], route, status[0],
                                                time.perf_counter() - started)

