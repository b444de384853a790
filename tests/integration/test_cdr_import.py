"""Importing a PBX's call history: good rows kept, bad rows named by line, never twice."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import sqlalchemy as sa

from siaga112.adapters.cdr.asterisk import read_asterisk
from siaga112.adapters.cdr.generic import read_generic
from siaga112.adapters.db import migrate, tables
from siaga112.adapters.db.audit import verify_chain
from siaga112.adapters.db.history import SqlCallHistoryStore
from siaga112.domain.clock import FixedClock
from siaga112.reports.period import Period
from siaga112.reports.report import build_report
from siaga112.services.history import import_history
from tests.support.report_seed import WITA

# accountcode,src,dst,dcontext,clid,channel,dstchannel,lastapp,lastdata,start,answer,end,
# duration,billsec,disposition,amaflags,uniqueid,userfield
MASTER_CSV = '''\
"","081234567890","112","from-trunk","""Budi"" <081234567890>","SIP/trunk-01","SIP/201-02","Queue","q112","2025-06-10 09:00:00","2025-06-10 09:00:07","2025-06-10 09:01:07",67,60,"ANSWERED","DOCUMENTATION","1749517200.1","darurat"
"","081234567891","112","from-trunk","","SIP/trunk-03","","Queue","q112","2025-06-10 09:05:00","2025-06-10 09:05:00","2025-06-10 09:05:30",30,30,"ANSWERED","DOCUMENTATION","1749517500.2",""
"","","112","from-trunk","""Ani"" <0812 3456 7892>","SIP/trunk-04","","Dial","","2025-06-10 09:06:00","","2025-06-10 09:06:10",10,0,"FAILED","DOCUMENTATION","1749517560.3",""
"","081234567893","112","from-trunk","","SIP/trunk-05","","Dial","","yesterday","","2025-06-10 09:06:10",10,0,"NO ANSWER","DOCUMENTATION","1749517560.4",""
"","081234567893","112"
"","081234567894","112","from-trunk","","SIP/trunk-06","PJSIP/op2-07","Queue","q112","2025-06-10 23:59:58","2025-06-10 23:59:59","2025-06-11 00:00:04",6,5,"ANSWERED","DOCUMENTATION","1749571198.5","iseng"
"","081234567895","112","from-trunk","","SIP/trunk-08","SIP/202-09","Queue","q112","2025-06-10 10:00:00","2025-06-10 10:00:09","2025-06-10 10:00:05",5,0,"ANSWERED","DOCUMENTATION","1749520800.6",""
"","081234567896","112","from-trunk","","SIP/trunk-10","","Queue","q112","2025-06-10 10:10:00","","2025-06-10 10:10:20",20,0,"BUSY","DOCUMENTATION","",""
"","081234567897","112","from-trunk","","SIP/trunk-11","SIP/203-12","Queue","q112","2025-06-10 10:20:00","2025-06-10 10:20:03","2025-06-10 10:22:03",123,120,"ANSWERED","DOCUMENTATION","1749521400.8","maybe"
"","081234567890","112","from-trunk","","SIP/trunk-13","SIP/201-14","Queue","q112","2025-06-10 09:00:00","2025-06-10 09:00:07","2025-06-10 09:01:07",67,60,"ANSWERED","DOCUMENTATION","1749517200.1",""
'''


def _import(engine, text: str, reader=read_asterisk):
    return import_history(rows=reader(io.StringIO(text, newline=""), zone=WITA),
                          store=SqlCallHistoryStore(engine), source="asterisk:Master.csv",
                          clock=FixedClock(datetime(2025, 7, 1, tzinfo=UTC)), batch=2)


def test_asterisk_cdr_keeps_good_rows_names_bad_lines_and_imports_once(engine, kendari):
    migrate.upgrade(engine)
    first = _import(engine, MASTER_CSV)
    assert (first.rows, first.imported, first.already_stored) == (10, 4, 0)
    assert [(p.line, p.reason) for p in first.problems] == [
        (4, "start 'yesterday' is not a date and time (YYYY-MM-DD HH:MM:SS)"),
        (5, "3 fields; an Asterisk CDR line has 18 (at least 17, up to uniqueid)"),
        (7, "ended before it started or was answered"),
        (8, "uniqueid is empty: the import needs it to recognise the call again"),
        (9, first.problems[4].reason),
        (10, "the same id 'asterisk:1749517200.1' as line 1"),
    ]
    assert first.problems[4].reason.startswith("unknown disposition 'maybe'")

    again = _import(engine, MASTER_CSV)
    assert (again.imported, again.already_stored, len(again.problems)) == (0, 4, 6)

    with engine.connect() as conn:
        stored = {r.external_id: r for r in conn.execute(sa.select(tables.calls))}
        logged = conn.execute(sa.select(sa.func.count()).where(
            tables.event_log.c.event_type == "CallImported")).scalar_one()
        checked, problem = verify_chain(conn)
    assert len(stored) == 4 and logged == 4
    assert problem is None and checked >= 4  # the audit chain still holds
    answered = stored["asterisk:1749517200.1"]
    assert answered.state == "released" and answered.disposition == "emergency"
    assert answered.received_at == datetime(2025, 6, 10, 1, 0, tzinfo=UTC)  # 09:00 WITA
    assert (answered.connected_at - answered.received_at).total_seconds() == 7
    assert answered.position_code == "201" and answered.caller_number == "+6281234567890"
    assert stored["asterisk:1749517500.2"].state == "abandoned"  # only the PBX answered
    fault = stored["asterisk:1749517560.3"]
    assert fault.state == "interrupted" and fault.caller_number == "+6281234567892"
    assert stored["asterisk:1749571198.5"].position_code == "op2"


def test_imported_history_is_reported_in_the_centers_terms(engine, kendari):
    migrate.upgrade(engine)
    _import(engine, MASTER_CSV)
    r = build_report(engine=engine, center=kendari,
                     period=Period.parse("2025-06-10", "2025-06-10", kendari.zone))
    # 09:00 answered 60 s (valid), 09:05 hung up in the queue music, 09:06 a fault,
    # 23:59:58 a prank of 5 s (invalid).
    assert (r["total_calls"], r["answered"], r["abandoned_in_queue"], r["abandoned_by_fault"],
            r["valid"], r["invalid"]) == (4, 2, 2, 1, 1, 1)


GENERIC = """\
id,caller,received_at,answered_at,ended_at,outcome,disposition,position
a1,081111111111,2025-06-10T08:00:00,2025-06-10T08:00:05,2025-06-10T08:02:00,answered,informasi,p1
a2,,2025-06-10T00:00:00+00:00,,2025-06-10T00:00:40+00:00,abandoned,,
a3,081111111113,2025-06-10 08:10:00,,2025-06-10 08:10:20,screened_out,,
a4,081111111114,2025-06-10 08:20:00,2025-06-10 08:20:02,2025-06-10 08:20:30,abandoned,,
a5,081111111115,2025-06-10 08:30:00,,2025-06-10 08:30:30,gone,,
"""


def test_the_generic_csv_reads_iso_times_outcomes_and_dispositions(engine, kendari):
    migrate.upgrade(engine)
    result = _import(engine, GENERIC, reader=read_generic)
    assert result.imported == 3
    assert [(p.line, p.reason.split(" (")[0]) for p in result.problems] == [
        (5, "abandoned, yet it has an answer time"),
        (6, "outcome 'gone' is not one of answered, abandoned, interrupted, screened_out"),
    ]
    r = build_report(engine=engine, center=kendari,
                     period=Period.parse("2025-06-10", "2025-06-10", kendari.zone))
    assert (r["total_calls"], r["answered"], r["abandoned_in_queue"], r["screened_out"],
            r["non_emergency"]) == (3, 1, 1, 1, 1)


def test_a_generic_csv_without_its_header_is_refused_at_line_one(engine):
    migrate.upgrade(engine)
    result = _import(engine, "a1,0811,2025-06-10T08:00:00,,2025-06-10T08:01:00,abandoned\n",
                     reader=read_generic)
    assert result.imported == 0
    assert result.problems[0].line == 1 and "the header lacks" in result.problems[0].reason
