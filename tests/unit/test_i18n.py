"""The pages' words and times: complete catalogues in both languages, times in the center's zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from jinja2 import Environment, FileSystemLoader

from siaga112.domain.accounts import Role
from siaga112.domain.incidents import IncidentStatus
from siaga112.domain.units import UnitStatus
from siaga112.entrypoints.web import i18n

WEB = i18n.STATIC_DIR.parent
TEMPLATES = WEB / "templates"


def read_catalogue(path) -> Catalog:
    with path.open("rb") as po:
        return read_po(po)


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    """Every msgid in the templates and scripts, found as `pybabel extract` finds them."""
    with (i18n.CATALOGUE_DIR / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = {message if isinstance(message, str) else message[0]
             for _file, _line, message, _comments, _context
             in extract_from_dir(WEB, method_map, options_map)}
    assert len(found) > 50  # the extraction itself worked
    return found


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_every_word_is_translated_in_each_catalogue(extracted: set[str], locale: str) -> None:
    catalogue = read_catalogue(i18n.po_path(locale))
    entries = {m.id: m for m in catalogue if m.id}
    missing = sorted(extracted - entries.keys())
    assert not missing, f"{locale}: not in the catalogue (run pybabel update): {missing}"
    empty = sorted(i for i in extracted if not entries[i].string)
    assert not empty, f"{locale}: no translation for {empty}"
    fuzzy = sorted(m.id for m in entries.values() if m.fuzzy)
    assert not fuzzy, f"{locale}: fuzzy entries (check them, then drop the flag): {fuzzy}"
    stale = sorted(entries.keys() - extracted)
    assert not stale, f"{locale}: no longer used (run pybabel update): {stale}"
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalogue.check()]
    assert not problems, f"{locale}: placeholders differ from the msgid: {problems}"


def test_the_template_catalogue_is_up_to_date(extracted: set[str]) -> None:
    template = {m.id for m in read_catalogue(i18n.CATALOGUE_DIR / "messages.pot") if m.id}
    assert template == extracted, "run pybabel extract (docs/web.md)"


def test_templates_hold_no_words_outside_the_catalogue() -> None:
    """Words in a template are written as {{ _("...") }}: what is left after removing the
    Jinja parts and the HTML tags may only be names and signs."""
    allowed = {"Siaga112"}
    for path in TEMPLATES.glob("*.html"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", text, flags=re.S)
        text = re.sub(r"<[^>]*>", " ", text)
        words = set(re.findall(r"[^\W\d_][\w-]*", text)) - allowed
        assert not words, f"{path.name}: words not in the catalogue: {sorted(words)}"


def test_catalogues_load_from_the_po_files() -> None:
    assert i18n.translations("id").gettext("Log in") == "Masuk"
    assert i18n.translations("en").gettext("Log in") == "Log in"
    assert i18n.translations("id") is i18n.translations("id")  # compiled once
    with pytest.raises(ValueError, match="no catalogue"):
        i18n.translations("fr")


@pytest.mark.parametrize(("cookie", "offered", "chosen"), [
    (None, ["id", "en"], "id"),
    ("en", ["id", "en"], "en"),
    ("id", ["id", "en"], "id"),
    ("fr", ["id", "en"], "id"),
    ("en", ["id"], "id"),       # the center does not offer English
    (None, ["en", "id"], "en"),  # the center's first language is its default
    (None, [], "id"),
])
def test_the_locale_comes_from_the_cookie_within_what_the_center_offers(
        cookie: str | None, offered: list[str], chosen: str) -> None:
    assert i18n.choose_locale(cookie, offered) == chosen


def test_scripts_get_their_own_words_translated() -> None:
    words = i18n.script_messages("id", ("common.js", "login.js"))
    assert words["Wrong username or password."] == "Nama pengguna atau kata sandi salah."
    assert "Zoom in" not in words  # center.js's words stay with center.js
    assert i18n.script_messages("en", ("center.js",))["Zoom in"] == "Zoom in"


def test_scripts_and_templates_name_every_status_and_role() -> None:
    """A new unit status, incident status or role must get its words on the screens."""
    script = (i18n.STATIC_DIR / "center.js").read_text(encoding="utf-8")
    unit_statuses = set(re.findall(r'\["(\w+)", _\("', script))
    assert unit_statuses == {s.value for s in UnitStatus}
    block = re.search(r"var INCIDENT_STATUS = \{(.*?)\};", script, flags=re.S)
    assert block is not None
    assert set(re.findall(r'"?(\w+)"?: _\(', block[1])) == {s.value for s in IncidentStatus}

    env = Environment(loader=FileSystemLoader(TEMPLATES), extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(i18n.translations("id"), newstyle=True)  # type: ignore[attr-defined]
    role_label = env.get_template("_macros.html").module.role_label  # type: ignore[attr-defined]
    labels = {role: str(role_label(role)) for role in Role}
    assert all(label and label != role.value for role, label in labels.items()), labels
    assert labels[Role.CALL_TAKER] == "Operator"


@pytest.mark.parametrize(("zone", "shown"), [
    ("Asia/Makassar", "28/11/2026 09:05 WITA"),
    ("Asia/Jakarta", "28/11/2026 08:05 WIB"),
    ("Asia/Jayapura", "28/11/2026 10:05 WIT"),
    ("America/Sao_Paulo", "27/11/2026 22:05 UTC-03"),  # a zone without a letter abbreviation
])
def test_localtime_shows_a_utc_time_in_the_centers_zone(zone: str, shown: str) -> None:
    assert i18n.localtime(datetime(2026, 11, 28, 1, 5, 30, tzinfo=UTC), ZoneInfo(zone)) == shown


def test_localtime_reads_naive_times_as_utc_and_can_show_seconds() -> None:
    wita = ZoneInfo("Asia/Makassar")
    assert i18n.localtime(datetime(2026, 11, 28, 16, 0, 7), wita, seconds=True) == \
        "29/11/2026 00:00:07 WITA"
    assert i18n.localtime(None, wita) == ""
