"""The top question topics per week and the call-takers' time each consumed.

A topic's time is the talk time of the calls that ended up disposed `non_emergency` with
that topic (a call later re-disposed as an emergency no longer counts). Weeks run Monday to
Sunday in the center's zone; each week also gives the talk time of all its answered calls,
so a supervisor sees which share of the desks' time a topic took. One aggregate query per
figure (SQLite and PostgreSQL alike, reports/sql.py), none reads a call into Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from siaga112.adapters.db.tables import calls
from siaga112.adapters.db.tables_knowledge import call_topics, knowledge_entries, knowledge_versions
from siaga112.domain.calls import Disposition
from siaga112.reports.period import Period
from siaga112.reports.sql import HOURS_BEFORE_EPOCH_MONDAY, TimeSql

EPOCH_MONDAY = date(1969, 12, 29)  # the Monday that starts week 0 of TimeSql's hour index


@dataclass(frozen=True)
class TopicWeek:
    code: str
    title: str
    calls: int
    talk_seconds: float

    def to_dict(self, week_talk: float) -> dict[str, Any]:
        return {"code": self.code, "title": self.title, "calls": self.calls,
                "talk_seconds": round(self.talk_seconds, 1),
                "mean_talk_seconds": round(self.talk_seconds / self.calls, 1),
                "share_of_talk": round(self.talk_seconds / week_talk, 4) if week_talk else None}


@dataclass
class Week:
    monday: date
    answered: int = 0
    talk_seconds: float = 0.0  # all answered calls of the week (in the period)
    topics: list[TopicWeek] = field(default_factory=list)

    def to_dict(self, limit: int) -> dict[str, Any]:
        ranked = sorted(self.topics, key=lambda t: (-t.talk_seconds, -t.calls, t.code))
        question_talk = sum(t.talk_seconds for t in self.topics)
        return {"week": self.monday.isoformat(), "answered": self.answered,
                "talk_seconds": round(self.talk_seconds, 1),
                "question_calls": sum(t.calls for t in self.topics),
                "question_talk_seconds": round(question_talk, 1),
                "topics": [t.to_dict(self.talk_seconds) for t in ranked[:limit]]}


def weekly_topics(engine: Engine, period: Period, *, limit: int = 10) -> dict[str, Any]:
    """Weeks (Monday first) that overlap the period, each with its top `limit` topics by
    call-taker time; only calls answered inside the period count."""
    ts = TimeSql(engine.dialect.name, period.offsets())
    c = calls.c
    end = sa.func.coalesce(c.released_at, c.interrupted_at)
    week = ((ts.hour_index(c.connected_at) + HOURS_BEFORE_EPOCH_MONDAY) // 168).label("week")
    talk = sa.func.coalesce(sa.func.sum(ts.seconds(c.connected_at, end)), 0.0)
    in_period = sa.and_(c.connected_at >= period.start, c.connected_at < period.end)
    titles = (sa.select(knowledge_versions.c.code, knowledge_versions.c.title)
              .join(knowledge_entries, sa.and_(
                  knowledge_entries.c.code == knowledge_versions.c.code,
                  knowledge_entries.c.current_version == knowledge_versions.c.version))
              .subquery())
    by_topic = (sa.select(week, call_topics.c.topic_code, titles.c.title,
                          sa.func.count().label("calls"), talk.label("talk"))
                .select_from(call_topics.join(calls, c.id == call_topics.c.call_id)
                             .join(titles, titles.c.code == call_topics.c.topic_code))
                .where(in_period, c.disposition == Disposition.NON_EMERGENCY.value)
                .group_by(week, call_topics.c.topic_code, titles.c.title))
    all_answered = (sa.select(week, sa.func.count().label("calls"), talk.label("talk"))
                    .where(in_period).group_by(week))
    weeks: dict[int, Week] = {}

    def week_of(index: int) -> Week:
        return weeks.setdefault(index, Week(EPOCH_MONDAY + timedelta(weeks=int(index))))

    with engine.connect() as conn:
        for row in conn.execute(all_answered):
            w = week_of(row.week)
            w.answered, w.talk_seconds = int(row.calls), float(row.talk)
        for row in conn.execute(by_topic):
            week_of(row.week).topics.append(TopicWeek(
                code=row.topic_code, title=row.title, calls=int(row.calls),
                talk_seconds=float(row.talk)))
    first = period.first_day - timedelta(days=period.first_day.weekday())
    for monday in range(0, (period.last_day - first).days + 1, 7):
        week_of((first + timedelta(days=monday) - EPOCH_MONDAY).days // 7)
    return {"period": period.describe(), "limit": limit,
            "weeks": [weeks[i].to_dict(limit) for i in sorted(weeks)]}
