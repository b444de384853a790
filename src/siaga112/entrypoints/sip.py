"""The telephony entrypoint: the SIP node, its writer and the switchboard, wired and run
beside the web server (`siaga112 serve`, `siaga112 demo`), the tests and the benchmark."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from siaga112.adapters.db.group_commit import GroupCommitter
from siaga112.adapters.sip.node import SipNode
from siaga112.bootstrap import Siaga
from siaga112.domain.events import DomainEvent, PositionStateChanged
from siaga112.services import commands as c
from siaga112.services.switchboard import Switchboard

log = logging.getLogger(__name__)


@dataclass
class Telephony:
    node: SipNode
    writer: GroupCommitter
    switchboard: Switchboard

    @property
    def address(self) -> str:
        return self.node.address

    def stop(self) -> None:
        self.node.stop()
        self.writer.stop()


def start_telephony(siaga: Siaga, *, host: str | None = None, port: int | None = None,
                    tcp: bool = True) -> Telephony:
    """Interrupt what was live before (no dialog survives a restart), then listen."""
    interrupted = siaga.bus.handle(c.InterruptLiveCalls())
    if interrupted:
        log.warning("%d calls were live when the node stopped: interrupted, callbacks open",
                    interrupted)
    settings, t = siaga.settings, siaga.center.telephony
    node = SipNode(host=host or settings.sip_host,
                   port=settings.sip_port if port is None else port,
                   admission_limit=t.admission_limit, max_call_seconds=t.max_call_seconds,
                   tcp=tcp)
    writer = GroupCommitter(engine=siaga.engine, clock=siaga.clock,
                            handlers=siaga.bus.command_handlers,
                            deliver=node.loop.call_from_thread, publish=siaga.bus.publish)
    switchboard = Switchboard(center=siaga.center, clock=siaga.clock, submit=writer.submit,
                              signalling=node, scheduler=node.loop)
    switchboard.load_positions(siaga.uow())

    def from_the_api(event: DomainEvent) -> None:
        # The writer's own position steps are the switchboard's decisions: not echoed back.
        if threading.current_thread() is not writer.thread:
            switchboard.position_event(event)

    siaga.bus.subscribe(PositionStateChanged, from_the_api)
    writer.start()
    node.start(switchboard)
    log.info("SIP node listening on %s (UDP%s)", node.address, " and TCP" if tcp else "")
    return Telephony(node, writer, switchboard)
