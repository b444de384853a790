"""Errors the domain raises; entrypoints turn them into clear 4xx answers."""

from __future__ import annotations

from enum import Enum


class DomainError(Exception):
    """A rule of the center was broken; `code` is stable for API clients."""

    code = "domain_error"


class IllegalTransition(DomainError):
    code = "illegal_transition"

    def __init__(self, kind: str, current: Enum, target: Enum) -> None:
        self.kind = kind
        self.current = current
        self.target = target
        super().__init__(f"{kind}: cannot go from '{current.value}' to '{target.value}'")


class TimeWentBackwards(DomainError):
    code = "time_went_backwards"


class InvalidValue(DomainError):
    code = "invalid_value"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"
