"""A module's quiz as typed, immutable values: built by the loader, stored as JSON, graded by progress."""

from __future__ import annotations

import random
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
class DrawnQuestion:
    """A question as one attempt shows it: its choices in that attempt's order."""

    question: Question
    choice_order: tuple[str, ...]

    def choices(self, language: str, fallback: str) -> list[Choice]:
        by_id = {choice.id: choice for choice in self.question.text(language, fallback).choices}
        return [by_id[choice_id] for choice_id in self.choice_order]


@dataclass(frozen=True)
class Quiz:
    questions: tuple[Question, ...]

    def __len__(self) -> int:
        return len(self.questions)

    def attempt_size(self, size: int | None) -> int:
        """Questions in one attempt: `size` from the bank when the module sets one, else the whole bank."""
        return min(size or len(self.questions), len(self.questions))

    def draw(self, size: int | None, seed: bytes) -> list[DrawnQuestion]:
        """The questions of one attempt: `size` of the bank, spread evenly over the lessons they check.

        Lessons take turns (in a random order) giving one random question each, so that ten drawn
        from four lessons are three, three, two and two, never all from one. The same seed always
        draws the same questions in the same order, so an attempt is graded against what it showed.
        """
        chooser = random.Random(seed)  # noqa: S311 - varies attempts, protects no secret
        by_lesson: dict[str | None, list[Question]] = {}
        for question in self.questions:
            by_lesson.setdefault(question.lesson, []).append(question)
        piles = list(by_lesson.values())
        for pile in piles:
            chooser.shuffle(pile)
        chooser.shuffle(piles)
        wanted = self.attempt_size(size)
        drawn: list[Question] = []
        while len(drawn) < wanted:
            for pile in piles:
                if pile and len(drawn) < wanted:
                    drawn.append(pile.pop())
        drawn.sort(key=lambda question: question.position)
        return [
            DrawnQuestion(question, tuple(chooser.sample(sorted(question.choice_ids), len(question.choice_ids))))
            for question in drawn
        ]

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
