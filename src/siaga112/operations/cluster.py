"""Several SIP nodes sharing one database, behind a SIP proxy (deploy/kamailio).

Each node's writer keeps its live calls and positions in memory and is the only one that
changes them (docs/telephony.md). With several nodes that stays true by partition:
- each node rings only its own positions (`SIAGA112_SIP_POSITIONS`), and the API's
  position commands for another node's position are refused (409) on this node;
- each call belongs to the node that received its INVITE (`sip_call_nodes`); a node that
  starts again interrupts only its own calls, never those another node carries;
- a retransmitted INVITE that reaches another node after a failover finds the stored
  call (the Call-ID is unique) and that node takes it over.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from siaga112.adapters.db.tables_nodes import sip_call_nodes, sip_node_heartbeats
from siaga112.domain.clock import Clock
from siaga112.domain.errors import Conflict
from siaga112.domain.positions import PositionState
from siaga112.services import commands as c
from siaga112.services.handlers.telephony import _call, _interrupt  # the same interruption

if TYPE_CHECKING:
    from siaga112.bootstrap import Siaga
    from siaga112.services.switchboard import Switchboard

POSITION_COMMANDS = c.POSITION_COMMANDS


def interrupt_node_calls(cmd: c.InterruptNodeCalls, uow: Any, *, clock: Clock) -> int:
    """Dialogs do not survive a restart: this node's calls are interrupted, with a callback
    (and calls no node claims); only this node's positions are reset."""
    with uow:
        at = clock.now()
        live = list(uow.sip_calls.live_call_ids())
        owners = dict(uow.session.execute(
            sa.select(sip_call_nodes.c.call_id, sip_call_nodes.c.node)
            .where(sip_call_nodes.c.call_id.in_(live))).all()) if live else {}
        ids = [call_id for call_id in live if owners.get(call_id) in (None, cmd.node)]
        for call_id in ids:
            _interrupt(uow, _call(uow, call_id), cmd.reason, at)
        mine = set(cmd.positions)
        for position in uow.positions.list():
            if position.code not in mine:
                continue
            if position.state is PositionState.RINGING:
                position.set_not_ready(cmd.reason, at=at)
            elif position.state is PositionState.ON_CALL:
                position.wrap_up(at=at)
        uow.commit()
        return len(ids)


def interrupt_lost_node_calls(cmd: c.InterruptLostNodeCalls, uow: Any, *,
                              clock: Clock) -> int | None:
    """The lost node's live calls are interrupted (callbacks open): how many; None if another
    node took it first, or it beat again meanwhile (the row is claimed in this transaction)."""
    with uow:
        at = clock.now()
        h = sip_node_heartbeats.c
        claimed = uow.session.execute(
            sa.update(sip_node_heartbeats)
            .where(h.node == cmd.node, h.lost_at.is_(None), h.seen_at < cmd.silent_since)
            .values(lost_at=at)).rowcount
        if not claimed:
            return None
        live = list(uow.sip_calls.live_call_ids())
        ids = list(uow.session.scalars(
            sa.select(sip_call_nodes.c.call_id).where(sip_call_nodes.c.call_id.in_(live),
                                                      sip_call_nodes.c.node == cmd.node))
        ) if live else []
        for call_id in ids:
            _interrupt(uow, _call(uow, call_id), f"node_lost:{cmd.node}"[:80], at)
        uow.commit()
        return len(ids)


def recording_node(take: Callable[..., uuid.UUID], node: str) -> Callable[..., uuid.UUID]:
    """TakeSipCall, and the node that took the call, in the same transaction."""

    def take_and_record(cmd: c.TakeSipCall, uow: Any) -> uuid.UUID:
        new_before = len(uow.batch_new)
        call_id = take(cmd, uow)
        if len(uow.batch_new) > new_before:
            uow.session.execute(sa.insert(sip_call_nodes).values(call_id=call_id, node=node))
        else:  # the INVITE was already stored (by another node before a failover): ours now
            uow.session.execute(sa.update(sip_call_nodes).where(
                sip_call_nodes.c.call_id == call_id, sip_call_nodes.c.node != node)
                .values(node=node))
        return call_id

    return take_and_record


def restrict_to(switchboard: Switchboard, positions: frozenset[str]) -> None:
    """The switchboard forgets the other nodes' positions: never offered a call here."""
    for code in list(switchboard.queue.desks):
        if code in positions:
            continue
        switchboard.uris.pop(code, None)
        switchboard.queue.desks.pop(code, None)
        timer = switchboard.wrap_timers.pop(code, None)
        if timer is not None:
            timer.cancel()
    for code in list(switchboard.uris):
        if code not in positions:
            switchboard.uris.pop(code)


def guard_position_commands(siaga: Siaga, positions: frozenset[str]) -> None:
    """Position commands for another node's position are refused on this node."""
    known = {p.code for p in siaga.center.positions}
    for command_type in POSITION_COMMANDS:
        handler = siaga.bus.command_handlers[command_type]

        def guarded(command: Any, uow: Any, _handler: Callable[..., Any] = handler) -> Any:
            if command.position_code in known and command.position_code not in positions:
                raise Conflict(f"position {command.position_code} is rung by another SIP "
                               "node: use that node's console")
            return _handler(command, uow)

        siaga.bus.command_handlers[command_type] = guarded
