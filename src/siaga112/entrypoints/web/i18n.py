"""Words and times for the screens: message catalogues read from the .po files, the center's zone.

The catalogues are the `.po` files under `siaga112/i18n/locale`, compiled in memory on first
use, so there is no compile step and no binary `.mo` in the repository. Indonesian is the
default; English is chosen with the `lang` cookie (see docs/web.md).
"""

from __future__ import annotations

import gettext
from datetime import UTC, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

CATALOGUE_DIR = Path(__file__).resolve().parents[2] / "i18n"
STATIC_DIR = Path(__file__).resolve().parent / "static"
LOCALES = ("id", "en")
DEFAULT_LOCALE = "id"
LANG_COOKIE = "lang"


def po_path(locale: str) -> Path:
    return CATALOGUE_DIR / "locale" / locale / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=None)
def translations(locale: str) -> gettext.GNUTranslations:
    """The catalogue of one locale, compiled in memory from its .po file (fuzzy entries left out)."""
    if locale not in LOCALES:
        raise ValueError(f"no catalogue for locale '{locale}'; known: {', '.join(LOCALES)}")
    with po_path(locale).open("rb") as po:
        catalog = read_po(po, locale=locale)
    mo = BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    return gettext.GNUTranslations(mo)


def choose_locale(wanted: str | None, offered: list[str] | tuple[str, ...]) -> str:
    """The locale of a request: the cookie's if the center offers it, else the center's first."""
    usable = [lang for lang in offered if lang in LOCALES] or [DEFAULT_LOCALE]
    return wanted if wanted in usable else usable[0]


@lru_cache(maxsize=None)
def script_messages(locale: str, scripts: tuple[str, ...]) -> dict[str, str]:
    """What the page's scripts say, translated: msgid -> text, for the JSON block the page embeds.

    The msgids are read from the scripts' own `_("...")` calls, the same calls `pybabel
    extract` reads, so a script and its dictionary cannot drift apart.
    """
    catalogue = translations(locale)
    messages: dict[str, str] = {}
    for name in scripts:
        with (STATIC_DIR / name).open("rb") as js:
            for _lineno, msgid, _comments, _context in extract("javascript", js):
                if isinstance(msgid, str):
                    messages[msgid] = catalogue.gettext(msgid)
    return messages


def zone_abbreviation(moment: datetime) -> str:
    """`WITA`, `WIB`, `WIT`...; a zone without a letter abbreviation reads `UTC+08`."""
    name = moment.tzname() or ""
    return f"UTC{name}" if name[:1] in "+-" else name


def localtime(moment: datetime | None, zone: ZoneInfo, *, seconds: bool = False) -> str:
    """A stored (UTC) time as the center's staff read it: `28/11/2026 09:05 WITA`."""
    if moment is None:
        return ""
    if moment.tzinfo is None:  # stored times are UTC
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(zone)
    pattern = "%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M"
    return f"{local.strftime(pattern)} {zone_abbreviation(local)}"
