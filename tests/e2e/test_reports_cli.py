"""`siaga112 report` and `siaga112 import-cdr` as an administrator runs them."""

from __future__ import annotations

import json
import subprocess

import sqlalchemy as sa

from siaga112.adapters.db import migrate, tables
from siaga112.adapters.db.engine import create_db_engine
from tests.e2e.test_cli import run
from tests.integration.test_cdr_import import MASTER_CSV
from tests.support.report_seed import seed_kendari


def test_report_prints_the_seeds_figures_as_json(database_url, engine, kendari):
    migrate.upgrade(engine)
    seed_kendari(engine, kendari)
    result = run("report", "--from", "2025-06-10", "--to", "2025-06-30", "--format", "json",
                 env={"SIAGA112_DATABASE_URL": database_url})
    assert result.returncode == 0, result.stderr
    r = json.loads(result.stdout)
    assert (r["total_calls"], r["abandoned_in_queue"], r["answered"], r["valid"],
            r["invalid"], r["emergencies_verified"]) == (5982, 2238, 3744, 2522, 1222, 166)


def test_report_writes_a_pdf_and_refuses_what_it_cannot_do(tmp_path, kendari):
    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    engine = create_db_engine(url)
    migrate.upgrade(engine)
    seed_kendari(engine, kendari)
    engine.dispose()
    env = {"SIAGA112_DATABASE_URL": url}
    pdf = tmp_path / "laporan.pdf"
    made = run("report", "--from", "2025-06-10", "--to", "2025-06-30", "--format", "pdf",
               "--out", str(pdf), env=env)
    assert made.returncode == 0, made.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout  # poppler-utils, installed by scripts/test
    assert "Total panggilan" in text and "5982" in text
    unknown = run("report", "--from", "2025-06-10", "--to", "2025-06-30", "--format", "doc",
                  env=env)
    assert unknown.returncode == 2 and "--format: 'doc' is not one of" in unknown.stderr
    binary = run("report", "--from", "2025-06-10", "--to", "2025-06-30", "--format", "pdf",
                 env=env)
    assert binary.returncode == 2 and "--out" in binary.stderr


def test_import_cdr_twice_adds_nothing_and_names_bad_lines(tmp_path):
    env = {"SIAGA112_DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}"}
    master = tmp_path / "Master.csv"
    master.write_text(MASTER_CSV, encoding="utf-8")
    first = run("import-cdr", "--format", "asterisk", str(master), env=env)
    assert first.returncode == 1  # some rows were bad; the good ones are stored
    assert "10 rows: 4 calls imported, 0 already stored, 6 bad rows" in first.stdout
    assert f"{master}: line 4: start 'yesterday' is not a date" in first.stderr
    second = run("import-cdr", "--format", "asterisk", str(master), env=env)
    assert "0 calls imported, 4 already stored" in second.stdout
    engine = create_db_engine(env["SIAGA112_DATABASE_URL"])
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(tables.calls)).scalar() == 4
    engine.dispose()
    missing = run("import-cdr", str(tmp_path / "nowhere.csv"), env=env)
    assert missing.returncode == 2 and "cannot read" in missing.stderr
