"""Callers' patience from censored waits: Kaplan-Meier and the exponential fit."""

from __future__ import annotations

import math

import pytest

from siaga112.planning.patience import (
    estimate_patience,
    exponential_mean_patience,
    kaplan_meier,
    median_patience,
    survival_at,
)

# Eight callers: hung up at 2, 5, 5, 8 and 12 s; answered (censored) at 3, 5 and 10 s.
WAITS = [2, 3, 5, 5, 5, 8, 10, 12]
HUNG_UP = [True, False, True, True, False, True, False, True]


def test_kaplan_meier_on_a_hand_computed_sample():
    # By hand: S(2) = 7/8; at 5 s, 6 still waiting (the caller answered at 5 s counts),
    # 2 hang up: S = 7/8 * 4/6; at 8 s, 3 waiting, 1 hangs up: * 2/3; at 12 s the last: 0.
    curve = kaplan_meier(waits=WAITS, hung_up=HUNG_UP)
    assert [(s.seconds, s.at_risk, s.events, s.censored) for s in curve] == [
        (2, 8, 1, 0), (3, 7, 0, 1), (5, 6, 2, 1), (8, 3, 1, 0), (10, 2, 0, 1), (12, 1, 1, 0)]
    assert [s.survival for s in curve] == pytest.approx(
        [7 / 8, 7 / 8, 7 / 12, 7 / 18, 7 / 18, 0.0])
    assert survival_at(curve, 1.9) == 1.0
    assert survival_at(curve, 4) == pytest.approx(7 / 8)
    assert survival_at(curve, 9) == pytest.approx(7 / 18)
    assert median_patience(curve) == 8


def test_exponential_patience_is_total_waiting_over_hang_ups():
    assert exponential_mean_patience(waits=WAITS, hung_up=HUNG_UP) == pytest.approx(50 / 5)


def test_nobody_hung_up_means_patience_not_seen_to_end():
    estimate = estimate_patience(waits=[1, 4, 9], hung_up=[False, False, False])
    assert math.isinf(estimate.mean_seconds) and estimate.median_seconds is None
    assert estimate.to_dict()["mean_seconds"] is None
    assert estimate.survival[15] == 1.0


def test_estimate_reports_both_curves_at_the_same_times():
    estimate = estimate_patience(waits=WAITS, hung_up=HUNG_UP)
    assert estimate.callers == 8 and estimate.hung_up == 5
    assert estimate.survival[5] == pytest.approx(7 / 12)
    assert estimate.exponential_survival[10] == pytest.approx(math.exp(-1))


def test_bad_samples_are_refused():
    with pytest.raises(ValueError, match="same length"):
        kaplan_meier(waits=[1, 2], hung_up=[True])
    with pytest.raises(ValueError, match=">= 0"):
        kaplan_meier(waits=[-1], hung_up=[True])
