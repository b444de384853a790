"""A location link's life on SQLite and PostgreSQL: made, sent (gammu spool), opened, shared
as fixes of its own call only, refused, used up, replaced, expired; its photo; the audit
trail; and the report's figures."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from siaga112.adapters.db.audit import verify_chain
from siaga112.adapters.db.repositories_location_link import SqlLocationLinkRepository
from siaga112.adapters.db.tables_location_link import (location_link_photos, location_links,
                                                       sms_sends)
from siaga112.config import CENTERS_DIR, Retention, load_center
from siaga112.config_location_link import PhotoConfig, SmsGammuConfig
from siaga112.domain.calls import Channel
from siaga112.domain.clock import FixedClock
from siaga112.domain.errors import Conflict
from siaga112.domain.location_links import LinkProblem, LinkState
from siaga112.domain.locations import LocationSource
from siaga112.reports.period import Period
from siaga112.reports.report import build_report
from siaga112.services import commands as c
from siaga112.services import personal_data
from siaga112.services.handlers.location_links import (
    LinkUnusable, TooManyLinks, TooManyPositions, check_link,
)


@pytest.fixture
def kendari(tmp_path):
    """Kendari with a gammu-smsd spool in a temporary folder and photos switched on."""
    base = load_center(CENTERS_DIR / "kendari.toml")
    (tmp_path / "outbox").mkdir()
    link = base.location_link.model_copy(update={
        "sms_adapter": "gammu", "gammu": SmsGammuConfig(outbox_dir=str(tmp_path / "outbox")),
        "photo": PhotoConfig(enabled=True), "max_fixes": 3})
    return base.model_copy(update={"location_link": link})


def answered_call(siaga, caller="081234567890"):
    call = siaga.bus.handle(c.ReceiveCall(channel=Channel.VOICE, caller=caller))
    siaga.bus.handle(c.AnswerCall(call_id=call, call_taker="ani"))
    return call


def make_link(siaga, call):
    made = siaga.bus.handle(c.CreateLocationLink(call_id=call, by="ani"))
    return made, f"https://112.example/l/{made.token}"


def position(token, lat=-3.9905, lon=122.5250, accuracy=9.0, fixed_at=None):
    return c.ShareLinkPosition(token=token, lat=lat, lon=lon, accuracy_m=accuracy,
                               fixed_at=fixed_at, detail='{"via":"browser"}')


def link_row(siaga, link_id):
    with siaga.uow() as uow:
        return SqlLocationLinkRepository.of(uow).get(link_id)


def test_a_link_goes_from_sms_to_shared_fixes_of_its_own_call(siaga, clock, tmp_path):
    call = answered_call(siaga)
    other = answered_call(siaga, "081299999999")
    made, url = make_link(siaga, call)
    with siaga.engine.connect() as conn:
        stored = conn.execute(sa.select(location_links)).one()._mapping
    assert stored["token_hash"] != made.token and made.token not in str(dict(stored))

    sms = siaga.bus.handle(c.SendLocationLinkSms(link_id=made.link.id, url=url, by="ani"))
    assert sms.status.value == "sent"
    [spooled] = (tmp_path / "outbox").iterdir()
    assert spooled.name.startswith("OUTA") and "_+6281234567890_" in spooled.name
    assert url in spooled.read_bytes()[2:].decode("utf-16-le")
    with siaga.engine.connect() as conn:
        logged = conn.execute(sa.select(sms_sends)).one()._mapping
    assert (logged["adapter"], logged["status"], logged["recipient"]) == \
        ("gammu", "sent", "+6281******890")

    clock.advance(20)
    assert siaga.bus.handle(c.ReportFromLinkPhone(token=made.token, report="opened")) \
        is LinkState.OPENED
    clock.advance(5)
    first = siaga.bus.handle(position(made.token, fixed_at=clock.now() - timedelta(seconds=2)))
    clock.advance(5)
    siaga.bus.handle(position(made.token, accuracy=5.0))
    with siaga.uow() as uow:
        trail = uow.locations.for_call(call)
        assert uow.locations.for_call(other) == []
    assert [(f.source, f.radius_m, f.confidence) for f in trail] == \
        [(LocationSource.LINK, 9.0, 95.0), (LocationSource.LINK, 5.0, 95.0)]
    assert trail[0].id == first and trail[0].fixed_at == clock.now() - timedelta(seconds=7)
    link = link_row(siaga, made.link.id)
    assert (link.state, link.fixes, link.sms_status) == (LinkState.SHARED, 2, "sent")

    siaga.bus.handle(c.ReportFromLinkPhone(token=made.token, report="done"))
    with pytest.raises(LinkUnusable) as used:
        siaga.bus.handle(position(made.token))
    assert used.value.problem is LinkProblem.USED

    with siaga.uow() as uow:
        log = uow.event_log.for_aggregate("call", str(call))
    moves = [(r["before"], r["after"]) for r in log if r["event_type"] == "LocationLinkStateChanged"]
    assert moves == [(None, "created"), ("created", "sent"), ("sent", "opened"),
                     ("opened", "shared"), ("shared", "shared")]
    assert made.token not in str(log) and "-3.99" not in str(log)

    # One database per backend is slow to make: the rest of the life on the same one.
    one_photo_per_link_kept_with_the_call_without_metadata(siaga)
    refusal_retry_replacement_and_expiry(siaga, clock)
    links_per_call_are_limited_and_expiry_is_swept(siaga, clock)
    with siaga.engine.connect() as conn:
        checked, problem = verify_chain(conn)
    assert problem is None and checked >= len(log)

    # Scene photos are personal data: the retention purge deletes them with the fixes.
    later = FixedClock(clock.now() + timedelta(days=3))
    purged = personal_data.purge(siaga.uow(), retention=Retention(locations_days=2),
                                 clock=later,
                                 purge_photos=SqlLocationLinkRepository.purge_photos_in)
    assert purged.photos_deleted == 1
    with siaga.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(
            location_link_photos)).scalar() == 0


def refusal_retry_replacement_and_expiry(siaga, clock):
    call = answered_call(siaga)
    first, _ = make_link(siaga, call)
    siaga.bus.handle(c.ReportFromLinkPhone(token=first.token, report="denied"))
    assert (link_row(siaga, first.link.id).state, link_row(siaga, first.link.id).reason) == \
        (LinkState.REFUSED, "denied")
    siaga.bus.handle(c.ReportFromLinkPhone(token=first.token, report="unavailable"))
    assert link_row(siaga, first.link.id).state is LinkState.UNAVAILABLE

    second, _ = make_link(siaga, call)  # the call-taker sends a new one
    with pytest.raises(LinkUnusable) as replaced:
        siaga.bus.handle(position(first.token))
    assert replaced.value.problem is LinkProblem.REPLACED
    siaga.bus.handle(position(second.token))
    siaga.bus.handle(position(second.token))
    siaga.bus.handle(position(second.token))
    with pytest.raises(TooManyPositions):  # max_fixes = 3 here
        siaga.bus.handle(position(second.token))

    clock.advance(30 * 60)
    with pytest.raises(LinkUnusable) as expired:
        check_link(second.token, siaga.uow(), clock=clock, center=siaga.center,
                   links=SqlLocationLinkRepository.of)
    assert expired.value.problem is LinkProblem.EXPIRED
    assert link_row(siaga, second.link.id).state is LinkState.EXPIRED  # recorded when noticed
    with pytest.raises(LinkUnusable) as unknown:
        siaga.bus.handle(position("x" * 22))
    assert unknown.value.problem is LinkProblem.UNKNOWN


def links_per_call_are_limited_and_expiry_is_swept(siaga, clock):
    call = answered_call(siaga)
    for _ in range(siaga.center.location_link.max_links_per_call):
        made, _ = make_link(siaga, call)
    with pytest.raises(TooManyLinks):
        make_link(siaga, call)
    clock.advance(30 * 60)
    assert siaga.bus.handle(c.ExpireLocationLinks()) >= 5  # replaced ones end expired too
    assert link_row(siaga, made.link.id).state is LinkState.EXPIRED
    assert siaga.bus.handle(c.ExpireLocationLinks()) == 0


def one_photo_per_link_kept_with_the_call_without_metadata(siaga):
    call = answered_call(siaga)
    made, _ = make_link(siaga, call)
    exif = Image.Exif()
    exif[0x0110] = "SecretPhoneModel"
    raw = io.BytesIO()
    Image.new("RGB", (640, 480), "green").save(raw, "JPEG", exif=exif.tobytes())
    photo_id = siaga.bus.handle(c.AttachLinkPhoto(token=made.token, image=raw.getvalue()))
    with pytest.raises(Conflict):
        siaga.bus.handle(c.AttachLinkPhoto(token=made.token, image=raw.getvalue()))
    with siaga.uow() as uow:
        repo = SqlLocationLinkRepository.of(uow)
        photo = repo.photo(photo_id)
        listed = repo.photos_of_calls([call])
    assert photo.call_id == call and (photo.width, photo.height) == (640, 480)
    assert b"SecretPhoneModel" not in photo.content and photo.content[:2] == b"\xff\xd8"
    assert [p.id for p in listed] == [photo_id] and listed[0].content == b""


def test_the_report_counts_links_and_times_to_first_fix_per_source(siaga, clock):
    calls = [answered_call(siaga, f"0812345678{n:02d}") for n in range(4)]
    siaga.bus.handle(c.RecordLocationFix(call_id=calls[0], source=LocationSource.NETWORK,
                                         lat=-3.99, lon=122.52, radius_m=900))
    made, url = make_link(siaga, calls[0])
    siaga.bus.handle(c.SendLocationLinkSms(link_id=made.link.id, url=url, by="ani"))
    clock.advance(25)
    siaga.bus.handle(c.ReportFromLinkPhone(token=made.token, report="opened"))
    clock.advance(10)
    siaga.bus.handle(position(made.token))  # 35 s after the answer
    opened_only, _ = make_link(siaga, calls[1])
    siaga.bus.handle(c.ReportFromLinkPhone(token=opened_only.token, report="opened"))
    make_link(siaga, calls[2])  # read out, never opened
    clock.advance(60)
    siaga.bus.handle(c.RecordLocationFix(call_id=calls[3], source=LocationSource.MANUAL,
                                         lat=-3.98, lon=122.51))
    day = clock.now().astimezone(siaga.center.zone).date()
    report = build_report(engine=siaga.engine, center=siaga.center,
                          period=Period.parse(day, day, siaga.center.zone))
    section = report["caller_location"]
    assert section["links"] == {"answered": 4, "sent": 3, "sms_sent": 1, "opened": 2,
                                "shared": 1, "sent_share": 0.75, "opened_share": 0.5,
                                "shared_share": 0.25}
    fixes = section["time_to_first_fix"]
    assert fixes["network"] == {"count": 1, "p50_seconds": 0, "p90_seconds": 0}
    assert fixes["link"] == {"count": 1, "p50_seconds": 35, "p90_seconds": 35}
    assert fixes["manual"] == {"count": 1, "p50_seconds": 95, "p90_seconds": 95}
    assert fixes["aml"] == {"count": 0, "p50_seconds": None, "p90_seconds": None}
