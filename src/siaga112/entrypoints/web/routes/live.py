"""`/ws/live`: the WebSocket the consoles listen on (see entrypoints/web/live.py).

Access follows ROUTE_POLICY's ("WS", "/ws/live") line with the session cookie, like a page.
A socket from another site's page is refused (browsers send Origin; cookies would otherwise
let any site listen in). The session is checked again every minute: logging out, or an
account locked by an admin, ends the stream too.
"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from siaga112.domain.accounts import User
from siaga112.entrypoints.web.access import allowed
from siaga112.entrypoints.web.deps import optional_user
from siaga112.entrypoints.web.live import LiveHub, Subscriber, hub_for
from siaga112.entrypoints.web.visibility import agency_of

PATH = "/ws/live"
RECHECK_SECONDS = 60.0
POLICY_VIOLATION, TRY_AGAIN_LATER = 1008, 1013

router = APIRouter()


def _same_origin(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:  # not a browser: the session token alone decides
        return True
    return urlsplit(origin).netloc == websocket.headers.get("host", "")


def _user(websocket: WebSocket) -> User | None:
    return optional_user(websocket, websocket.app.state.siaga)  # type: ignore[arg-type]


def _may_listen(user: User | None) -> bool:
    return (user is not None and not user.must_change_password
            and allowed("WS", PATH, user.role))


@router.websocket(PATH)
async def live(websocket: WebSocket) -> None:
    user = await run_in_threadpool(_user, websocket)
    if not _same_origin(websocket) or not _may_listen(user):
        await websocket.close(code=POLICY_VIOLATION)  # before accept: the handshake gets 403
        return
    assert user is not None
    await websocket.accept()
    hub = hub_for(websocket.app.state.siaga)
    subscriber = hub.subscribe(agency_of(user))
    listener = asyncio.create_task(_until_closed(websocket))
    try:
        await _send(websocket, hub, subscriber, listener)
    except (WebSocketDisconnect, RuntimeError):
        pass  # the console went away
    finally:
        hub.unsubscribe(subscriber)
        listener.cancel()
        with contextlib.suppress(Exception):
            await listener


async def _send(websocket: WebSocket, hub: LiveHub, subscriber: Subscriber,
                listener: asyncio.Task[None]) -> None:
    loop = asyncio.get_running_loop()
    recheck_at = loop.time() + RECHECK_SECONDS
    while not listener.done():
        if subscriber.overflowed.is_set():
            await websocket.close(code=TRY_AGAIN_LATER, reason="behind; reload")
            return
        if loop.time() >= recheck_at:
            if not _may_listen(await run_in_threadpool(_user, websocket)):
                await websocket.close(code=POLICY_VIOLATION, reason="session ended")
                return
            recheck_at = loop.time() + RECHECK_SECONDS
        # Wait for a message or for the console to leave, whichever comes first: a closed
        # tab must free its subscription at once, not at the next timeout.
        getting = asyncio.ensure_future(subscriber.messages.get())
        done, _ = await asyncio.wait({getting, listener}, timeout=5.0,
                                     return_when=asyncio.FIRST_COMPLETED)
        if getting not in done:
            getting.cancel()
            continue
        await websocket.send_text(getting.result())


async def _until_closed(websocket: WebSocket) -> None:
    """Read (and ignore) what the console sends: the read is how a close is noticed."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
