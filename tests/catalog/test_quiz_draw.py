"""Drawing an attempt from a question bank: balanced over lessons, shuffled, repeatable from its seed."""

from __future__ import annotations

from collections import Counter

from app.config import PROJECT_ROOT
from tests.factories import load_folder

BANK = load_folder(PROJECT_ROOT / "modules" / "internet-security").quiz


def test_ten_drawn_from_four_lessons_are_spread_three_three_two_two() -> None:
    for seed in range(50):
        drawn = BANK.draw(10, seed.to_bytes(4))
        assert len({item.question.id for item in drawn}) == 10
        assert sorted(Counter(item.question.lesson for item in drawn).values()) == [2, 2, 3, 3]


def test_the_same_seed_draws_the_same_attempt_and_other_seeds_vary_questions_and_choice_order() -> None:
    def shown(seed: bytes) -> list[tuple[str, tuple[str, ...]]]:
        return [(item.question.id, item.choice_order) for item in BANK.draw(10, seed)]

    assert shown(b"form-1") == shown(b"form-1")
    attempts = [shown(bytes([seed])) for seed in range(20)]
    assert len({tuple(question for question, _ in attempt) for attempt in attempts}) > 1
    first_choices = {dict(attempt).get(BANK.questions[0].id) for attempt in attempts} - {None}
    assert len(first_choices) > 1
    assert all(sorted(order) == sorted(BANK.questions[0].choice_ids) for order in first_choices)


def test_without_a_size_the_whole_bank_is_drawn_in_bank_order() -> None:
    drawn = BANK.draw(None, b"seed")
    assert [item.question.id for item in drawn] == [question.id for question in BANK.questions]
