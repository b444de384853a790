"""Agencies told of their dispatches: a signed webhook carrying the incident as EIDO.

Subscribed to `UnitDispatched` (after commit: a failing agency never undoes a dispatch).
The handler only stores one delivery per dispatch decision and agency and wakes a
background thread; the thread builds the EIDO at send time, POSTs it signed with
HMAC-SHA256, and retries with doubling waits. Every attempt is a row of
`webhook_attempts`; a delivery that used up its attempts is `failed` and is listed for
the dispatcher (GET /api/v1/dispatch/deliveries?status=failed).

Request: `POST <webhook_url>`, body the EIDO (`application/emergencyCallData.eido+json`),
headers `X-Siaga112-Delivery` (the delivery's id: receivers drop repeats),
`X-Siaga112-Timestamp` (Unix seconds) and `X-Siaga112-Signature:
sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the agency's secret>`.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Mapping

import httpx

from siaga112.adapters.notify.eido import eido_for_incident
from siaga112.config import CenterConfig
from siaga112.domain.clock import Clock
from siaga112.domain.events import UnitDispatched
from siaga112.domain.notifications import Delivery, DeliveryAttempt, DeliveryStatus
from siaga112.services.ports import UnitOfWork

log = logging.getLogger(__name__)
CONTENT_TYPE = "application/emergencyCallData.eido+json"
SIGNATURE_HEADER = "X-Siaga112-Signature"
TIMESTAMP_HEADER = "X-Siaga112-Timestamp"
DELIVERY_HEADER = "X-Siaga112-Delivery"
IDLE_EXIT_SECONDS = 2.0  # the worker thread ends when nothing is due for this long


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver does (the tests' receiver too)."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookNotifier:
    def __init__(self, *, uow_factory: Callable[[], UnitOfWork], center: CenterConfig,
                 clock: Clock, environ: Mapping[str, str] = os.environ,
                 client: httpx.Client | None = None) -> None:
        self._uow = uow_factory
        self._center = center
        self._clock = clock
        self._environ = environ
        self._config = center.webhooks
        self._client = client  # else one short-lived client per attempt
        self._agencies = {a.code: a for a in center.agencies}
        self._due: list[tuple[float, str]] = []  # (monotonic time, delivery id)
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    # --- event handler (request thread, after the dispatch committed) -------------------
    def on_unit_dispatched(self, event: UnitDispatched) -> None:
        agency = self._agencies.get(event.data["agency"])
        if agency is None or not agency.webhook_url:
            return  # no endpoint: the dispatcher tells this agency by radio or phone
        delivery = Delivery(
            id=uuid.uuid4(), dispatch_id=uuid.UUID(event.data["dispatch"]),
            incident_id=uuid.UUID(event.aggregate_id), agency_code=agency.code,
            url=agency.webhook_url, status=DeliveryStatus.PENDING, created_at=self._clock.now())
        with self._uow() as uow:
            created = uow.deliveries.add(delivery)  # one per dispatch and agency
            uow.commit()
        if created:
            self._schedule(delivery.id, 0.0)

    def resume_pending(self) -> int:
        """At start: deliveries left pending by a stopped server go out again."""
        with self._uow() as uow:
            pending = list(uow.deliveries.pending_ids())
        for delivery_id in pending:
            self._schedule(delivery_id, 0.0)
        return len(pending)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=10)

    # --- the worker thread ---------------------------------------------------------------
    def _schedule(self, delivery_id: uuid.UUID, delay: float) -> None:
        with self._cond:
            if self._closed:
                return
            heapq.heappush(self._due, (time.monotonic() + delay, str(delivery_id)))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="siaga112-webhooks",
                                                daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def _next(self) -> str | None:
        idle_since = time.monotonic()
        with self._cond:
            while not self._closed:
                now = time.monotonic()
                if self._due and self._due[0][0] <= now:
                    return heapq.heappop(self._due)[1]
                if not self._due and now - idle_since > IDLE_EXIT_SECONDS:
                    self._thread = None
                    return None
                self._cond.wait(timeout=min(self._due[0][0] - now, 1.0) if self._due else 0.5)
            return None

    def _run(self) -> None:
        while (delivery_id := self._next()) is not None:
            try:
                retry_in = self.attempt(uuid.UUID(delivery_id))
            except Exception:  # never let the thread die: log, and try this one again later
                log.exception("webhook delivery %s: attempt crashed", delivery_id)
                retry_in = self._config.backoff_max_seconds
            if retry_in is not None:
                self._schedule(uuid.UUID(delivery_id), retry_in)

    def attempt(self, delivery_id: uuid.UUID) -> float | None:
        """One attempt; returns the wait before the next one, or None when done."""
        with self._uow() as uow:
            delivery = uow.deliveries.get(delivery_id)
        if delivery is None or delivery.status is not DeliveryStatus.PENDING:
            return None
        agency = self._agencies.get(delivery.agency_code)
        secret_env = agency.webhook_secret_env if agency else None
        secret = self._environ.get(secret_env) if secret_env else None
        started = time.perf_counter()
        status_code, error, final = None, None, False
        if not secret:
            error, final = f"no signing secret: environment variable {secret_env} is not set", True
        else:
            document = eido_for_incident(self._uow(), incident_id=delivery.incident_id,
                                         center=self._center, now=self._clock.now())
            body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
            stamp = str(int(time.time()))
            headers = {"Content-Type": CONTENT_TYPE, DELIVERY_HEADER: str(delivery.id),
                       TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(secret, stamp, body)}
            try:
                if self._client is not None:
                    response = self._client.post(str(delivery.url), content=body, headers=headers)
                else:
                    with httpx.Client(timeout=self._config.timeout_seconds) as client:
                        response = client.post(str(delivery.url), content=body, headers=headers)
                status_code = response.status_code
                if not 200 <= status_code < 300:
                    error = f"HTTP {status_code}: {response.text[:200]}"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"[:400]
        return self._record(delivery_id, status_code, error, final,
                            (time.perf_counter() - started) * 1000)

    def _record(self, delivery_id: uuid.UUID, status_code: int | None, error: str | None,
                final: bool, duration_ms: float) -> float | None:
        now = self._clock.now()
        with self._uow() as uow:
            delivery = uow.deliveries.get(delivery_id, for_update=True)
            if delivery is None or delivery.status is not DeliveryStatus.PENDING:
                return None
            delivery.attempts += 1
            delivery.last_attempt_at, delivery.last_status_code = now, status_code
            delivery.last_error = error
            uow.deliveries.add_attempt(DeliveryAttempt(
                delivery_id=delivery_id, attempt=delivery.attempts, at=now,
                status_code=status_code, error=error, duration_ms=round(duration_ms, 1)))
            retry_in = None
            if error is None:
                delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, now
            elif final or delivery.attempts >= self._config.max_attempts:
                delivery.status = DeliveryStatus.FAILED
                log.warning("webhook to %s failed for good after %d attempts: %s",
                            delivery.agency_code, delivery.attempts, error)
            else:
                retry_in = min(self._config.backoff_seconds * 2 ** (delivery.attempts - 1),
                               self._config.backoff_max_seconds)
            uow.commit()
        return retry_in
