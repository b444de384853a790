"""This process as one node of a center: its name, whether it takes SIP, which desks it rings.

One node (the default) rings every position and, at start, interrupts every SIP call left
live in the database. Several nodes behind a SIP proxy (deploy/kamailio) share one
PostgreSQL: each rings only its own positions (`SIAGA112_SIP_POSITIONS`) and, at start,
interrupts only the calls it had taken itself (recorded in `sip_call_nodes`), so that a
node coming back never cuts the calls another node is carrying.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from siaga112.bootstrap import Siaga
    from siaga112.entrypoints.sip import Telephony


class NodeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SIAGA112_", extra="ignore")

    node_name: str = ""  # default: the host's name
    sip_enabled: bool = True  # false: a web-only node (no SIP listener)
    # Comma-separated position codes whose phones this node rings; empty: all of them.
    sip_positions: str = ""
    # Several nodes: heartbeats, and when a silent peer counts as lost (operations/heartbeat.py).
    node_heartbeat_seconds: float = 5.0
    node_lost_after_seconds: float = 30.0

    @field_validator("node_name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = value.strip() or socket.gethostname()
        return value[:64]

    @property
    def positions(self) -> frozenset[str] | None:
        codes = frozenset(p.strip() for p in self.sip_positions.split(",") if p.strip())
        return codes or None


@dataclass
class NodeStatus:
    """What the readiness check and the metrics read about this node."""

    settings: NodeSettings
    telephony: Telephony | None = None


def node_status(siaga: Siaga, settings: NodeSettings | None = None) -> NodeStatus:
    status: NodeStatus | None = getattr(siaga, "_node_status", None)
    if status is None or settings is not None:
        status = NodeStatus(settings or NodeSettings())
        setattr(siaga, "_node_status", status)  # noqa: B010 - an operations concern kept off the dataclass
    return status


def attach_telephony(siaga: Siaga, telephony: Telephony) -> None:
    """The running SIP node: readiness checks it, metrics count its traffic."""
    from siaga112.operations.metrics import metrics_for

    node_status(siaga).telephony = telephony
    metrics_for(siaga).watch_sip(telephony)


def describe(value: Any) -> str:
    return type(value).__name__ if isinstance(value, BaseException) else str(value)
