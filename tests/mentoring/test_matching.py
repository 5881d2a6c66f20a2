"""The matching engine: optimal against brute force, never breaking a hard constraint, deterministic, fair when asked.

Random waves come from `random.Random(seed)`, so a failing case names its seed and can be replayed.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import replace

import pytest

from app.mentoring.matching import (
    Mentee,
    Mentor,
    Proposal,
    Rules,
    Weights,
    compare_modes,
    propose_pairs,
    score_pair,
)

TOPICS = ("social-media", "video", "security", "reputation")
LANGUAGES = ("fr", "nl", "en")
SLOTS = ("mon-am", "mon-pm", "tue-am", "tue-pm", "wed-am")


def mentor(
    employee_id: str,
    department: str = "Digital",
    languages: Sequence[str] = ("fr",),
    strengths: dict[str, int] | None = None,
    capacity: int = 1,
    availability: Sequence[str] = (),
    trained: bool = True,
) -> Mentor:
    return Mentor(
        employee_id=employee_id,
        department=department,
        languages=frozenset(languages),
        strengths=strengths or {},
        capacity=capacity,
        availability=frozenset(availability),
        trained=trained,
    )


def mentee(
    employee_id: str,
    department: str = "Finance",
    languages: Sequence[str] = ("fr",),
    needs: dict[str, int] | None = None,
    availability: Sequence[str] = (),
) -> Mentee:
    return Mentee(
        employee_id=employee_id,
        department=department,
        languages=tuple(languages),
        needs=needs or {},
        availability=frozenset(availability),
    )


def allowed(a_mentor: Mentor, a_mentee: Mentee, rules: Rules) -> bool:
    """The hard constraints on one pair, written independently of the engine's matrices."""
    pair = (a_mentor.employee_id, a_mentee.employee_id)
    return (
        a_mentor.trained
        and (rules.same_department_allowed or a_mentor.department != a_mentee.department)
        and bool(a_mentor.languages & set(a_mentee.languages))
        and pair not in rules.earlier_pairs
        and pair not in rules.forbidden
    )


def random_wave(rng: random.Random, mentors: int, mentees: int, max_capacity: int) -> tuple[list[Mentor], list[Mentee], Rules]:
    """A wave with few departments and languages (so constraints bite), earlier, forbidden and locked pairs."""
    departments = [f"D{n}" for n in range(rng.choices([1, 2, 3, 4, 6], weights=[1, 2, 3, 4, 3])[0])]

    def levels() -> dict[str, int]:
        return {topic: rng.randint(0, 5) for topic in rng.sample(TOPICS, rng.randint(0, len(TOPICS)))}

    mentor_list = [
        mentor(
            f"R{n:03d}",
            rng.choice(departments),
            rng.sample(LANGUAGES, rng.randint(1, 3)),
            levels(),
            rng.choice([0, *range(1, max_capacity + 1), max_capacity]),
            rng.sample(SLOTS, rng.randint(0, 3)),
            trained=rng.random() < 0.9,
        )
        for n in range(mentors)
    ]
    mentee_list = [
        mentee(
            f"E{n:03d}",
            rng.choice(departments),
            rng.sample(LANGUAGES, rng.randint(1, 2)),
            levels(),
            rng.sample(SLOTS, rng.randint(0, 3)),
        )
        for n in range(mentees)
    ]
    all_pairs = [(r.employee_id, e.employee_id) for r in mentor_list for e in mentee_list]
    rules = Rules(
        same_department_allowed=rng.random() < 0.2,
        weights=Weights(rng.choice([0, 1, 3]), rng.choice([0, 1]), rng.choice([1, 2])),
        earlier_pairs=frozenset(rng.sample(all_pairs, len(all_pairs) // 10)),
        forbidden=frozenset(rng.sample(all_pairs, len(all_pairs) // 12)),
    )
    return mentor_list, mentee_list, replace(rules, locked=valid_locks(rng, mentor_list, mentee_list, rules))


def valid_locks(rng: random.Random, mentors: list[Mentor], mentees: list[Mentee], rules: Rules) -> frozenset[tuple[str, str]]:
    """A few admin locks that respect every constraint, including capacity and one mentor per mentee."""
    places = {m.employee_id: m.capacity for m in mentors}
    locks: set[tuple[str, str]] = set()
    for a_mentee in rng.sample(mentees, min(len(mentees), rng.randint(0, 2))):
        options = [m for m in mentors if allowed(m, a_mentee, rules) and places[m.employee_id] > 0]
        if options:
            chosen = rng.choice(options)
            places[chosen.employee_id] -= 1
            locks.add((chosen.employee_id, a_mentee.employee_id))
    return frozenset(locks)


def centi(score: float) -> int:
    return round(score * 100)


def assignments(mentors: list[Mentor], mentees: list[Mentee], rules: Rules) -> Iterator[list[tuple[Mentor, Mentee]]]:
    """Every feasible set of pairs containing the locks: each mentee gets nobody or an allowed mentor with a place."""
    locked = {mentee_id: mentor_id for mentor_id, mentee_id in rules.locked}
    places = {m.employee_id: m.capacity for m in mentors}

    def extend(index: int, chosen: list[tuple[Mentor, Mentee]]) -> Iterator[list[tuple[Mentor, Mentee]]]:
        if index == len(mentees):
            yield list(chosen)
            return
        a_mentee = mentees[index]
        if a_mentee.employee_id not in locked:
            yield from extend(index + 1, chosen)
        for a_mentor in mentors:
            if locked.get(a_mentee.employee_id, a_mentor.employee_id) != a_mentor.employee_id:
                continue
            if places[a_mentor.employee_id] > 0 and allowed(a_mentor, a_mentee, rules):
                places[a_mentor.employee_id] -= 1
                chosen.append((a_mentor, a_mentee))
                yield from extend(index + 1, chosen)
                chosen.pop()
                places[a_mentor.employee_id] += 1

    yield from extend(0, [])


def brute_force(mentors: list[Mentor], mentees: list[Mentee], rules: Rules) -> tuple[tuple[int, int], tuple[int, int, int]]:
    """The best (pairs, total) and the best (pairs, worst, total), all in hundredths, by trying every assignment."""
    scores = {(r.employee_id, e.employee_id): centi(score_pair(r, e, rules.weights).score) for r in mentors for e in mentees}
    best_standard, best_fair = (-1, -1), (-1, -1, -1)
    for pairs in assignments(mentors, mentees, rules):
        values = [scores[(r.employee_id, e.employee_id)] for r, e in pairs]
        best_standard = max(best_standard, (len(values), sum(values)))
        best_fair = max(best_fair, (len(values), min(values, default=0), sum(values)))
    return best_standard, best_fair


def small_waves(count: int) -> Iterator[tuple[int, list[Mentor], list[Mentee], Rules]]:
    for seed in range(count):
        rng = random.Random(seed)
        mentors, mentees = (
            rng.choices(range(5), weights=[1, 2, 3, 6, 12])[0],
            rng.choices(range(6), weights=[1, 1, 2, 3, 6, 12])[0],
        )
        yield seed, *random_wave(rng, mentors, mentees, 2)


def contested_waves(count: int) -> Iterator[tuple[int, list[Mentor], list[Mentee], Rules]]:
    """Waves with as many mentees as places and scores from topic fit alone: where the fairest and the best total differ."""
    for seed in range(count):
        rng = random.Random(10_000 + seed)
        mentors = [
            mentor(f"R{n}", f"D{n}", strengths={t: rng.randint(0, 5) for t in TOPICS}, capacity=rng.randint(1, 2))
            for n in range(rng.randint(2, 3))
        ]
        places = sum(m.capacity for m in mentors)
        mentees = [mentee(f"E{n}", "Board", needs={rng.choice(TOPICS): 5}) for n in range(min(5, places))]
        yield 10_000 + seed, mentors, mentees, Rules(weights=Weights(topic=1, language=0, availability=0))


def assert_feasible(proposal: Proposal, mentors: list[Mentor], mentees: list[Mentee], rules: Rules) -> None:
    """Every hard constraint holds, the locks are kept, and everyone is either in a pair or explained once."""
    by_id = {m.employee_id: m for m in mentors}
    mentee_by_id = {e.employee_id: e for e in mentees}
    for pair in proposal.pairs:
        assert allowed(by_id[pair.mentor], mentee_by_id[pair.mentee], rules), pair
        assert pair.score == pytest.approx(sum(pair.breakdown.values()))
        assert 0 <= pair.score <= 100
    load = Counter(pair.mentor for pair in proposal.pairs)
    assert all(load[m] <= by_id[m].capacity for m in load)
    assert len({pair.mentee for pair in proposal.pairs}) == len(proposal.pairs)
    assert rules.locked <= {(pair.mentor, pair.mentee) for pair in proposal.pairs}
    assert not proposal.rejected_locks
    unmatched_mentees = {person.employee_id for person in proposal.unmatched if person.side == "mentee"}
    unmatched_mentors = {person.employee_id for person in proposal.unmatched if person.side == "mentor"}
    assert unmatched_mentees == set(mentee_by_id) - {pair.mentee for pair in proposal.pairs}
    assert unmatched_mentors == set(by_id) - set(load)
    assert len(proposal.unmatched) == len(unmatched_mentees) + len(unmatched_mentors)


def assert_maximal(proposal: Proposal, mentors: list[Mentor], mentees: list[Mentee], rules: Rules) -> None:
    """No unmatched mentee has an allowed mentor with a free place (which is what the reasons rely on)."""
    load = Counter(pair.mentor for pair in proposal.pairs)
    free = [m for m in mentors if load[m.employee_id] < m.capacity]
    unmatched = {person.employee_id for person in proposal.unmatched if person.side == "mentee"}
    for a_mentee in mentees:
        if a_mentee.employee_id in unmatched:
            assert not [m.employee_id for m in free if allowed(m, a_mentee, rules)], a_mentee.employee_id


def test_the_engine_matches_brute_force_on_the_number_of_pairs_and_the_total() -> None:
    for seed, mentors, mentees, rules in small_waves(400):
        proposal = propose_pairs(mentors, mentees, rules)
        (pairs, total), _ = brute_force(mentors, mentees, rules)
        assert (len(proposal.pairs), centi(proposal.total)) == (pairs, total), f"seed {seed}"
        assert_feasible(proposal, mentors, mentees, rules)


def test_fairness_mode_matches_brute_force_on_pairs_then_worst_pair_then_total() -> None:
    fairer_than_standard = 0
    for seed, mentors, mentees, rules in (*small_waves(400), *contested_waves(300)):
        fair = propose_pairs(mentors, mentees, rules, fair=True)
        best_standard, best_fair = brute_force(mentors, mentees, rules)
        worst = centi(fair.worst) if fair.worst is not None else 0
        assert (len(fair.pairs), worst, centi(fair.total)) == best_fair, f"seed {seed}"
        assert_feasible(fair, mentors, mentees, rules)
        fairer_than_standard += best_fair[2] < best_standard[1]
    assert fairer_than_standard >= 20  # enough waves where fairness has a price, or the check proves little


def test_large_waves_never_break_a_hard_constraint_and_fairness_never_lowers_the_worst_pair() -> None:
    for seed in range(4):
        mentors, mentees, rules = random_wave(random.Random(seed), 250, 300, 3)
        comparison = compare_modes(mentors, mentees, rules)
        for proposal in (comparison.standard, comparison.fair):
            assert_feasible(proposal, mentors, mentees, rules)
            assert_maximal(proposal, mentors, mentees, rules)
        standard, fair = comparison.standard, comparison.fair
        assert len(fair.pairs) == len(standard.pairs) > 0
        assert standard.worst is not None and fair.worst is not None
        assert fair.worst >= standard.worst
        assert fair.total <= standard.total
        assert comparison.as_json()["standard"] == {**standard.as_json(), "worst": standard.worst, "average": standard.average}


def test_the_same_wave_in_any_order_gives_the_same_proposal() -> None:
    for seed in range(30):
        rng = random.Random(seed)
        mentors, mentees, rules = random_wave(rng, 12, 15, 2)
        for fair in (False, True):
            expected = propose_pairs(mentors, mentees, rules, fair=fair).as_json()
            rng.shuffle(mentors)
            rng.shuffle(mentees)
            assert propose_pairs(mentors, mentees, rules, fair=fair).as_json() == expected, f"seed {seed}"


def test_identical_people_tie_everywhere_and_still_pair_the_same_way_in_any_order() -> None:
    mentors = [mentor(f"R{n}", strengths={"video": 3}) for n in range(6)]
    mentees = [mentee(f"E{n}", needs={"video": 2}) for n in range(6)]
    expected = propose_pairs(mentors, mentees).as_json()
    rng = random.Random(0)
    for _ in range(10):
        rng.shuffle(mentors)
        rng.shuffle(mentees)
        assert propose_pairs(mentors, mentees).as_json() == expected


def test_the_score_adds_need_weighted_topic_fit_first_language_and_the_share_of_the_mentees_slots() -> None:
    young = mentor("R1", languages=("fr", "en"), strengths={"social-media": 5, "video": 2}, availability=("mon-am", "wed-am"))
    senior = mentee("E1", languages=("fr", "nl"), needs={"social-media": 4, "video": 2, "security": 2}, availability=SLOTS[:4])
    scored = score_pair(young, senior)  # default weights 3 : 1 : 2, that is 50, 16.67 and 33.33 points
    # topic (4x5 + 2x2 + 2x0) / (5 x 8) = 0.6 of 50; first language shared; 1 of the mentee's 4 slots
    assert scored.breakdown == {"topic": 30.0, "language": 16.67, "availability": 8.33}
    assert scored.score == 55.0

    dutch_first = mentee(
        "E2", languages=("nl", "fr"), needs={"social-media": 4, "video": 2, "security": 2}, availability=SLOTS[:4]
    )
    assert score_pair(young, dutch_first).breakdown["language"] == 0


def test_a_perfect_pair_scores_exactly_100_whatever_the_weights_and_an_empty_questionnaire_scores_nothing() -> None:
    expert = mentor("R1", strengths=dict.fromkeys(TOPICS, 5), availability=SLOTS)
    keen = mentee("E1", needs={"video": 3, "security": 1}, availability=("tue-am",))
    for weights in (Weights(), Weights(1, 1, 1), Weights(0.7, 0, 0.3), Weights(2, 2, 3)):
        assert score_pair(expert, keen, weights).score == 100.0
    blank = mentee("E2", languages=("nl",))
    assert score_pair(expert, blank).score == 0.0
    with pytest.raises(ValueError, match="not all zero"):
        Weights(0, 0, 0)


def test_the_admin_chooses_the_weights_of_the_wave() -> None:
    video_expert = mentor("R1", strengths={"video": 5}, availability=())
    always_there = mentor("R2", strengths={"video": 1}, availability=("mon-am", "tue-am"))
    senior = mentee("E1", needs={"video": 5}, availability=("mon-am", "tue-am"))
    topic_first = propose_pairs(
        [video_expert, always_there], [senior], Rules(weights=Weights(topic=1, language=0, availability=0))
    )
    slots_first = propose_pairs(
        [video_expert, always_there], [senior], Rules(weights=Weights(topic=0, language=0, availability=1))
    )
    assert [pair.mentor for pair in topic_first.pairs] == ["R1"]
    assert [pair.mentor for pair in slots_first.pairs] == ["R2"]


def test_the_most_mentees_matched_comes_before_the_best_scores() -> None:
    # a greedy pass gives the all-rounder to the first mentee and leaves the second with nobody
    all_rounder = mentor("R1", languages=("fr", "nl"), strengths={"video": 5})
    french_only = mentor("R2", languages=("fr",), strengths={"video": 1})
    flemish = mentee("E1", languages=("nl",), needs={"video": 5})
    walloon = mentee("E0", languages=("fr",), needs={"video": 5})
    proposal = propose_pairs([all_rounder, french_only], [walloon, flemish])
    assert {(pair.mentor, pair.mentee) for pair in proposal.pairs} == {("R1", "E1"), ("R2", "E0")}
    assert proposal.unmatched == ()


def test_fairness_gives_up_total_to_lift_the_worst_pair_and_both_are_offered_side_by_side() -> None:
    topic_only = Rules(weights=Weights(topic=1, language=0, availability=0))
    strong = mentor("RA", strengths={"video": 5, "security": 3})
    modest = mentor("RB", strengths={"video": 2, "security": 1})
    wants_video, wants_security = mentee("EX", needs={"video": 5}), mentee("EY", needs={"security": 5})
    comparison = compare_modes([strong, modest], [wants_video, wants_security], topic_only)
    summary = {mode: (value["total"], value["worst"], value["average"]) for mode, value in comparison.as_json().items()}
    assert summary == {"standard": (120.0, 20.0, 60.0), "fair": (100.0, 40.0, 50.0)}
    assert {(p.mentor, p.mentee) for p in comparison.fair.pairs} == {("RB", "EX"), ("RA", "EY")}
    assert propose_pairs([strong, modest], [wants_video, wants_security], topic_only, fair=True) == comparison.fair


def test_everyone_in_one_department_gives_an_explained_empty_proposal_unless_the_wave_allows_it() -> None:
    mentors = [mentor("R1", "Finance"), mentor("R2", "Finance", capacity=2)]
    mentees = [mentee("E1", "Finance"), mentee("E2", "Finance", languages=("nl", "fr"))]
    proposal = propose_pairs(mentors, mentees)
    assert proposal.pairs == ()
    assert proposal.as_json() == {
        "pairs": [],
        "unmatched": [
            {
                "employee_id": "E1",
                "side": "mentee",
                "reason": "every trained mentor works in Finance, the mentee's own department",
            },
            {
                "employee_id": "E2",
                "side": "mentee",
                "reason": "every trained mentor works in Finance, the mentee's own department",
            },
            {"employee_id": "R1", "side": "mentor", "reason": "every mentee works in Finance, the mentor's own department"},
            {"employee_id": "R2", "side": "mentor", "reason": "every mentee works in Finance, the mentor's own department"},
        ],
        "total": 0,
    }
    assert proposal.worst is None and proposal.average is None
    assert propose_pairs(mentors, mentees, fair=True).pairs == ()
    allowed_in_department = propose_pairs(mentors, mentees, Rules(same_department_allowed=True))
    assert len(allowed_in_department.pairs) == 2


def test_an_unmatched_mentee_is_told_which_constraint_left_them_without_a_mentor() -> None:
    def reason_for(mentors: list[Mentor], mentees: list[Mentee], rules: Rules = Rules()) -> str:
        proposal = propose_pairs(mentors, mentees, rules)
        return next(person.reason.text for person in proposal.unmatched if person.employee_id == "E1")

    cfo = mentee("E1", "Finance", languages=("fr",))
    assert reason_for([], [cfo]) == "the wave has no mentors"
    assert reason_for([mentor("R1", trained=False)], [cfo]) == "no mentor in the wave is trained"
    assert reason_for([mentor("R1", languages=("nl", "en"))], [cfo]) == "no trained mentor outside Finance speaks fr"
    french_speaker = mentor("R1", "Digital", strengths={"video": 5})
    busy = propose_pairs(
        [french_speaker, mentor("R2", "Finance", languages=("nl",))], [mentee("E0", "Legal", needs={"video": 5}), cfo]
    )
    assert [(pair.mentor, pair.mentee) for pair in busy.pairs] == [("R1", "E0")]
    assert busy.unmatched[0].reason.text == (
        "no trained mentor outside Finance who speaks fr has capacity left: all 1 compatible mentors are full,"
        " and giving this mentee a place would leave another mentee without one"
    )
    assert busy.unmatched[0].reason.code == "mentors_at_capacity"
    assert busy.unmatched[0].reason.details == {"department": "Finance", "languages": "fr", "count": 1}
    again = Rules(earlier_pairs=frozenset({("R1", "E1")}), forbidden=frozenset({("R2", "E1")}))
    assert reason_for([french_speaker, mentor("R2")], [cfo], again) == (
        "every trained mentor outside Finance who speaks fr was their mentor in an earlier wave (1)"
        " or is excluded by the admin (1)"
    )
    anywhere = Rules(same_department_allowed=True)
    assert reason_for([mentor("R1", "Finance", languages=("en",))], [cfo], anywhere) == "no trained mentor speaks fr"


def test_an_unmatched_mentor_is_told_why() -> None:
    def reasons(mentors: list[Mentor], mentees: list[Mentee]) -> dict[str, str]:
        return {
            person.employee_id: person.reason.text
            for person in propose_pairs(mentors, mentees).unmatched
            if person.side == "mentor"
        }

    assert reasons([mentor("R1")], []) == {"R1": "the wave has no mentees"}
    assert reasons(
        [
            mentor("R1", trained=False),
            mentor("R2", capacity=0),
            mentor("R3", languages=("en", "nl")),
            mentor("R4", strengths={"video": 5}),
        ],
        [mentee("E1", needs={"video": 5})],
    ) == {
        "R1": "has not been trained as a mentor",
        "R2": "has no places in this wave (capacity 0)",
        "R3": "no mentee outside Digital speaks en or nl",
    }
    second_best = reasons(
        [mentor("R1", strengths={"video": 1}, capacity=2), mentor("R4", strengths={"video": 5})],
        [mentee("E1", needs={"video": 5})],
    )
    assert second_best == {"R1": "all 1 compatible mentees are paired with other mentors, so a capacity of 2 is unused"}


def test_locked_pairs_are_kept_even_when_worse_and_forbidden_pairs_are_never_proposed() -> None:
    best = mentor("R1", strengths={"video": 5})
    weak = mentor("R2", strengths={"video": 0})
    senior = mentee("E1", needs={"video": 5})
    assert [pair.mentor for pair in propose_pairs([best, weak], [senior]).pairs] == ["R1"]
    locked = propose_pairs([best, weak], [senior], Rules(locked=frozenset({("R2", "E1")})))
    assert [(pair.mentor, pair.locked) for pair in locked.pairs] == [("R2", True)]
    forbidden = propose_pairs([best, weak], [senior], Rules(forbidden=frozenset({("R1", "E1")})))
    assert [(pair.mentor, pair.locked) for pair in forbidden.pairs] == [("R2", False)]


def test_a_lock_that_breaks_a_hard_constraint_is_reported_with_every_reason_and_the_rest_is_still_solved() -> None:
    mentors = [mentor("R1", "Finance", languages=("en",), trained=False), mentor("R2"), mentor("R3", capacity=1)]
    mentees = [mentee("E1", "Finance"), mentee("E2"), mentee("E3")]
    rules = Rules(
        locked=frozenset({("R1", "E1"), ("R3", "E2"), ("R3", "E3"), ("R9", "E2")}),
        earlier_pairs=frozenset({("R1", "E1")}),
    )
    proposal = propose_pairs(mentors, mentees, rules)
    refused = {(lock.mentor, lock.mentee): [reason.code for reason in lock.reasons] for lock in proposal.rejected_locks}
    assert refused == {
        ("R1", "E1"): ["lock_untrained", "lock_same_department", "lock_no_common_language", "lock_earlier_pair"],
        ("R3", "E3"): ["lock_mentor_full"],
        ("R9", "E2"): ["unknown_mentor"],
    }
    assert proposal.rejected_locks[1].reasons[0].text == "the capacity of R3 (1) is taken by other locked pairs"
    assert {(pair.mentor, pair.mentee, pair.locked) for pair in proposal.pairs} == {("R3", "E2", True), ("R2", "E1", False)}
    json.dumps(proposal.as_json())


def test_a_person_twice_in_the_wave_is_refused_as_malformed_input() -> None:
    with pytest.raises(ValueError, match="twice"):
        propose_pairs([mentor("R1"), mentor("R1")], [])
    with pytest.raises(ValueError, match="both sides"):
        propose_pairs([mentor("X1")], [mentee("X1")])
    with pytest.raises(ValueError, match="0 to 5"):
        mentee("E1", needs={"video": 6})
