"""Location links, their SMS log and photos, on the unit of work's session (SQLAlchemy Core).

Built from a unit of work inside its `with` block (`SqlLocationLinkRepository.of(uow)`), so
every write commits with the command's other changes and its events.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from siaga112.adapters.db.tables import calls
from siaga112.adapters.db.tables_location_link import location_link_photos, location_links, sms_sends
from siaga112.domain.location_links import LinkState, LocationLink
from siaga112.services.location_link_ports import LinkPhoto, SmsSend

LINK_COLUMNS = tuple(f.name for f in fields(LocationLink))
SMS_COLUMNS = tuple(f.name for f in fields(SmsSend))
PHOTO_COLUMNS = tuple(f.name for f in fields(LinkPhoto))


def _link(row: sa.Row[Any]) -> LocationLink:
    values = dict(row._mapping)
    values["state"] = LinkState(values["state"])
    return LocationLink(**values)


class SqlLocationLinkRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    @classmethod
    def of(cls, uow: Any) -> SqlLocationLinkRepository:
        return cls(uow.session)

    # --- links ------------------------------------------------------------------------
    def add(self, link: LocationLink) -> None:
        self.session.execute(sa.insert(location_links).values(
            {n: getattr(link, n) for n in LINK_COLUMNS}))

    def save(self, link: LocationLink) -> None:
        self.session.execute(sa.update(location_links).where(location_links.c.id == link.id)
                             .values({n: getattr(link, n) for n in LINK_COLUMNS if n != "id"}))

    def _one(self, query: sa.Select[Any], for_update: bool) -> LocationLink | None:
        if for_update:
            query = query.with_for_update()
        row = self.session.execute(query).first()
        return _link(row) if row is not None else None

    def get(self, link_id: uuid.UUID, *, for_update: bool = False) -> LocationLink | None:
        return self._one(sa.select(location_links).where(location_links.c.id == link_id),
                         for_update)

    def by_token_hash(self, digest: str, *, for_update: bool = False) -> LocationLink | None:
        return self._one(sa.select(location_links)
                         .where(location_links.c.token_hash == digest), for_update)

    def latest_for_call(self, call_id: uuid.UUID) -> LocationLink | None:
        return self._one(sa.select(location_links).where(location_links.c.call_id == call_id)
                         .order_by(location_links.c.created_at.desc()).limit(1), False)

    def open_for_call(self, call_id: uuid.UUID) -> Sequence[LocationLink]:
        """The call's links that have not ended nor expired (a new one replaces them)."""
        link = location_links.c
        rows = self.session.execute(sa.select(location_links).where(
            link.call_id == call_id, link.ended_at.is_(None),
            link.state != LinkState.EXPIRED.value).with_for_update()).all()
        return [_link(r) for r in rows]

    def count_since(self, call_id: uuid.UUID, since: datetime) -> int:
        link = location_links.c
        return int(self.session.execute(sa.select(sa.func.count()).where(
            link.call_id == call_id, link.created_at >= since)).scalar_one())

    def due_to_expire(self, now: datetime, *, limit: int = 500) -> Sequence[LocationLink]:
        link = location_links.c
        rows = self.session.execute(sa.select(location_links).where(
            link.expires_at <= now, link.state != LinkState.EXPIRED.value)
            .order_by(link.expires_at).limit(limit).with_for_update()).all()
        return [_link(r) for r in rows]

    def caller_number(self, call_id: uuid.UUID) -> str | None:
        return self.session.execute(sa.select(calls.c.caller_number)
                                    .where(calls.c.id == call_id)).scalar_one_or_none()

    # --- the SMS log ------------------------------------------------------------------
    def add_sms_send(self, send: SmsSend) -> None:
        self.session.execute(sa.insert(sms_sends).values(
            {n: getattr(send, n) for n in SMS_COLUMNS}))

    def sms_sends(self, *, limit: int = 100,
                  call_id: uuid.UUID | None = None) -> Sequence[SmsSend]:
        query = sa.select(sms_sends).order_by(sms_sends.c.started_at.desc()).limit(limit)
        if call_id is not None:
            query = query.where(sms_sends.c.call_id == call_id)
        return [SmsSend(**dict(r._mapping)) for r in self.session.execute(query).all()]

    # --- photos -----------------------------------------------------------------------
    def add_photo(self, photo: LinkPhoto) -> None:
        self.session.execute(sa.insert(location_link_photos).values(
            {n: getattr(photo, n) for n in PHOTO_COLUMNS}))

    def photo_of_link(self, link_id: uuid.UUID) -> uuid.UUID | None:
        return self.session.execute(sa.select(location_link_photos.c.id).where(
            location_link_photos.c.link_id == link_id)).scalar_one_or_none()

    def photo(self, photo_id: uuid.UUID) -> LinkPhoto | None:
        row = self.session.execute(sa.select(location_link_photos).where(
            location_link_photos.c.id == photo_id)).first()
        return LinkPhoto(**dict(row._mapping)) if row is not None else None

    def photos_of_calls(self, call_ids: Sequence[uuid.UUID]) -> Sequence[LinkPhoto]:
        """Without their content: what a list shows."""
        if not call_ids:
            return []
        p = location_link_photos.c
        rows = self.session.execute(
            sa.select(*(p[n] for n in PHOTO_COLUMNS if n != "content"))
            .where(p.call_id.in_(list(call_ids))).order_by(p.received_at)).all()
        return [LinkPhoto(**dict(r._mapping), content=b"") for r in rows]

    @classmethod
    def purge_photos_in(cls, uow: Any, before: datetime | None) -> int:
        """For the retention purge (services/personal_data.purge), inside its unit of work."""
        return cls.of(uow).purge_photos(before=before)

    def purge_photos(self, *, before: datetime | None) -> int:
        """Photos are personal data: deleted past the locations' retention."""
        if before is None:
            return 0
        return int(self.session.execute(
            sa.delete(location_link_photos).where(location_link_photos.c.received_at < before),
            execution_options={"synchronize_session": False}).rowcount)
