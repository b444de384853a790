"""Triage protocols as data: questions, answers, and the priority the answers give."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from siaga112.domain.errors import InvalidValue
from siaga112.domain.incidents import Priority


@dataclass(frozen=True)
class TriageAnswer:
    code: str
    label: str
    priority: Priority | None = None  # None: this answer does not raise the priority


@dataclass(frozen=True)
class TriageQuestion:
    code: str
    text: str
    answers: tuple[TriageAnswer, ...]


@dataclass(frozen=True)
class TriageProtocol:
    incident_type: str
    default_priority: Priority
    questions: tuple[TriageQuestion, ...]

    def evaluate(self, answers: Mapping[str, str]) -> Priority:
        """The most urgent priority any given answer calls for, else the default."""
        by_code = {q.code: q for q in self.questions}
        priority = self.default_priority
        for question_code, answer_code in answers.items():
            question = by_code.get(question_code)
            if question is None:
                raise InvalidValue(f"triage '{self.incident_type}': no question '{question_code}'")
            answer = next((a for a in question.answers if a.code == answer_code), None)
            if answer is None:
                raise InvalidValue(
                    f"triage '{self.incident_type}': question '{question_code}' has no answer "
                    f"'{answer_code}'")
            if answer.priority is not None and answer.priority < priority:
                priority = answer.priority
        return priority
