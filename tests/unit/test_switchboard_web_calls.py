"""A web call taken at the console keeps the desk's phone quiet until the desk is ready again."""

from __future__ import annotations

from siaga112.domain.positions import PositionState as S
from siaga112.services.switchboard import Arrival
from tests.unit.test_switchboard import board, ready  # noqa: F401 - the fixture, reused

__all__ = ["board"]


def test_a_desk_on_a_web_call_or_in_its_wrap_up_is_not_rung(board):  # noqa: F811
    sb, f, clock = board
    ready(sb, clock, "pos-01")
    sb.position_changed("pos-01", S.ON_CALL, clock.now())  # TakeWaitingCall at the console
    sb.arrived("a", Arrival(caller="0812"), refused_with=None)
    f.commit()
    assert f.said == [("ring", "a")]  # the caller hears ringing; no desk is offered the call
    sb.position_changed("pos-01", S.WRAP_UP, clock.now())  # EndTakenCall
    assert sb.queue.desks["pos-01"].state is S.ON_CALL  # still busy: wrap-up
    clock.advance(5)
    sb.position_changed("pos-01", S.READY, clock.now())  # the console ends the wrap-up
    assert f.said[-1] == ("offer", "a", "pos-01")


def test_a_web_call_taken_while_the_phone_starts_ringing_sends_the_call_back_in_line(board):  # noqa: F811
    sb, f, clock = board
    ready(sb, clock, "pos-01", "pos-02")
    sb.arrived("a", Arrival(caller="0812"), refused_with=None)
    f.commit()
    assert f.said[-1] == ("offer", "a", "pos-01")
    sb.position_changed("pos-01", S.ON_CALL, clock.now())  # the web call won the race
    assert ("cancel", "a", "pos-01") in f.said
    assert f.said[-1] == ("offer", "a", "pos-02")
    assert f.kinds()[-2:] == ["WithdrawOffer", "OfferCall"]
