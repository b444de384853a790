"""The `siaga112` command as an administrator uses it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from siaga112.config import CENTERS_DIR

SIAGA112 = str(Path(sys.executable).with_name("siaga112"))


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([SIAGA112, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)


def test_center_check_accepts_kendari():
    result = run("center", "check", "kendari")
    assert result.returncode == 0, result.stderr
    assert "Call Center 112 Kota Kendari" in result.stdout and "63 kelurahan" in result.stdout


def test_center_check_rejects_a_broken_copy_naming_file_and_key(tmp_path):
    broken = tmp_path / "broken.toml"
    text = (CENTERS_DIR / "kendari.toml").read_text(encoding="utf-8")
    broken.write_text(text.replace('station = "damkar_pos_abeli"', 'station = "damkar_pos_mars"'),
                      encoding="utf-8")
    result = run("center", "check", str(broken))
    assert result.returncode == 1
    assert f"{broken}: key 'units[2].station': unknown station 'damkar_pos_mars'" in result.stderr


def test_center_check_rejects_bad_toml_with_the_line(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text('[center]\ncode = "x\n', encoding="utf-8")
    result = run("center", "check", str(broken))
    assert result.returncode == 1 and "not valid TOML" in result.stderr and "line 2" in result.stderr


def test_migrate_then_create_a_user_and_list_it(tmp_path):
    env = {"SIAGA112_DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}",
           "SIAGA112_NEW_PASSWORD": "a-long-secret-123"}
    assert run("migrate", env=env).returncode == 0
    created = run("users", "create", "sari", "--role", "dispatcher", "--full-name", "Sari", env=env)
    assert created.returncode == 0, created.stderr
    assert "created sari (dispatcher)" in created.stdout
    again = run("users", "create", "sari", "--role", "dispatcher", env=env)
    assert again.returncode == 1 and "exists" in again.stderr
    agency = run("users", "create", "pol1", "--role", "agency", env=env)
    assert agency.returncode == 1 and "agency" in agency.stderr
    listed = run("users", "list", env=env)
    assert "sari" in listed.stdout and "dispatcher" in listed.stdout


def test_production_mode_refuses_default_secrets_and_the_demo(tmp_path):
    env = {"SIAGA112_DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
           "SIAGA112_ENV": "production", "SIAGA112_HTTP_PORT": "1"}
    served = run("serve", env=env)
    assert served.returncode == 2 and "SIAGA112_SECRET_KEY" in served.stderr
    demo = run("demo", env=env)
    assert demo.returncode == 2 and "production" in demo.stderr


def test_production_mode_refuses_to_start_with_demo_users_present(tmp_path):
    from siaga112.bootstrap import bootstrap
    from siaga112.config import Settings
    from siaga112.domain.accounts import Role
    from siaga112.services import commands as c

    url = f"sqlite:///{tmp_path / 'd.sqlite3'}"
    siaga = bootstrap(Settings(database_url=url))
    siaga.bus.handle(c.CreateUser(username="operator1", full_name="demo", role=Role.CALL_TAKER,
                                  password="siaga112-demo", demo=True))
    siaga.engine.dispose()
    served = run("serve", env={"SIAGA112_DATABASE_URL": url, "SIAGA112_ENV": "production",
                               "SIAGA112_SECRET_KEY": "x" * 40, "SIAGA112_HTTP_PORT": "1"})
    assert served.returncode == 2 and "demo users are present" in served.stderr
