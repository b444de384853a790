"""Silent-call screening's decisions (services/silent_screening.py), with the media side and
the timers played by fakes: what each caller's behaviour leads to, flood mode, and that
nothing a caller does can release them once they answered."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from siaga112.config_screening import ScreeningConfig
from siaga112.domain.clock import FixedClock
from siaga112.services import commands as c
from siaga112.services.silent_screening import SilentScreening


class FakeMedia:
    def __init__(self, *, answers: bool = True, plays: float | None = 6.0) -> None:
        self.answers, self.plays = answers, plays
        self.log: list[tuple[str, str]] = []

    def can_screen(self) -> bool:
        return True

    def answer_for_screening(self, ref: str, call_id: str) -> bool:
        self.log.append(("answer", ref))
        return self.answers

    def listen(self, ref: str) -> None:
        self.log.append(("listen", ref))

    def play(self, ref: str, name: str) -> float | None:
        self.log.append(("play", name))
        return self.plays

    def stop_screening(self, ref: str) -> None:
        self.log.append(("stop", ref))

    def hang_up(self, ref: str) -> None:
        self.log.append(("hang_up", ref))


class FakeTimers:
    def __init__(self) -> None:
        self.now = 0.0
        self.due: list[list] = []

    def call_later(self, delay, fn, *args):
        timer = [self.now + delay, fn, args, False]

        class Handle:
            def cancel(self_inner) -> None:
                timer[3] = True

        self.due.append(timer)
        return Handle()

    def advance(self, seconds: float) -> None:
        self.now += seconds
        for timer in sorted(self.due, key=lambda t: t[0]):
            if timer[0] <= self.now and not timer[3]:
                timer[3] = True
                timer[1](*timer[2])


@pytest.fixture
def world():
    media, timers = FakeMedia(), FakeTimers()
    commands: list[c.Command] = []
    moved: list[tuple[str, timedelta]] = []
    released: list[str] = []

    def make(**config) -> SilentScreening:
        return SilentScreening(
            config=ScreeningConfig(silent_calls=True, listen_seconds=4, response_seconds=8,
                                   **config),
            media=media, timers=timers, clock=FixedClock(datetime(2026, 1, 1, tzinfo=UTC)),
            submit=lambda cmd, _done: commands.append(cmd),
            move_ahead=lambda ref, ahead: moved.append((ref, ahead)),
            released=released.append)

    return make, media, timers, commands, moved, released


def outcomes(commands) -> list[str]:
    return [cmd.outcome for cmd in commands if isinstance(cmd, c.EndScreening)]


def test_a_caller_who_speaks_while_listened_to_hears_no_announcement(world):
    make, media, timers, commands, moved, released = world
    screening = make()
    screening.start("a", uuid.uuid4(), waiting_calls=0)
    timers.advance(2)
    screening.heard("a", "speech", "")
    timers.advance(60)
    assert outcomes(commands) == ["speech"]
    assert ("play", "screening") not in media.log
    assert moved == [("a", timedelta(seconds=300))] and released == []


def test_silence_brings_the_announcement_then_release_as_silent(world):
    make, media, timers, commands, moved, released = world
    screening = make()
    screening.start("a", uuid.uuid4(), waiting_calls=0)
    timers.advance(3.9)
    assert ("play", "screening") not in media.log
    timers.advance(0.2)
    assert ("play", "screening") in media.log
    timers.advance(6 + 8 - 0.5)  # the announcement (6 s) and the time to answer (8 s)
    assert released == []
    timers.advance(1)
    assert outcomes(commands) == ["silent"] and released == ["a"]
    assert ("hang_up", "a") in media.log


def test_the_digits_after_the_announcement_queue_the_caller_ahead(world):
    make, media, timers, commands, moved, released = world
    screening = make()
    screening.start("a", uuid.uuid4(), waiting_calls=0)
    timers.advance(5)
    screening.heard("a", "digit", "5")
    screening.heard("a", "digit", "1")  # a wrong key: the last two keys must be 5 5
    screening.heard("a", "digit", "5")
    assert outcomes(commands) == []
    screening.heard("a", "digit", "5")
    timers.advance(60)
    assert outcomes(commands) == ["digits"] and released == [] and moved


def test_flood_mode_announces_at_once(world):
    make, media, timers, commands, moved, released = world
    screening = make(flood_waiting_calls=10)
    screening.start("a", uuid.uuid4(), waiting_calls=9)
    assert ("play", "screening") not in media.log
    screening.start("b", uuid.uuid4(), waiting_calls=10)
    assert media.log[-1] == ("play", "screening")


def test_an_offered_call_leaves_screening_and_is_never_released(world):
    make, media, timers, commands, moved, released = world
    screening = make()
    screening.start("a", uuid.uuid4(), waiting_calls=0)
    screening.offered("a")
    timers.advance(120)
    assert outcomes(commands) == [] and released == []
    assert ("stop", "a") in media.log


def test_when_the_media_cannot_screen_the_call_queues_as_usual(world):
    make, media, timers, commands, moved, released = world
    media.answers = False
    screening = make()
    screening.start("a", uuid.uuid4(), waiting_calls=0)
    timers.advance(120)
    assert outcomes(commands) == ["unavailable"] and released == []


def test_an_announcement_that_cannot_play_releases_nobody(world):
    make, media, timers, commands, moved, released = world
    media.plays = None
    screening = make()
    screening.start("a", uuid.uuid4(), waiting_calls=0)
    timers.advance(120)
    assert outcomes(commands) == ["unavailable"] and released == []


def test_a_warned_nuisance_caller_hears_the_warning_before_the_listening(world):
    make, media, timers, commands, moved, released = world
    screening = make()
    screening.start("a", uuid.uuid4(), waiting_calls=0, first="nuisance_warning")
    assert media.log[-1] == ("play", "nuisance_warning")
    timers.advance(6 + 4 - 0.1)  # the warning (6 s), then the listening (4 s)
    assert ("play", "screening") not in media.log
    timers.advance(0.2)
    assert media.log[-1] == ("play", "screening")
