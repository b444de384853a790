"""Location links without a database: tokens, the lifecycle, the center's settings, photos,
and the caller's page staying plain ES5."""

from __future__ import annotations

import io
import re
import struct
import uuid
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from babel.messages.jslexer import tokenize
from PIL import Image
from pydantic import ValidationError

from siaga112.adapters.photos import clean_photo
from siaga112.config import CENTERS_DIR, load_center
from siaga112.config_location_link import LocationLinkConfig
from siaga112.domain.location_links import (
    LinkProblem, LinkState, LocationLink, token_hash,
)
from siaga112.entrypoints.web import i18n
from siaga112.services.handlers.location_links import share_window, sms_text
from siaga112.services.location_link_ports import PhotoRefused

T0 = datetime(2025, 6, 10, 1, 0, tzinfo=UTC)
WINDOW = timedelta(seconds=120)


def new_link(**kw) -> tuple[LocationLink, str]:
    return LocationLink.create(call_id=uuid.uuid4(), by="ani", at=T0,
                               lifetime=timedelta(minutes=30), **kw)


def test_tokens_have_128_random_bits_and_only_their_hash_is_kept():
    links = [new_link() for _ in range(200)]
    tokens = {token for _, token in links}
    assert len(tokens) == 200
    assert all(len(t) >= 22 and t.replace("-", "").replace("_", "").isalnum() for t in tokens)
    link, token = links[0]
    assert link.token_hash == token_hash(token) and len(link.token_hash) == 64
    assert token not in repr(link.__dict__)


def test_the_lifecycle_moves_forward_and_ignores_what_tells_nothing_new():
    link, _ = new_link()
    assert link.state is LinkState.CREATED and link.expires_at == T0 + timedelta(minutes=30)
    assert link.move(LinkState.SENT, T0)
    assert link.move(LinkState.OPENED, T0 + timedelta(seconds=5))
    assert link.move(LinkState.REFUSED, T0 + timedelta(seconds=9), reason="denied")
    assert link.reason == "denied"
    assert not link.move(LinkState.OPENED, T0 + timedelta(seconds=20))  # a reload
    assert link.record_fix(T0 + timedelta(seconds=30))  # the caller changed their mind
    assert (link.state, link.reason, link.fixes) == (LinkState.SHARED, None, 1)
    assert not link.record_fix(T0 + timedelta(seconds=35))  # still shared
    assert not link.move(LinkState.REFUSED, T0 + timedelta(seconds=36))
    assert link.move(LinkState.EXPIRED, T0 + timedelta(minutes=30))
    assert not any(link.move(s, T0 + timedelta(hours=1)) for s in LinkState)


def test_a_link_is_unusable_once_expired_used_up_or_replaced():
    link, _ = new_link()
    assert link.problem(T0, share_window=WINDOW) is None
    assert link.problem(T0 + timedelta(minutes=30), share_window=WINDOW) is LinkProblem.EXPIRED
    link.record_fix(T0 + timedelta(minutes=1))
    assert link.problem(T0 + timedelta(minutes=3), share_window=WINDOW) is None
    assert link.problem(T0 + timedelta(minutes=3, seconds=1),
                        share_window=WINDOW) is LinkProblem.USED
    done, _ = new_link()
    done.end(T0, LinkProblem.USED)
    assert done.problem(T0, share_window=WINDOW) is LinkProblem.USED
    old, _ = new_link()
    old.end(T0, LinkProblem.REPLACED)
    assert old.problem(T0, share_window=WINDOW) is LinkProblem.REPLACED


def test_the_sms_fits_in_one_message_and_settings_are_checked_at_start():
    kendari = load_center(CENTERS_DIR / "kendari.toml")
    cfg = kendari.location_link
    url = "https://112.kendarikota.go.id/l/" + "A" * 22
    text = sms_text(cfg, url=url, center=kendari)
    assert text == f"112 Kota Kendari: bagikan lokasi Anda ke petugas: {url} (berlaku 30 menit)"
    assert len(text) <= 160 and text.isascii()
    assert share_window(cfg) == timedelta(seconds=120)
    for bad, says in [
        ({"message": "lokasi Anda"}, "must contain {url}"),
        ({"message": "{url} {secret}"}, "unknown placeholder"),
        ({"sms_adapter": "http"}, "needs a [location_link.http] section"),
        ({"sms_adapter": "http", "http": {"url": "https://gw", "auth": "bearer"}}, "token_env"),
        ({"sms_adapter": "http", "http": {"url": "https://gw", "method": "GET"}}, "query"),
        ({"sms_adapter": "http", "http": {"url": "https://gw", "fields": {"to": "{phone}"}}},
         "unknown placeholder"),
        ({"base_url": "112.kendarikota.go.id"}, "base_url"),
        ({"expiry_minutes": 0}, "expiry_minutes"),
    ]:
        with pytest.raises(ValidationError, match=None) as caught:
            LocationLinkConfig.model_validate(bad)
        assert says in str(caught.value), (bad, str(caught.value))


def _jpeg_with_secrets() -> bytes:
    exif = Image.Exif()
    exif[0x0110] = "SecretPhoneModel"
    exif[0x0112] = 6  # shot sideways: the cleaned photo is turned upright
    exif[0x8825] = {1: "S", 2: (3.0, 58.0, 27.5), 3: "E", 4: (122.0, 31.0, 12.0)}
    out = io.BytesIO()
    Image.new("RGB", (2400, 1600), "orange").save(out, "JPEG", exif=exif.tobytes(),
                                                  comment=b"taken at home", icc_profile=b"\0" * 64)
    return out.getvalue() + b"TRAILING-SECRET"


def test_a_photo_keeps_only_its_pixels():
    clean = clean_photo(_jpeg_with_secrets(), max_side_px=1600, quality=80)
    assert (clean.media_type, clean.width, clean.height) == ("image/jpeg", 1067, 1600)
    for secret in (b"SecretPhoneModel", b"taken at home", b"TRAILING-SECRET", b"Exif"):
        assert secret not in clean.content
    reopened = Image.open(io.BytesIO(clean.content))
    assert reopened.format == "JPEG" and not reopened.getexif()
    assert "icc_profile" not in reopened.info and "comment" not in reopened.info


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                             0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("data", [
    b"%PDF-1.4 not a picture", b"<svg xmlns='http://www.w3.org/2000/svg'></svg>",
    _png_header(20_000, 20_000),  # 400 million pixels: refused before decoding
    _jpeg_with_secrets()[:300],  # cut short
], ids=["pdf", "svg", "bomb", "truncated"])
def test_what_is_not_a_readable_photo_is_refused(data):
    with pytest.raises(PhotoRefused):
        clean_photo(data, max_side_px=1600, quality=80)


ES6_AND_LATER = re.compile(
    r"=>|\.\.\.|`|\b(let|const|class|import|export|async|await|yield|of)\s|\bfetch\s*\("
    r"|\b(Promise|Symbol|Map|Set|WeakMap|Proxy|Reflect)\b"
    r"|\.(includes|startsWith|endsWith|find|findIndex|assign|closest|append|remove)\(")


def test_the_callers_page_is_plain_es5_and_small():
    """Old Android browsers: no arrows, let/const, classes, modules, templates, spread,
    fetch or Promise, nor ES2015 library calls; and the page's own files stay small."""
    source = (i18n.STATIC_DIR / "share_location.js").read_text(encoding="utf-8")
    code = source
    for token in tokenize(source, jsx=False, dotted=False, template_string=True):
        if token.type in ("string", "regexp", "linecomment", "multilinecomment"):
            code = code.replace(token.value, '""', 1)  # words may say anything
        assert token.type != "template_string"
    found = [m.group(0) for m in ES6_AND_LATER.finditer(code)]
    assert found == [], f"not ES5: {found}"
    assets = ("share_location.js", "share_location.css", "favicon.svg")
    assert sum((i18n.STATIC_DIR / name).stat().st_size for name in assets) < 20_000
