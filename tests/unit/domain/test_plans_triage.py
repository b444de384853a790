from __future__ import annotations

import pytest

from siaga112.config import CENTERS_DIR, load_center
from siaga112.domain.errors import InvalidValue
from siaga112.domain.incidents import Priority
from siaga112.domain.plans import ResponsePlan, ResponsePlanBook, UnitRequirement
from siaga112.domain.triage import TriageAnswer, TriageProtocol, TriageQuestion


def plan(subtype: str | None, priority: Priority | None, unit_type: str) -> ResponsePlan:
    return ResponsePlan(incident_type="fire", subtype=subtype, priority=priority,
                        requirements=(UnitRequirement("damkar", unit_type),))


BOOK = ResponsePlanBook([
    plan(None, None, "by_type"),
    plan(None, Priority.P1, "by_type_priority"),
    plan("building", None, "by_type_subtype"),
    plan("building", Priority.P1, "by_type_subtype_priority"),
])


@pytest.mark.parametrize(("subtype", "priority", "expected"), [
    ("building", Priority.P1, "by_type_subtype_priority"),
    ("building", Priority.P2, "by_type_subtype"),
    ("vehicle", Priority.P1, "by_type_priority"),
    (None, Priority.P1, "by_type_priority"),
    ("vehicle", Priority.P3, "by_type"),
    (None, Priority.P4, "by_type"),
])
def test_the_most_specific_plan_wins(subtype: str | None, priority: Priority,
                                     expected: str) -> None:
    found = BOOK.plan_for("fire", subtype, priority)
    assert found is not None
    assert found.requirements[0].unit_type == expected


def test_subtype_before_priority() -> None:
    book = ResponsePlanBook([plan("building", None, "subtype"),
                             plan(None, Priority.P1, "priority")])
    found = book.plan_for("fire", "building", Priority.P1)
    assert found is not None and found.requirements[0].unit_type == "subtype"


def test_no_plan_for_an_unknown_type_or_uncovered_priority() -> None:
    assert BOOK.plan_for("flood", None, Priority.P1) is None
    book = ResponsePlanBook([plan(None, Priority.P1, "p1_only")])
    assert book.plan_for("fire", None, Priority.P2) is None


def test_unit_requirement_counts_one_by_default() -> None:
    assert UnitRequirement("dinkes", "ambulance").count == 1


PROTOCOL = TriageProtocol(
    incident_type="medical", default_priority=Priority.P3,
    questions=(
        TriageQuestion("conscious", "Sadar?", (TriageAnswer("yes", "Ya"),
                                                TriageAnswer("no", "Tidak", Priority.P1))),
        TriageQuestion("bleeding", "Perdarahan?", (TriageAnswer("yes", "Ya", Priority.P2),
                                                   TriageAnswer("no", "Tidak"))),
        TriageQuestion("minor", "Luka ringan?", (TriageAnswer("yes", "Ya", Priority.P4),
                                                 TriageAnswer("no", "Tidak"))),
    ),
)


@pytest.mark.parametrize(("answers", "expected"), [
    ({}, Priority.P3),
    ({"conscious": "yes"}, Priority.P3),
    ({"conscious": "no"}, Priority.P1),
    ({"bleeding": "yes"}, Priority.P2),
    ({"bleeding": "yes", "conscious": "no"}, Priority.P1),
    ({"conscious": "no", "bleeding": "yes"}, Priority.P1),
    ({"minor": "yes"}, Priority.P3),                    # never lowers the default
    ({"minor": "yes", "bleeding": "yes"}, Priority.P2),
])
def test_evaluate_takes_the_most_urgent_answer(answers: dict[str, str], expected: Priority) -> None:
    assert PROTOCOL.evaluate(answers) is expected


def test_an_unknown_question_is_refused() -> None:
    with pytest.raises(InvalidValue, match="medical.*no question 'breathing'"):
        PROTOCOL.evaluate({"breathing": "no"})


def test_an_unknown_answer_is_refused() -> None:
    with pytest.raises(InvalidValue, match="question 'conscious' has no answer 'maybe'"):
        PROTOCOL.evaluate({"conscious": "maybe"})


def test_priorities_order_p1_first() -> None:
    assert sorted([Priority.P3, Priority.P1, Priority.P4, Priority.P2]) == [
        Priority.P1, Priority.P2, Priority.P3, Priority.P4]


# --- with the real Kendari configuration ----------------------------------------------
@pytest.fixture(scope="module")
def kendari():
    return load_center(CENTERS_DIR / "kendari.toml")


def test_kendari_fire_p1_sends_two_fire_engines_and_an_ambulance(kendari) -> None:
    for subtype in (None, "building"):
        found = kendari.response_plan_book.plan_for("fire", subtype, Priority.P1)
        assert found is not None
        assert set(found.requirements) == {
            UnitRequirement("damkar", "fire_engine", 2), UnitRequirement("dinkes", "ambulance", 1)}


def test_kendari_fire_p2_sends_one_fire_engine(kendari) -> None:
    found = kendari.response_plan_book.plan_for("fire", "vehicle", Priority.P2)
    assert found is not None
    assert found.requirements == (UnitRequirement("damkar", "fire_engine", 1),)


def test_kendari_drowning_plan_is_more_specific_than_accident(kendari) -> None:
    found = kendari.response_plan_book.plan_for("accident", "drowning", Priority.P1)
    assert found is not None
    assert {r.agency_code for r in found.requirements} == {"basarnas", "dinkes"}


def test_kendari_medical_unconscious_is_p1(kendari) -> None:
    medical = kendari.triage_protocols["medical"]
    assert medical.evaluate({"conscious": "no"}) is Priority.P1
    assert medical.evaluate({"conscious": "yes", "breathing": "yes"}) is Priority.P3
    assert medical.evaluate({}) is Priority.P3


def test_every_kendari_incident_type_has_a_plan(kendari) -> None:
    for incident_type in kendari.incident_types:
        for priority in Priority:
            assert kendari.response_plan_book.plan_for(incident_type.code, None, priority), (
                incident_type.code, priority)
