"""Who is calling: the number from P-Asserted-Identity (sip: or tel:), else From.

`anonymous` (or any withheld word) means the number is withheld. The header's text is kept
exactly as it arrived.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from siaga112.adapters.sip.message import SipMessage, addr_uri, parse_uri, split_commas
from siaga112.domain.phone import WITHHELD_WORDS

ANONYMOUS_HOSTS = frozenset({"anonymous.invalid"})


@dataclass(frozen=True)
class CallerIdentity:
    number: str | None  # as the network wrote it (user part or tel: number); None: withheld
    header: str  # "p-asserted-identity" or "from"
    raw: str  # the header's text as it arrived

    @property
    def withheld(self) -> bool:
        return self.number is None


def number_of(value: str) -> str | None:
    """The number in one name-addr value, or None if withheld or not a number at all."""
    uri = addr_uri(value)
    lower = uri.lower()
    if lower.startswith("tel:"):
        number = unquote(uri[4:].split(";", 1)[0]).strip()
    elif lower.startswith(("sip:", "sips:")):
        parsed = parse_uri(uri)
        if parsed is None or parsed.host.lower() in ANONYMOUS_HOSTS:
            return None
        number = (parsed.user or "").split(";", 1)[0].strip()  # user=phone params
    else:
        return None
    if number.lower() in WITHHELD_WORDS:
        return None
    return number[:64] or None


def caller_identity(msg: SipMessage) -> CallerIdentity:
    """P-Asserted-Identity wins (the network asserts it, even when Privacy hides it from
    other parties: a PSAP may see it); a tel: value is preferred to a sip: one."""
    pai = msg.get_all("p-asserted-identity")
    if pai:
        raw = ", ".join(pai)
        values = split_commas(raw)
        ordered = sorted(values, key=lambda v: not addr_uri(v).lower().startswith("tel:"))
        for value in ordered:
            number = number_of(value)
            if number is not None:
                return CallerIdentity(number, "p-asserted-identity", raw)
        return CallerIdentity(None, "p-asserted-identity", raw)
    raw_from = msg.get("from") or ""
    return CallerIdentity(number_of(raw_from), "from", raw_from)
