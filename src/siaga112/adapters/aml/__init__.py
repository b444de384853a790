"""Advanced Mobile Location (ETSI TS 103 625): pure parsers for SMS (v1, v2) and HTTPS.

Nothing here touches the database or the network: text or bytes in, an `AmlMessage`
or an `AmlError` (with a reason a person can act on) out.
"""

import re

from siaga112.adapters.aml.https import parse_https, sign_body, verify_hmac
from siaga112.adapters.aml.model import AmlError, AmlMessage, AmlSignatureError
from siaga112.adapters.aml.sms import parse_sms

SMS_START = re.compile(r'\s*A\W?ML\s*=', re.IGNORECASE)


def parse_any(text: str | bytes) -> AmlMessage:
    """An SMS text (`A"ML=...`) or an HTTPS form body (`...location_latitude=...`)."""
    if isinstance(text, bytes):
        probe = text[:24].decode("utf-8", errors="replace")
    elif isinstance(text, str):
        probe = text[:24]
    else:
        raise AmlError(f"expected text or bytes, got {type(text).__name__}")
    if SMS_START.match(probe) or "=" not in probe:
        return parse_sms(text)
    return parse_https(text)


__all__ = ["AmlError", "AmlMessage", "AmlSignatureError", "parse_any", "parse_https",
           "parse_sms", "sign_body", "verify_hmac"]
