"""The center file's dispatch settings: routing and agencies' webhooks."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from siaga112.config import CENTERS_DIR, AgencyConfig, RoutingConfig, load_center


def test_kendari_routes_by_straight_line_and_sends_no_webhook():
    center = load_center(CENTERS_DIR / "kendari.toml")
    assert (center.routing.provider, center.routing.circuity) == ("straight_line", 1.35)
    assert not any(a.webhook_url for a in center.agencies)
    assert center.webhooks.max_attempts == 6


def test_a_webhook_names_the_variable_of_its_secret_never_the_secret():
    with pytest.raises(ValidationError, match="webhook_url needs webhook_secret_env"):
        AgencyConfig(code="damkar", name="Damkar", kind="fire",
                     webhook_url="https://damkar.example/eido")
    with pytest.raises(ValidationError, match="webhook_secret_env"):
        AgencyConfig(code="damkar", name="Damkar", kind="fire",
                     webhook_url="https://damkar.example/eido", webhook_secret_env="s3cret!")
    ok = AgencyConfig(code="damkar", name="Damkar", kind="fire",
                      webhook_url="https://damkar.example/eido",
                      webhook_secret_env="SIAGA112_WEBHOOK_SECRET_DAMKAR")
    assert ok.webhook_secret_env == "SIAGA112_WEBHOOK_SECRET_DAMKAR"


def test_a_routing_provider_needs_its_source():
    with pytest.raises(ValidationError, match="osrm_url"):
        RoutingConfig(provider="osrm")
    with pytest.raises(ValidationError, match="circuity"):
        RoutingConfig(circuity=0.5)
