"""Bencode, the encoding of rtpengine's NG control protocol (integers, byte strings,
lists, dictionaries). Tiny, so written here rather than pulled in as a dependency."""

from __future__ import annotations

from typing import Any

Value = int | bytes | str | list[Any] | dict[Any, Any]


class BencodeError(ValueError):
    pass


def encode(value: Value) -> bytes:
    out: list[bytes] = []
    _encode(value, out)
    return b"".join(out)


def _encode(value: Any, out: list[bytes]) -> None:
    if isinstance(value, bool):
        raise BencodeError("booleans have no bencode form: send 'yes'/'no' or a flag")
    if isinstance(value, int):
        out.append(b"i%de" % value)
    elif isinstance(value, str | bytes):
        raw = value.encode() if isinstance(value, str) else value
        out.append(b"%d:%s" % (len(raw), raw))
    elif isinstance(value, list | tuple):
        out.append(b"l")
        for item in value:
            _encode(item, out)
        out.append(b"e")
    elif isinstance(value, dict):
        out.append(b"d")
        items = [(k.encode() if isinstance(k, str) else k, v) for k, v in value.items()]
        for key, item in sorted(items):  # bencode wants sorted keys
            _encode(key, out)
            _encode(item, out)
        out.append(b"e")
    else:
        raise BencodeError(f"cannot bencode {type(value).__name__}")


def decode(data: bytes) -> Any:
    """Strings come back as `str` (UTF-8; bytes if they are not valid UTF-8)."""
    value, end = _decode(data, 0)
    if end != len(data):
        raise BencodeError(f"trailing data at {end}")
    return value


def _decode(data: bytes, i: int) -> tuple[Any, int]:
    if i >= len(data):
        raise BencodeError("truncated")
    lead = data[i:i + 1]
    if lead == b"i":
        end = data.index(b"e", i)
        try:
            return int(data[i + 1:end]), end + 1
        except ValueError:
            raise BencodeError(f"bad integer at {i}") from None
    if lead in (b"l", b"d"):
        items: list[Any] = []
        i += 1
        while data[i:i + 1] != b"e":
            item, i = _decode(data, i)
            items.append(item)
            if i >= len(data):
                raise BencodeError("truncated")
        if lead == b"l":
            return items, i + 1
        if len(items) % 2:
            raise BencodeError("dictionary with a key and no value")
        return dict(zip(items[::2], items[1::2], strict=True)), i + 1
    if lead.isdigit():
        colon = data.find(b":", i)
        if colon < 0:
            raise BencodeError("string without length")
        length = int(data[i:colon])
        start, end = colon + 1, colon + 1 + length
        if end > len(data):
            raise BencodeError("truncated string")
        raw = data[start:end]
        try:
            return raw.decode(), end
        except UnicodeDecodeError:
            return raw, end
    raise BencodeError(f"unexpected byte {lead!r} at {i}")
