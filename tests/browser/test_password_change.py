"""A user whose password an administrator set must choose their own before anything else."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from siaga112.domain.accounts import Role
from siaga112.services import commands as c

if TYPE_CHECKING:
    from tests.browser.conftest import Center

pytestmark = pytest.mark.browser
PASSWORD_PAGE = re.compile(r"/account/password\?next=(%2F|/)$")


def test_first_login_goes_through_the_password_change(page: Page, center: Center) -> None:
    center.siaga.bus.handle(c.CreateUser(username="baru", full_name="Petugas Baru",
                                         role=Role.DISPATCHER, password="dari-admin-123",
                                         must_change_password=True))
    page.goto(f"{center.base}/login")
    page.fill("#username", "baru")
    page.fill("#password", "dari-admin-123")
    page.click("#login-submit")
    expect(page).to_have_url(PASSWORD_PAGE)
    expect(page.locator("#password-required")).to_contain_text("dibuat oleh administrator")

    page.goto(f"{center.base}/center")  # no way around it
    expect(page).to_have_url(re.compile(r"/account/password\?next=(%2F|/)center$"))

    page.fill("#current-password", "dari-admin-123")
    page.fill("#new-password", "milik-saya-456")
    page.fill("#confirm-password", "milik-saya-457")
    page.click("#password-submit")
    expect(page.locator("#password-error")).to_have_text("Kedua kata sandi baru tidak sama.")

    page.fill("#current-password", "salah-sekali-1")
    page.fill("#confirm-password", "milik-saya-456")
    page.click("#password-submit")
    expect(page.locator("#password-error")).to_contain_text("Kata sandi saat ini salah")

    page.fill("#current-password", "dari-admin-123")
    page.click("#password-submit")
    expect(page).to_have_url(f"{center.base}/center")  # back to where they were going
    expect(page.locator("#user-name")).to_have_text("Petugas Baru")
