"""A module's quiz as typed, immutable values: built by the loader, stored as JSON, graded by progress."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Choice:
    id: str
    html: str
    explanation_html: str


@dataclass(frozen=True)
class QuestionText:
    """A question in one language; choice ids are the same in every language."""

    prompt_html: str
    choices: tuple[Choice, ...]


@dataclass(frozen=True)
class Question:
    id: str
    position: int
    correct: frozenset[str]
    texts: Mapping[str, QuestionText]
    lesson: str | None = None

    @property
    def multiple(self) -> bool:
        """Several correct choices: shown as checkboxes, right only when exactly those are ticked."""
        return len(self.correct) > 1

    @property
    def choice_ids(self) -> frozenset[str]:
        return frozenset(choice.id for choice in next(iter(self.texts.values())).choices)

    def text(self, language: str, fallback: str) -> QuestionText:
        return self.texts.get(language) or self.texts[fallback]


@dataclass(frozen=True)
class Quiz:
    questions: tuple[Question, ...]

    def __len__(self) -> int:
        return len(self.questions)

    def to_json(self) -> dict[str, Any]:
        return {
            "questions": [
                {
                    "id": question.id,
                    "position": question.position,
                    "correct": sorted(question.correct),
                    "lesson": question.lesson,
                    "texts": {
                        language: {
                            "prompt_html": text.prompt_html,
                            "choices": [
                                {"id": c.id, "html": c.html, "explanation_html": c.explanation_html} for c in text.choices
                            ],
                        }
                        for language, text in question.texts.items()
                    },
                }
                for question in self.questions
            ]
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Quiz:
        return cls(
            tuple(
                Question(
                    id=question["id"],
                    position=question["position"],
                    correct=frozenset(question["correct"]),
                    lesson=question.get("lesson"),
                    texts={
                        language: QuestionText(
                            prompt_html=text["prompt_html"],
                            choices=tuple(Choice(c["id"], c["html"], c["explanation_html"]) for c in text["choices"]),
                        )
                        for language, text in question["texts"].items()
                    },
                )
                for question in data["questions"]
            )
        )
