"""The knowledge base's versions and the topics of question calls (tables_knowledge.py)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from siaga112.adapters.db.tables_knowledge import call_topics, knowledge_entries, knowledge_versions
from siaga112.domain.errors import Conflict
from siaga112.domain.knowledge import CallTopic, KnowledgeContent, KnowledgeVersion, Referral

_V = knowledge_versions.c
_E = knowledge_entries.c
_CURRENT = sa.select(knowledge_versions).join(
    knowledge_entries, sa.and_(_E.code == _V.code, _E.current_version == _V.version))


def _version(row: Any) -> KnowledgeVersion:
    content = KnowledgeContent(
        title=row.title, question=row.question, answer=row.answer,
        referrals=tuple(Referral(**r) for r in row.referrals), keywords=tuple(row.keywords),
        source=row.source, to_check=row.to_check, active=row.active)
    return KnowledgeVersion(code=row.code, version=row.version, content=content,
                            edited_by=row.edited_by, edited_at=row.edited_at, note=row.note)


class SqlKnowledgeRepository:
    def __init__(self, session: Any) -> None:
        self.session = session

    def current(self, code: str, *, for_update: bool = False) -> KnowledgeVersion | None:
        if for_update:  # orders concurrent edits of one topic (a no-op on SQLite)
            self.session.execute(sa.select(_E.code).where(_E.code == code).with_for_update())
        row = self.session.execute(_CURRENT.where(_V.code == code)).first()
        return _version(row) if row else None

    def all_current(self, *, include_retired: bool = False) -> list[KnowledgeVersion]:
        query = _CURRENT.order_by(_V.title, _V.code)
        if not include_retired:
            query = query.where(_E.active.is_(True))
        return [_version(r) for r in self.session.execute(query)]

    def versions(self, code: str) -> list[KnowledgeVersion]:
        """The whole history of a topic, newest first."""
        rows = self.session.execute(sa.select(knowledge_versions).where(_V.code == code)
                                    .order_by(_V.version.desc()))
        return [_version(r) for r in rows]

    def revision(self) -> int:
        """Grows with every version written (they are never deleted): the search index is
        rebuilt when it changes."""
        return int(self.session.execute(sa.select(sa.func.count()).select_from(
            knowledge_versions)).scalar_one())

    def is_empty(self) -> bool:
        return self.session.execute(sa.select(_E.code).limit(1)).first() is None

    def add_version(self, version: KnowledgeVersion) -> None:
        """Write a new version and make it current; a concurrent writer of the same version
        (or of a new topic with the same code) gets a Conflict."""
        c = version.content
        head = {"current_version": version.version, "active": c.active,
                "updated_at": version.edited_at}
        try:
            with self.session.begin_nested():
                if version.version == 1:
                    self.session.execute(sa.insert(knowledge_entries).values(
                        code=version.code, created_at=version.edited_at, **head))
                else:
                    done = self.session.execute(
                        sa.update(knowledge_entries)
                        .where(_E.code == version.code, _E.current_version == version.version - 1)
                        .values(**head))
                    if done.rowcount != 1:
                        raise Conflict(f"knowledge: '{version.code}' changed meanwhile: "
                                       "reload and edit again")
                self.session.execute(sa.insert(knowledge_versions).values(
                    code=version.code, version=version.version, title=c.title,
                    question=c.question, answer=c.answer,
                    referrals=[{"name": r.name, "phone": r.phone, "place": r.place,
                                "note": r.note} for r in c.referrals],
                    keywords=list(c.keywords), source=c.source, to_check=c.to_check,
                    active=c.active, edited_by=version.edited_by, edited_at=version.edited_at,
                    note=version.note))
        except IntegrityError:
            raise Conflict(f"knowledge: '{version.code}' was written by someone else "
                           "meanwhile: reload and edit again") from None

    # -- the topics of calls -------------------------------------------------------------
    def topic_of(self, call_id: uuid.UUID) -> CallTopic | None:
        row = self.session.execute(sa.select(call_topics).where(
            call_topics.c.call_id == call_id)).first()
        return None if row is None else CallTopic(
            call_id=row.call_id, code=row.topic_code, version=row.topic_version,
            set_by=row.set_by, set_at=row.set_at)

    def set_topic(self, topic: CallTopic) -> None:
        values = {"topic_code": topic.code, "topic_version": topic.version,
                  "set_by": topic.set_by, "set_at": topic.set_at}
        done = self.session.execute(sa.update(call_topics).where(
            call_topics.c.call_id == topic.call_id).values(**values))
        if done.rowcount == 0:
            self.session.execute(sa.insert(call_topics).values(call_id=topic.call_id, **values))
