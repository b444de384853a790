"""The telephony entrypoint: the SIP node, its writer and the switchboard, wired and run
beside the web server (`siaga112 serve`, `siaga112 demo`), the tests and the benchmark."""

from __future__ import annotations

import logging
import sys
import threading
from dataclasses import dataclass
from typing import Any

from siaga112.adapters.db.group_commit import GroupCommitter
from siaga112.adapters.db.repositories_nuisance import SqlNuisanceRepository
from siaga112.adapters.media.wiring import install_media  # [media]: relay, recordings
from siaga112.adapters.sip.node import SipNode
from siaga112.bootstrap import Siaga
from siaga112.operations import cluster
from siaga112.services import commands as c
from siaga112.services import nuisance  # screening before the queue
from siaga112.services.silent_screening import SilentScreening
from siaga112.services.switchboard import Switchboard

log = logging.getLogger(__name__)


SWITCH_INTERVAL = 0.0005
POSITION_COMMANDS = c.POSITION_COMMANDS


def _route_position_commands(siaga: Siaga, writer: GroupCommitter, node: SipNode,
                             switchboard: Switchboard) -> None:
    """While the node runs, its writer keeps the positions in memory and is the only one
    that changes them: the API's position commands are handed to it (and wait for its
    commit), then the switchboard hears the new state."""
    for command_type in POSITION_COMMANDS:
        def handler(command: c.Command, _uow: object) -> Any:
            done = threading.Event()
            outcome: list[Any] = []
            writer.submit(command, lambda result, error: (outcome.extend([result, error]),
                                                          done.set()))
            if not done.wait(30):
                raise TimeoutError("the SIP node's writer did not answer in 30 s")
            result, error = outcome
            if error is not None:
                raise error
            code = command.position_code  # type: ignore[attr-defined]
            position = writer.live.positions[code]
            node.loop.call_from_thread(switchboard.position_changed, code, position.state,
                                       position.state_since or siaga.clock.now())
            return result

        siaga.bus.command_handlers[command_type] = handler


@dataclass
class Telephony:
    siaga: Siaga
    node: SipNode
    writer: GroupCommitter
    switchboard: Switchboard
    switch_interval: float = 0.005  # the interpreter's, given back on stop
    recordings: Any = None  # MediaPath (relay client, recordings thread) with [media] on

    @property
    def address(self) -> str:
        return self.node.address

    def stop(self) -> None:
        self.node.stop()
        self.writer.stop()
        if self.recordings is not None:
            self.recordings.stop()
        for command_type in POSITION_COMMANDS:  # back to the ordinary handlers
            self.siaga.bus.command_handlers[command_type] = self.writer.handlers[command_type]
        sys.setswitchinterval(self.switch_interval)


def silent_screening(siaga: Siaga, node: SipNode, writer: GroupCommitter,
                     switchboard: Switchboard) -> SilentScreening:
    return SilentScreening(config=siaga.center.screening, media=node, timers=node.loop,
                           clock=siaga.clock, submit=writer.submit,
                           move_ahead=switchboard.screening_moved_ahead,
                           released=switchboard.screening_released)


def start_telephony(siaga: Siaga, *, host: str | None = None, port: int | None = None,
                    tcp: bool = True, node_name: str | None = None,
                    positions: frozenset[str] | None = None) -> Telephony:
    """Interrupt what was live before (no dialog survives a restart), then listen.

    With `positions` (several nodes share the database: operations/cluster.py) this node
    rings only those positions and interrupts only the calls it had taken, as `node_name`."""
    # The node's thread sends and receives a datagram at a time, giving the interpreter
    # lock away each time; with the default 5 ms switch interval the writer keeps it that
    # long and every answer waits. 0.5 ms keeps the node's answers prompt.
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    interrupted = siaga.bus.handle(c.InterruptLiveCalls() if positions is None else
                                   c.InterruptNodeCalls(node=node_name or "", positions=tuple(
                                       sorted(positions))))
    if interrupted:
        log.warning("%d calls were live when the node stopped: interrupted, callbacks open",
                    interrupted)
    settings, t = siaga.settings, siaga.center.telephony
    node = SipNode(host=host or settings.sip_host,
                   port=settings.sip_port if port is None else port,
                   admission_limit=t.admission_limit, max_call_seconds=t.max_call_seconds,
                   tcp=tcp)
    handlers = dict(siaga.bus.command_handlers)
    screening = nuisance.install_sip_screening(handlers, center=siaga.center, clock=siaga.clock,
                                               repo=SqlNuisanceRepository)
    if positions is not None:
        handlers[c.TakeSipCall] = cluster.recording_node(handlers[c.TakeSipCall],
                                                         node_name or "")
    writer = GroupCommitter(engine=siaga.engine, clock=siaga.clock, handlers=handlers,
                            deliver=node.loop.call_from_thread, publish=siaga.bus.publish)
    switchboard = Switchboard(center=siaga.center, clock=siaga.clock, submit=writer.submit,
                              signalling=node, scheduler=node.loop, screening=screening)
    switchboard.load_positions(siaga.uow())
    if positions is not None:
        cluster.restrict_to(switchboard, positions)

    _route_position_commands(siaga, writer, node, switchboard)
    if positions is not None:
        cluster.guard_position_commands(siaga, positions)
    recordings = install_media(siaga, node)
    if siaga.center.screening.silent_calls:
        if node.can_screen():
            switchboard.silent = silent_screening(siaga, node, writer, switchboard)
        else:
            log.error("[screening] silent_calls is on, but the media relay or the "
                      "announcements are missing: calls are not screened")
    writer.start()
    node.start(switchboard)
    log.info("SIP node listening on %s (UDP%s)", node.address, " and TCP" if tcp else "")
    return Telephony(siaga, node, writer, switchboard, switch_interval, recordings)
