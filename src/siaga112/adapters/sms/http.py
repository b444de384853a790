"""A generic HTTP SMS gateway: one request per SMS, fields from the center's templates.

Most Indonesian SMS gateways (and self-hosted ones such as an Android phone running a
gateway app) take a POST with the number and the text as JSON or a form, authenticated
by a token or a user and password. All of that is configuration
(`[location_link.http]`); the token or password comes from an environment variable the
file only names. Any 2xx answer means the gateway took the SMS.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping

import httpx

from siaga112.config_location_link import SmsHttpConfig
from siaga112.services.location_link_ports import SmsResult, SmsStatus


def format_number(number: str, style: str) -> str:
    """+6281234567890 as the gateway wants it: e164, digits (6281...) or national (0812...)."""
    if style == "digits":
        return number.lstrip("+")
    if style == "national" and number.startswith("+62"):
        return "0" + number[3:]
    return number


class HttpSmsGateway:
    name = "http"

    def __init__(self, cfg: SmsHttpConfig, *, environ: Mapping[str, str] = os.environ,
                 client: httpx.Client | None = None) -> None:
        self.cfg, self._environ, self._client = cfg, environ, client

    def _headers(self) -> dict[str, str] | str:
        """The request's auth headers, or the reason they cannot be made."""
        cfg = self.cfg
        missing = cfg.missing_secrets(self._environ)
        if missing:
            return f"environment variable {', '.join(missing)} is not set"
        if cfg.auth == "bearer":
            return {"Authorization": f"Bearer {self._environ[cfg.token_env or '']}"}
        if cfg.auth == "header":
            return {cfg.header_name: self._environ[cfg.token_env or '']}
        if cfg.auth == "basic":
            pair = f"{cfg.username}:{self._environ[cfg.password_env or '']}".encode()
            return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
        return {}

    def send(self, number: str, text: str) -> SmsResult:
        cfg = self.cfg
        headers = self._headers()
        if isinstance(headers, str):
            return SmsResult(SmsStatus.FAILED, headers)
        values = {"number": format_number(number, cfg.number_format), "text": text}
        fields = {name: template.format(**values) for name, template in cfg.fields.items()}
        body = {"json": {"json": fields}, "form": {"data": fields},
                "query": {"params": fields}}[cfg.body]
        client = self._client or httpx.Client(timeout=cfg.timeout_seconds)
        try:
            response = client.request(cfg.method, cfg.url, headers=headers, **body)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            return SmsResult(SmsStatus.FAILED,
                             f"could not reach the SMS gateway: {type(exc).__name__}: {exc}"[:400])
        finally:
            if self._client is None:
                client.close()
        answer = response.text.strip()[:200] or None
        if 200 <= response.status_code < 300:
            return SmsResult(SmsStatus.SENT, reference=answer, http_status=response.status_code)
        return SmsResult(SmsStatus.FAILED,
                         f"the SMS gateway answered HTTP {response.status_code}"
                         + (f": {answer}" if answer else ""), http_status=response.status_code)
