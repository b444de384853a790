"""Sending SMS: a generic HTTP gateway (`http.py`) or Gammu SMSD's files spool (`gammu.py`).

`sender_for` builds the one the center's `[location_link]` section names; None when it
names none (the call-taker then reads the link out).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from siaga112.adapters.sms.gammu import GammuOutbox
from siaga112.adapters.sms.http import HttpSmsGateway
from siaga112.config_location_link import LocationLinkConfig
from siaga112.services.location_link_ports import SmsSender


def sender_for(cfg: LocationLinkConfig,
               environ: Mapping[str, str] = os.environ) -> SmsSender | None:
    if cfg.sms_adapter == "http" and cfg.http is not None:
        return HttpSmsGateway(cfg.http, environ=environ)
    if cfg.sms_adapter == "gammu" and cfg.gammu is not None:
        return GammuOutbox(cfg.gammu)
    return None
