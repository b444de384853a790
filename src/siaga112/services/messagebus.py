"""Hands a command to its handler, then the events it produced to theirs.

Event handlers run after the command's transaction committed: a failing console push
or notification never undoes a stored call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from siaga112.domain.events import DomainEvent
from siaga112.services.commands import Command
from siaga112.services.ports import UnitOfWork

log = logging.getLogger(__name__)
CommandHandler = Callable[[Any], Any]
EventHandler = Callable[[Any], None]


class MessageBus:
    def __init__(self, *, uow_factory: Callable[[], UnitOfWork],
                 command_handlers: Mapping[type[Command], CommandHandler],
                 event_handlers: Mapping[type[DomainEvent], Sequence[EventHandler]]) -> None:
        self.uow_factory = uow_factory
        self.command_handlers = dict(command_handlers)
        self.event_handlers = {k: list(v) for k, v in event_handlers.items()}

    def handle(self, command: Command) -> Any:
        handler = self.command_handlers[type(command)]
        uow = self.uow_factory()
        result = handler(command, uow)
        for event in uow.collect_new_events():
            self._publish(event)
        return result

    def publish(self, events: list[DomainEvent]) -> None:
        """Hand events committed elsewhere (the SIP node's group commits) to their handlers."""
        for event in events:
            self._publish(event)

    def subscribe(self, event_type: type[DomainEvent], handler: EventHandler) -> None:
        self.event_handlers.setdefault(event_type, []).append(handler)

    def _publish(self, event: DomainEvent) -> None:
        for event_type, handlers in self.event_handlers.items():
            if not isinstance(event, event_type):
                continue
            for handler in handlers:
                try:
                    handler(event)
                except Exception:  # one broken subscriber must not stop the others
                    log.exception("event handler %r failed for %r", handler, event)
