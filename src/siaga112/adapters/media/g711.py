"""G.711 decoding to 16-bit linear PCM, by 256-entry tables (audioop left Python 3.13)."""

from __future__ import annotations


def _alaw(byte: int) -> int:
    a = byte ^ 0x55
    exponent, mantissa = (a >> 4) & 0x07, a & 0x0F
    value = (mantissa << 4) + 8 if exponent == 0 else ((mantissa << 4) + 0x108) << (exponent - 1)
    return value if a & 0x80 else -value


def _ulaw(byte: int) -> int:
    u = ~byte & 0xFF
    exponent, mantissa = (u >> 4) & 0x07, u & 0x0F
    value = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return -value if u & 0x80 else value


ALAW = tuple(_alaw(b) for b in range(256))
ULAW = tuple(_ulaw(b) for b in range(256))
TABLES = {8: ALAW, 0: ULAW}  # static RTP payload types: PCMA, PCMU
