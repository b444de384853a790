"""AML receiver: handsets' own locations, by HTTPS from an operator or by SMS through a
gateway. Parse (4xx with the reason), check the sender, then store through the
group-commit writer: the answer comes only once the fix is committed."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from siaga112.adapters.aml import (
    AmlError, AmlMessage, AmlSignatureError, parse_https, parse_sms, verify_hmac,
)
from siaga112.domain.accounts import ServiceAccount
from siaga112.entrypoints.aml_fixes import incoming_fix
from siaga112.entrypoints.web.access import API
from siaga112.entrypoints.web.deps import Authorized, Principal, SiagaDep
from siaga112.entrypoints.web.errors import ApiError, ErrorBody
from siaga112.entrypoints.web.schemas_location import AmlAccepted, AmlSms
from siaga112.services.batching import GroupCommitter
from siaga112.services.handlers.locations import FixOutcome, fix_committer

log = logging.getLogger(__name__)
router = APIRouter(prefix=f"{API}/aml", tags=["aml"], dependencies=[Authorized])
STORE_TIMEOUT_SECONDS = 20.0
_committer_lock = threading.Lock()
BUSY = {503: {"model": ErrorBody, "description": "Not stored in time; send it again"}}
FORM_FIELDS = ("v", "emergency_number", "source", "time", "location_latitude",
               "location_longitude", "location_time", "location_altitude", "location_floor",
               "location_source", "location_accuracy", "location_vertical_accuracy",
               "location_confidence", "location_bearing", "location_speed", "device_number",
               "device_model", "device_imsi", "device_imei", "device_iccid", "cell_home_mcc",
               "cell_home_mnc", "cell_network_mcc", "cell_network_mnc", "device_languages",
               "adr_carcrash_time", "hmac")
HTTPS_BODY = {"requestBody": {"required": True, "content": {
    "application/x-www-form-urlencoded": {"schema": {
        "type": "object", "required": ["location_latitude", "location_longitude", "hmac"],
        "properties": {name: {"type": "string"} for name in FORM_FIELDS}}}}}}


async def raw_body(request: Request) -> bytes:
    """The body exactly as sent: the HMAC covers the raw, still URL-encoded bytes."""
    return await request.body()


RawBody = Annotated[bytes, Depends(raw_body)]


def _sender(who: Principal) -> ServiceAccount:
    if not isinstance(who, ServiceAccount):  # the policy admits only machines; be sure
        raise ApiError(403, "forbidden", "only an AML or SMS gateway's token may send AML")
    return who


def _parsed(parse: Callable[[Any], AmlMessage], data: Any, sender: ServiceAccount) -> AmlMessage:
    try:
        return parse(data)
    except AmlError as exc:
        log.info("AML from %s refused: %s", sender.name, exc)  # no content: personal data
        raise ApiError(422, "invalid_aml", str(exc)) from None


def committer(request: Request, siaga: SiagaDep) -> GroupCommitter[Any, FixOutcome]:
    state = request.app.state
    with _committer_lock:
        if getattr(state, "location_committer", None) is None:
            state.location_committer = fix_committer(siaga.bus)
    return state.location_committer  # type: ignore[no-any-return]


Committer = Annotated[GroupCommitter[Any, FixOutcome], Depends(committer)]


def _store(writer: Committer, message: AmlMessage, caller: str | None) -> AmlAccepted:
    try:
        outcome = writer.submit(incoming_fix(message, caller=caller)).result(
            STORE_TIMEOUT_SECONDS)
    except FutureTimeout:
        raise ApiError(503, "busy", "the fix was not stored in time; send it again") from None
    return AmlAccepted(fix_id=outcome.fix_id, matched=outcome.call_id is not None,
                       outside_area=outcome.outside_area, format=message.format,
                       warnings=list(message.warnings))


@router.post("/https", openapi_extra=HTTPS_BODY, responses=BUSY)
def aml_https(body: RawBody, who: Principal, writer: Committer) -> AmlAccepted:
    """An operator's AML HTTPS POST (form-encoded, signed with the sender's HMAC key)."""
    sender = _sender(who)
    message = _parsed(parse_https, body, sender)
    if not sender.hmac_key:
        raise ApiError(403, "hmac_key_missing",
                       f"no HMAC key is set for sender '{sender.name}' "
                       f"(siaga112 aml set-key {sender.name})")
    try:
        verify_hmac(body, sender.hmac_key.encode("utf-8"))
    except AmlSignatureError as exc:
        log.warning("AML from %s: bad signature: %s", sender.name, exc)
        raise ApiError(401, "invalid_signature", str(exc)) from None
    return _store(writer, message, message.device_number)


@router.post("/sms", responses=BUSY)
def aml_sms(body: AmlSms, who: Principal, writer: Committer) -> AmlAccepted:
    """An SMS gateway hands over an AML SMS: the sender's number and the text as it came."""
    message = _parsed(parse_sms, body.text, _sender(who))
    return _store(writer, message, body.sender)
