"""Admission: how many calls the node carries at once. Beyond the limit a new call is
still stored, then refused with 503 and Retry-After (the trunk can route it elsewhere);
the node never drops a dialog silently."""

from __future__ import annotations


class Admission:
    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("the admission limit must be at least 1")
        self.limit = limit
        self.live = 0
        self.refused = 0

    def admit(self) -> bool:
        """Count a new call in; False when it is over the limit (it is counted anyway,
        until its refusal is sent and its leg ends)."""
        self.live += 1
        if self.live > self.limit:
            self.refused += 1
            return False
        return True

    def release(self) -> None:
        self.live = max(0, self.live - 1)
