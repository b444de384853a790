"""The center file's `[location_link]` section: share-my-location links sent to callers.

Validated at start with the rest of the center file (config.py has one field pointing
here). Secrets are never in the file: only the names of the environment variables that
hold them (docs/location-link.md).
"""

from __future__ import annotations

import os
import string
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

EnvName = Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$", max_length=100)]
# What the SMS text may say; {url} is required.
MESSAGE_FIELDS = frozenset({"url", "minutes", "center"})
# What a gateway field may carry.
GATEWAY_FIELDS = frozenset({"number", "text"})
DEFAULT_MESSAGE = "112 {center}: bagikan lokasi Anda ke petugas: {url} (berlaku {minutes} menit)"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def placeholders(template: str) -> set[str]:
    """The `{names}` of a str.format template; a broken one raises ValueError."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _check_template(template: str, allowed: frozenset[str], what: str) -> str:
    try:
        names = placeholders(template)
    except ValueError as exc:
        raise ValueError(f"{what}: {exc}") from None
    unknown = names - allowed
    if unknown or "" in names:
        raise ValueError(f"{what}: unknown placeholder(s) {sorted(unknown) or ['{}']}; "
                         f"known: {sorted(allowed)}")
    return template


class SmsHttpConfig(_Strict):
    """A generic HTTP SMS gateway: one request per SMS; any 2xx answer means it took it."""

    url: str = Field(pattern=r"^https?://\S+$", max_length=400)
    method: Literal["POST", "GET"] = "POST"
    # none; bearer (Authorization: Bearer <token_env>); header (<header_name>: <token_env>);
    # basic (username and the password in password_env).
    auth: Literal["none", "bearer", "header", "basic"] = "none"
    token_env: EnvName | None = None
    header_name: str = Field(default="X-API-Key", pattern=r"^[A-Za-z0-9\-]+$", max_length=60)
    username: str | None = Field(default=None, max_length=200)
    password_env: EnvName | None = None
    # How the fields travel: a JSON object, a form body, or the query string (GET).
    body: Literal["json", "form", "query"] = "json"
    # The request's fields; values are templates with {number} and {text}.
    fields: dict[str, str] = {"to": "{number}", "text": "{text}"}
    # How {number} is written: +6281234567890, 6281234567890 or 081234567890.
    number_format: Literal["e164", "digits", "national"] = "e164"
    timeout_seconds: float = Field(default=10.0, gt=0, le=60)

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            raise ValueError("the gateway needs at least one field")
        for name, template in value.items():
            _check_template(template, GATEWAY_FIELDS, f"field '{name}'")
        return value

    @model_validator(mode="after")
    def _secrets_named(self) -> SmsHttpConfig:
        if self.auth in ("bearer", "header") and not self.token_env:
            raise ValueError(f"auth '{self.auth}' needs token_env: the environment variable "
                             "that holds the gateway's token")
        if self.auth == "basic" and not (self.username and self.password_env):
            raise ValueError("auth 'basic' needs username and password_env")
        if self.method == "GET" and self.body != "query":
            raise ValueError("method GET sends its fields in the query: set body = \"query\"")
        return self

    def missing_secrets(self, environ: Mapping[str, str] = os.environ) -> list[str]:
        names = [n for n in (self.token_env if self.auth in ("bearer", "header") else None,
                             self.password_env if self.auth == "basic" else None) if n]
        return [n for n in names if not environ.get(n)]


class SmsGammuConfig(_Strict):
    """Gammu SMSD (Debian `gammu-smsd`) with its files backend: we write its outbox."""

    outbox_dir: str = Field(min_length=1, max_length=400)  # gammu-smsdrc's OutboxPath
    priority: str = Field(default="A", pattern=r"^[A-Z]$")  # A is sent first


class PhotoConfig(_Strict):
    """One photo of the scene from the caller, if the center wants it (off by default)."""

    enabled: bool = False
    # The upload as the phone sends it (already shrunk by the page); the body limit of
    # every request is 1 MiB, so this stays below it.
    max_bytes: int = Field(default=700_000, ge=10_000, le=900_000)
    max_side_px: int = Field(default=1600, ge=200, le=4096)  # re-encoded at most this large
    jpeg_quality: int = Field(default=80, ge=30, le=95)


class ChannelConfig(_Strict):
    """Another way to give the link (e.g. the center's chat tool): a URL the call-taker opens.
    Its template may use {url}, {text} and {number} (the caller's number, digits only)."""

    name: str = Field(min_length=1, max_length=40)
    url: str = Field(pattern=r"^https?://\S+$", max_length=400)

    @field_validator("url")
    @classmethod
    def _known(cls, value: str) -> str:
        return _check_template(value, frozenset({"url", "text", "number"}), "channel url")


class LocationLinkConfig(_Strict):
    enabled: bool = True
    expiry_minutes: float = Field(default=30.0, gt=0, le=24 * 60)
    # Where the phone opens the link, e.g. "https://112.kendarikota.go.id"; without it the
    # address the call-taker's browser uses for the center (fine for a demo, not for phones).
    base_url: str | None = Field(default=None, pattern=r"^https?://[^/\s?#]+(/[^\s?#]*)?$",
                                 max_length=200)
    # The page watches the position this long; after it the link is used up.
    share_seconds: int = Field(default=60, ge=10, le=600)
    max_fixes: int = Field(default=120, ge=1, le=1000)  # positions accepted per link
    max_links_per_call: int = Field(default=5, ge=1, le=50)  # within an hour
    message: str = Field(default=DEFAULT_MESSAGE, min_length=1, max_length=300)
    sms_adapter: Literal["http", "gammu", "none"] = "none"
    http: SmsHttpConfig | None = None
    gammu: SmsGammuConfig | None = None
    photo: PhotoConfig = PhotoConfig()
    channels: list[ChannelConfig] = Field(default=[], max_length=5)

    @field_validator("message")
    @classmethod
    def _message(cls, value: str) -> str:
        _check_template(value, MESSAGE_FIELDS, "message")
        if "url" not in placeholders(value):
            raise ValueError("message: must contain {url}")
        return value

    @model_validator(mode="after")
    def _adapter_configured(self) -> LocationLinkConfig:
        if self.sms_adapter == "http" and self.http is None:
            raise ValueError("sms_adapter 'http' needs a [location_link.http] section")
        if self.sms_adapter == "gammu" and self.gammu is None:
            raise ValueError("sms_adapter 'gammu' needs a [location_link.gammu] section")
        return self
