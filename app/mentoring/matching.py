"""The matching engine of the reverse-mentoring programme: proposes mentor-mentee pairs for one wave.

Pure logic (standard library, numpy and scipy; no HTTP, no database) so that it can be checked
against brute force and timed on its own; the mentoring service feeds it people read from the
database and stores what the admin keeps.

The objective is lexicographic: first as many mentees matched as possible, then the largest total
compatibility. It is solved exactly as one assignment problem (`scipy.optimize.linear_sum_assignment`)
rather than greedily, because a greedy pass that hands the best mentor to the first mentee can leave
a later mentee with nobody, which is exactly what programme leads complain about. Each mentor is
repeated once per place (capacity) as a column; cells that break a hard constraint are given no value
so the solver never has a reason to use them, and any it uses to complete the rectangular assignment
are dropped afterwards.

Hard constraints: a trained mentor, never the mentee's own department (unless the wave allows it),
at least one common language, the mentor's capacity, no mentee paired again with an earlier mentor,
and no pair the admin forbade. Pairs the admin locked are kept as they are when they satisfy these
constraints, and reported in `Proposal.rejected_locks` when they do not.

Results are deterministic: people are sorted by employee id before the matrix is built, so the same
wave gives the same matrix whatever order it was read in, and the solver is deterministic for a given
matrix. Scores are whole hundredths of a point, so ties and floating error cannot change the optimum.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, TypedDict

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

BoolMatrix = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
FloatMatrix = npt.NDArray[np.float64]

PairKey = tuple[str, str]
"""A pair of employee ids, always (mentor, mentee)."""

Side = Literal["mentor", "mentee"]

LEVEL_MAX = 5
"""Questionnaire answers (a mentee's need for a topic, a mentor's strength in it) go from 0 to 5."""

SCORE_SCALE = 10_000
"""A score counts hundredths of a point from 0 to 100: whole numbers keep the solver's optimum exact."""

COMPONENTS = ("topic", "language", "availability")


@dataclass(frozen=True)
class Weights:
    """How much each part of the compatibility counts; only the proportions matter (they are normalised).

    The default puts topic fit first (the mentee joins for their digital needs), availability next
    (sessions are face to face; a pair that cannot find a slot does not meet) and the first-language
    bonus last (a common language is already a hard constraint).
    """

    topic: float = 3.0
    language: float = 1.0
    availability: float = 2.0

    def __post_init__(self) -> None:
        values = (self.topic, self.language, self.availability)
        if any(value < 0 or not math.isfinite(value) for value in values) or sum(values) <= 0:
            raise ValueError(f"weights must be finite, non-negative and not all zero: {values}")


@dataclass(frozen=True, kw_only=True)
class Mentor:
    """A young employee who coaches; `strengths` maps a topic to 0..5, `availability` holds slot labels."""

    employee_id: str
    department: str
    languages: frozenset[str]
    strengths: Mapping[str, int]
    capacity: int = 1
    availability: frozenset[str] = frozenset()
    trained: bool

    def __post_init__(self) -> None:
        _check_person(self.employee_id, self.languages, self.strengths)
        if self.capacity < 0:
            raise ValueError(f"mentor {self.employee_id}: capacity must not be negative")


@dataclass(frozen=True, kw_only=True)
class Mentee:
    """A senior manager who is coached; `languages` is in order of preference, their first language first.

    The order matters because a session in the mentee's first language earns the language bonus:
    admitting what one does not know is hard enough without doing it in a second language.
    """

    employee_id: str
    department: str
    languages: tuple[str, ...]
    needs: Mapping[str, int]
    availability: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        _check_person(self.employee_id, self.languages, self.needs)


def _check_person(employee_id: str, languages: Iterable[str], levels: Mapping[str, int]) -> None:
    """Refuse malformed people early: a bad questionnaire answer would silently distort every score."""
    if not list(languages):
        raise ValueError(f"{employee_id}: at least one language is needed")
    for topic, level in levels.items():
        if not 0 <= level <= LEVEL_MAX:
            raise ValueError(f"{employee_id}: level for {topic!r} must be 0 to {LEVEL_MAX}, not {level}")


@dataclass(frozen=True)
class Rules:
    """The wave's settings and the admin's decisions; every pair is (mentor id, mentee id).

    Pairs naming people who are not in the wave are ignored in `earlier_pairs` and `forbidden` (earlier
    waves had other people) but reported in `Proposal.rejected_locks` when locked (the admin meant them).
    """

    same_department_allowed: bool = False
    weights: Weights = field(default_factory=Weights)
    earlier_pairs: frozenset[PairKey] = frozenset()
    locked: frozenset[PairKey] = frozenset()
    forbidden: frozenset[PairKey] = frozenset()


@dataclass(frozen=True)
class Reason:
    """Why someone is unmatched or a lock was refused: a stable code and details for translation, and English text."""

    code: str
    details: Mapping[str, str | int]
    text: str


REASON_TEXTS: Mapping[str, str] = {
    # an unmatched mentee
    "no_mentors": "the wave has no mentors",
    "no_trained_mentor": "no mentor in the wave is trained",
    "only_own_department_mentors": "every trained mentor works in {department}, the mentee's own department",
    "no_common_language_mentors": "no trained mentor outside {department} speaks {languages}",
    "no_common_language_mentors_any_department": "no trained mentor speaks {languages}",
    "only_excluded_mentors": (
        "every trained mentor outside {department} who speaks {languages} was their mentor in an earlier wave"
        " ({earlier}) or is excluded by the admin ({forbidden})"
    ),
    "only_excluded_mentors_any_department": (
        "every trained mentor who speaks {languages} was their mentor in an earlier wave ({earlier})"
        " or is excluded by the admin ({forbidden})"
    ),
    "mentors_at_capacity": (
        "no trained mentor outside {department} who speaks {languages} has capacity left: all {count} compatible"
        " mentors are full, and giving this mentee a place would leave another mentee without one"
    ),
    "mentors_at_capacity_any_department": (
        "no trained mentor who speaks {languages} has capacity left: all {count} compatible mentors are full,"
        " and giving this mentee a place would leave another mentee without one"
    ),
    # an unmatched mentor
    "no_mentees": "the wave has no mentees",
    "untrained": "has not been trained as a mentor",
    "no_places": "has no places in this wave (capacity 0)",
    "only_own_department_mentees": "every mentee works in {department}, the mentor's own department",
    "no_common_language_mentees": "no mentee outside {department} speaks {languages}",
    "no_common_language_mentees_any_department": "no mentee speaks {languages}",
    "only_excluded_mentees": (
        "every mentee outside {department} who speaks {languages} was their mentee in an earlier wave ({earlier})"
        " or is excluded by the admin ({forbidden})"
    ),
    "only_excluded_mentees_any_department": (
        "every mentee who speaks {languages} was their mentee in an earlier wave ({earlier})"
        " or is excluded by the admin ({forbidden})"
    ),
    "mentees_taken": "all {count} compatible mentees are paired with other mentors, so a capacity of {capacity} is unused",
    # a refused lock
    "unknown_mentor": "{mentor} is not a mentor in this wave",
    "unknown_mentee": "{mentee} is not a mentee in this wave",
    "lock_untrained": "{mentor} has not been trained as a mentor",
    "lock_same_department": "both work in {department}",
    "lock_no_common_language": "they have no language in common",
    "lock_earlier_pair": "they were already paired in an earlier wave",
    "lock_forbidden": "the pair is also forbidden",
    "lock_mentee_taken": "{mentee} is already locked with {other}",
    "lock_mentor_full": "the capacity of {mentor} ({capacity}) is taken by other locked pairs",
}
"""The English templates; a translation replaces this table and keeps the codes and details."""


def _reason(code: str, **details: str | int) -> Reason:
    return Reason(code, details, REASON_TEXTS[code].format(**details))


@dataclass(frozen=True)
class PairScore:
    """A compatibility from 0 to 100 and the points each part contributed (they add up to the score)."""

    score: float
    breakdown: Mapping[str, float]


@dataclass(frozen=True)
class ProposedPair:
    """One pair of the proposal; `locked` says the admin fixed it rather than the solver choosing it."""

    mentor: str
    mentee: str
    score: float
    breakdown: Mapping[str, float]
    locked: bool = False


@dataclass(frozen=True)
class Unmatched:
    """Someone the proposal leaves without a pair, and the constraint that explains it."""

    employee_id: str
    side: Side
    reason: Reason


@dataclass(frozen=True)
class RejectedLock:
    """A pair the admin locked that breaks a hard constraint: reported with every broken one, not dropped silently."""

    mentor: str
    mentee: str
    reasons: tuple[Reason, ...]


class PairJson(TypedDict):
    mentor: str
    mentee: str
    score: float
    breakdown: dict[str, float]


class UnmatchedJson(TypedDict):
    employee_id: str
    side: Side
    reason: str


class ProposalJson(TypedDict):
    pairs: list[PairJson]
    unmatched: list[UnmatchedJson]
    total: float


class ModeJson(ProposalJson):
    worst: float | None
    average: float | None


class ComparisonJson(TypedDict):
    standard: ModeJson
    fair: ModeJson


@dataclass(frozen=True)
class Proposal:
    """The proposed pairs (sorted by mentor, then mentee), the unmatched people (mentees first) and refused locks."""

    pairs: tuple[ProposedPair, ...]
    unmatched: tuple[Unmatched, ...]
    rejected_locks: tuple[RejectedLock, ...] = ()

    @property
    def total(self) -> float:
        return round(sum((pair.score for pair in self.pairs), 0.0), 2)

    @property
    def worst(self) -> float | None:
        """The lowest pair score, None without pairs: what fairness mode raises."""
        return min((pair.score for pair in self.pairs), default=None)

    @property
    def average(self) -> float | None:
        return round(self.total / len(self.pairs), 2) if self.pairs else None

    def as_json(self) -> ProposalJson:
        """The shape `cooc wave match --json` prints."""
        return {
            "pairs": [
                {"mentor": pair.mentor, "mentee": pair.mentee, "score": pair.score, "breakdown": dict(pair.breakdown)}
                for pair in self.pairs
            ],
            "unmatched": [
                {"employee_id": person.employee_id, "side": person.side, "reason": person.reason.text}
                for person in self.unmatched
            ],
            "total": self.total,
        }


@dataclass(frozen=True)
class ModeComparison:
    """The standard and the fair proposal of the same wave, side by side, for the programme lead to choose."""

    standard: Proposal
    fair: Proposal

    def as_json(self) -> ComparisonJson:
        def with_summary(proposal: Proposal) -> ModeJson:
            return {**proposal.as_json(), "worst": proposal.worst, "average": proposal.average}

        return {"standard": with_summary(self.standard), "fair": with_summary(self.fair)}


def propose_pairs(
    mentors: Iterable[Mentor], mentees: Iterable[Mentee], rules: Rules = Rules(), *, fair: bool = False
) -> Proposal:
    """Propose the pairs of a wave: most mentees matched, then (fair) the best worst pair, then the best total.

    Impossible constraints give an empty or partial proposal with reasons, never an error; only malformed
    input (an employee id twice) raises ValueError.
    """
    wave = _Wave.build(mentors, mentees, rules)
    problem = _FreeProblem.build(wave)
    usable = problem.allowed & (problem.scores >= _fairness_threshold(problem)) if fair else problem.allowed
    return wave.proposal(problem.best_assignment(usable))


def compare_modes(mentors: Iterable[Mentor], mentees: Iterable[Mentee], rules: Rules = Rules()) -> ModeComparison:
    """Both proposals from one scoring of the wave (the scores are the expensive part they share)."""
    wave = _Wave.build(mentors, mentees, rules)
    problem = _FreeProblem.build(wave)
    standard = problem.best_assignment(problem.allowed)
    fair = problem.best_assignment(problem.allowed & (problem.scores >= _fairness_threshold(problem)))
    return ModeComparison(wave.proposal(standard), wave.proposal(fair))


def score_pair(mentor: Mentor, mentee: Mentee, weights: Weights = Weights()) -> PairScore:
    """The compatibility of one pair, whatever the hard constraints say (to show the admin before a lock)."""
    parts = _ScoreParts.build([mentor], [mentee], weights)
    return parts.pair_score(0, 0)


@dataclass(frozen=True)
class _ScoreParts:
    """Points (hundredths) of each part for every mentee (row) and mentor (column), computed with whole matrices.

    Parts, each a fraction from 0 to 1 multiplied by the part's share of the 100 points:
    - topic: sum over topics of need x strength, divided by 5 x sum of needs (the mentor's strength
      averaged over the mentee's needs, weighted by how much each is needed; 0 when no need is stated,
      because nothing was asked that a mentor could fit);
    - language: 1 when the mentor speaks the mentee's first language, else 0;
    - availability: the share of the mentee's slots the mentor also has (the mentee's diary is the
      scarce one; 0 when the mentee gave no slot).
    """

    topic: IntArray
    language: IntArray
    availability: IntArray

    @classmethod
    def build(cls, mentors: Sequence[Mentor], mentees: Sequence[Mentee], weights: Weights) -> _ScoreParts:
        shares = _point_shares(weights)
        topics = _vocabulary([*(t for m in mentors for t in m.strengths), *(t for m in mentees for t in m.needs)])
        needs = _levels([mentee.needs for mentee in mentees], topics)
        strengths = _levels([mentor.strengths for mentor in mentors], topics)
        need_totals = needs.sum(axis=1, keepdims=True)
        topic_fit = _share(needs @ strengths.T, LEVEL_MAX * need_totals)

        languages = _language_vocabulary(mentors, mentees)
        mentor_speaks = _presence([mentor.languages for mentor in mentors], languages)
        first_languages = np.array([languages[mentee.languages[0]] for mentee in mentees], dtype=np.int64)
        first_language_shared = mentor_speaks[:, first_languages].T

        slots = _vocabulary([*(s for m in mentors for s in m.availability), *(s for m in mentees for s in m.availability)])
        mentee_slots = _presence([mentee.availability for mentee in mentees], slots)
        mentor_slots = _presence([mentor.availability for mentor in mentors], slots)
        overlap = _share(mentee_slots @ mentor_slots.T, mentee_slots.sum(axis=1, keepdims=True))

        return cls(
            topic=_points(shares["topic"], topic_fit),
            language=_points(shares["language"], first_language_shared),
            availability=_points(shares["availability"], overlap),
        )

    @property
    def total(self) -> IntArray:
        return self.topic + self.language + self.availability

    def pair_score(self, mentee: int, mentor: int) -> PairScore:
        points = {"topic": self.topic, "language": self.language, "availability": self.availability}
        breakdown = {name: int(points[name][mentee, mentor]) / 100 for name in COMPONENTS}
        return PairScore(sum(int(points[name][mentee, mentor]) for name in COMPONENTS) / 100, breakdown)


def _point_shares(weights: Weights) -> dict[str, int]:
    """Split the 10,000 hundredths among the parts in proportion to the weights, by largest remainder.

    Whole shares that add up to exactly 10,000 keep every score within 0..100 and make a perfect pair
    score exactly 100, whatever the weights.
    """
    raw = {"topic": weights.topic, "language": weights.language, "availability": weights.availability}
    exact = {name: SCORE_SCALE * raw[name] / sum(raw.values()) for name in COMPONENTS}
    shares = {name: math.floor(exact[name]) for name in COMPONENTS}
    by_remainder = sorted(COMPONENTS, key=lambda name: (shares[name] - exact[name], COMPONENTS.index(name)))
    for name in by_remainder[: SCORE_SCALE - sum(shares.values())]:
        shares[name] += 1
    return shares


def _vocabulary(values: Iterable[str]) -> dict[str, int]:
    return {value: index for index, value in enumerate(sorted(set(values)))}


def _language_vocabulary(mentors: Sequence[Mentor], mentees: Sequence[Mentee]) -> dict[str, int]:
    return _vocabulary(
        [*(lang for mentor in mentors for lang in mentor.languages), *(lang for mentee in mentees for lang in mentee.languages)]
    )


def _levels(answers: Sequence[Mapping[str, int]], vocabulary: Mapping[str, int]) -> FloatMatrix:
    """Questionnaire answers as a matrix (floats: products of small whole numbers stay exact in BLAS)."""
    matrix = np.zeros((len(answers), len(vocabulary)))
    for row, levels in enumerate(answers):
        for topic, level in levels.items():
            matrix[row, vocabulary[topic]] = level
    return matrix


def _presence(rows: Sequence[Iterable[str]], vocabulary: Mapping[str, int]) -> FloatMatrix:
    matrix = np.zeros((len(rows), len(vocabulary)))
    for row, items in enumerate(rows):
        matrix[row, [vocabulary[item] for item in items]] = 1.0
    return matrix


def _share(numerator: FloatMatrix, denominator: FloatMatrix) -> FloatMatrix:
    """numerator / denominator, 0 where the denominator is 0 (nothing stated, nothing to fit)."""
    result = np.zeros(np.broadcast_shapes(numerator.shape, denominator.shape))
    np.divide(numerator, denominator, out=result, where=np.broadcast_to(denominator > 0, result.shape))
    return result


def _points(share: int, fraction: FloatMatrix) -> IntArray:
    return np.rint(share * fraction).astype(np.int64)


@dataclass(frozen=True)
class _Wave:
    """A wave ready to solve: people sorted by id, score parts and one boolean matrix per hard constraint."""

    mentors: tuple[Mentor, ...]
    mentees: tuple[Mentee, ...]
    rules: Rules
    parts: _ScoreParts
    trained: npt.NDArray[np.bool_]
    other_department: BoolMatrix
    common_language: BoolMatrix
    earlier: BoolMatrix
    forbidden: BoolMatrix
    allowed: BoolMatrix
    locked: tuple[tuple[int, int], ...]
    """Accepted locks as (mentee row, mentor column)."""
    rejected_locks: tuple[RejectedLock, ...]

    @classmethod
    def build(cls, mentors: Iterable[Mentor], mentees: Iterable[Mentee], rules: Rules) -> _Wave:
        sorted_mentors = tuple(sorted(mentors, key=lambda mentor: mentor.employee_id))
        sorted_mentees = tuple(sorted(mentees, key=lambda mentee: mentee.employee_id))
        mentor_ids = [mentor.employee_id for mentor in sorted_mentors]
        mentee_ids = [mentee.employee_id for mentee in sorted_mentees]
        if len(set(mentor_ids)) < len(mentor_ids) or len(set(mentee_ids)) < len(mentee_ids):
            raise ValueError("an employee id appears twice on the same side of the wave")
        if set(mentor_ids) & set(mentee_ids):
            raise ValueError(f"employees on both sides of the wave: {sorted(set(mentor_ids) & set(mentee_ids))}")

        departments = _vocabulary(
            [*(mentor.department for mentor in sorted_mentors), *(mentee.department for mentee in sorted_mentees)]
        )
        mentor_departments = np.array([departments[mentor.department] for mentor in sorted_mentors], dtype=np.int64)
        mentee_departments = np.array([departments[mentee.department] for mentee in sorted_mentees], dtype=np.int64)
        other_department = mentee_departments[:, None] != mentor_departments[None, :]

        languages = _language_vocabulary(sorted_mentors, sorted_mentees)
        mentor_speaks = _presence([mentor.languages for mentor in sorted_mentors], languages)
        mentee_speaks = _presence([mentee.languages for mentee in sorted_mentees], languages)
        common_language = (mentee_speaks @ mentor_speaks.T) > 0

        mentor_index = {employee_id: column for column, employee_id in enumerate(mentor_ids)}
        mentee_index = {employee_id: row for row, employee_id in enumerate(mentee_ids)}
        earlier = _pair_mask(rules.earlier_pairs, mentor_index, mentee_index)
        forbidden = _pair_mask(rules.forbidden, mentor_index, mentee_index)
        trained = np.array([mentor.trained for mentor in sorted_mentors], dtype=np.bool_)
        allowed = trained[None, :] & common_language & ~earlier & ~forbidden
        if not rules.same_department_allowed:
            allowed &= other_department

        wave = cls(
            sorted_mentors,
            sorted_mentees,
            rules,
            _ScoreParts.build(sorted_mentors, sorted_mentees, rules.weights),
            trained,
            other_department,
            common_language,
            earlier,
            forbidden,
            allowed,
            locked=(),
            rejected_locks=(),
        )
        # The locks are checked against the constraint matrices just built, hence the second step.
        locked, rejected = wave._check_locks(mentor_index, mentee_index)
        return replace(wave, locked=locked, rejected_locks=rejected)

    def _check_locks(
        self, mentor_index: Mapping[str, int], mentee_index: Mapping[str, int]
    ) -> tuple[tuple[tuple[int, int], ...], tuple[RejectedLock, ...]]:
        """Accept the locks that keep every hard constraint, in sorted order (so the same locks always win)."""
        accepted: list[tuple[int, int]] = []
        rejected: list[RejectedLock] = []
        locked_mentee_to: dict[int, str] = {}
        places_used = [0] * len(self.mentors)
        for mentor_id, mentee_id in sorted(self.rules.locked):
            column, row = mentor_index.get(mentor_id), mentee_index.get(mentee_id)
            reasons: list[Reason] = []
            if column is None:
                reasons.append(_reason("unknown_mentor", mentor=mentor_id))
            if row is None:
                reasons.append(_reason("unknown_mentee", mentee=mentee_id))
            if column is not None and row is not None:
                reasons += self._lock_violations(row, column)
                if row in locked_mentee_to:
                    reasons.append(_reason("lock_mentee_taken", mentee=mentee_id, other=locked_mentee_to[row]))
                if places_used[column] >= self.mentors[column].capacity:
                    reasons.append(_reason("lock_mentor_full", mentor=mentor_id, capacity=self.mentors[column].capacity))
            if reasons or row is None or column is None:
                rejected.append(RejectedLock(mentor_id, mentee_id, tuple(reasons)))
                continue
            accepted.append((row, column))
            locked_mentee_to[row] = mentor_id
            places_used[column] += 1
        return tuple(accepted), tuple(rejected)

    def _lock_violations(self, row: int, column: int) -> list[Reason]:
        mentor = self.mentors[column]
        violations = []
        if not self.trained[column]:
            violations.append(_reason("lock_untrained", mentor=mentor.employee_id))
        if not self.rules.same_department_allowed and not self.other_department[row, column]:
            violations.append(_reason("lock_same_department", department=mentor.department))
        if not self.common_language[row, column]:
            violations.append(_reason("lock_no_common_language"))
        if self.earlier[row, column]:
            violations.append(_reason("lock_earlier_pair"))
        if self.forbidden[row, column]:
            violations.append(_reason("lock_forbidden"))
        return violations

    def proposal(self, solved: Sequence[tuple[int, int]]) -> Proposal:
        """Pairs (locked and solved) with their breakdown, and a reason for everyone left out."""
        pairs = [self._pair(row, column, locked=True) for row, column in self.locked]
        pairs += [self._pair(row, column, locked=False) for row, column in solved]
        pairs.sort(key=lambda pair: (pair.mentor, pair.mentee))
        matched_rows = {row for row, _ in (*self.locked, *solved)}
        matched_columns = {column for _, column in (*self.locked, *solved)}
        unmatched = [
            Unmatched(mentee.employee_id, "mentee", self._mentee_reason(row))
            for row, mentee in enumerate(self.mentees)
            if row not in matched_rows
        ]
        unmatched += [
            Unmatched(mentor.employee_id, "mentor", self._mentor_reason(column))
            for column, mentor in enumerate(self.mentors)
            if column not in matched_columns
        ]
        return Proposal(tuple(pairs), tuple(unmatched), self.rejected_locks)

    def _pair(self, row: int, column: int, *, locked: bool) -> ProposedPair:
        scored = self.parts.pair_score(row, column)
        mentor_id, mentee_id = self.mentors[column].employee_id, self.mentees[row].employee_id
        return ProposedPair(mentor_id, mentee_id, scored.score, scored.breakdown, locked)

    def _mentee_reason(self, row: int) -> Reason:
        """The first hard constraint, in a fixed order, that leaves this mentee no mentor with a free place.

        When compatible mentors exist they are all full: the matching is as large as possible, so a
        compatible mentor with a free place would have been given this mentee.
        """
        mentee = self.mentees[row]
        if not self.mentors:
            return _reason("no_mentors")
        candidates = self.trained.copy()
        if not candidates.any():
            return _reason("no_trained_mentor")
        variant = "_any_department" if self.rules.same_department_allowed else ""
        if not self.rules.same_department_allowed:
            candidates &= self.other_department[row]
            if not candidates.any():
                return _reason("only_own_department_mentors", department=mentee.department)
        where = {"department": mentee.department, "languages": " or ".join(mentee.languages)}
        candidates &= self.common_language[row]
        if not candidates.any():
            return _reason("no_common_language_mentors" + variant, **where)
        earlier, forbidden = self.earlier[row] & candidates, self.forbidden[row] & candidates
        compatible = candidates & ~earlier & ~forbidden
        if not compatible.any():
            return _reason("only_excluded_mentors" + variant, **where, earlier=int(earlier.sum()), forbidden=int(forbidden.sum()))
        return _reason("mentors_at_capacity" + variant, **where, count=int(compatible.sum()))

    def _mentor_reason(self, column: int) -> Reason:
        """Why a mentor has no mentee at all, the same way round as `_mentee_reason`."""
        mentor = self.mentors[column]
        if not self.mentees:
            return _reason("no_mentees")
        if not mentor.trained:
            return _reason("untrained")
        if mentor.capacity == 0:
            return _reason("no_places")
        candidates = np.ones(len(self.mentees), dtype=np.bool_)
        variant = "_any_department" if self.rules.same_department_allowed else ""
        if not self.rules.same_department_allowed:
            candidates &= self.other_department[:, column]
            if not candidates.any():
                return _reason("only_own_department_mentees", department=mentor.department)
        where = {"department": mentor.department, "languages": " or ".join(sorted(mentor.languages))}
        candidates &= self.common_language[:, column]
        if not candidates.any():
            return _reason("no_common_language_mentees" + variant, **where)
        earlier, forbidden = self.earlier[:, column] & candidates, self.forbidden[:, column] & candidates
        compatible = candidates & ~earlier & ~forbidden
        if not compatible.any():
            return _reason("only_excluded_mentees" + variant, **where, earlier=int(earlier.sum()), forbidden=int(forbidden.sum()))
        return _reason("mentees_taken", count=int(compatible.sum()), capacity=mentor.capacity)


def _pair_mask(pairs: Iterable[PairKey], mentor_index: Mapping[str, int], mentee_index: Mapping[str, int]) -> BoolMatrix:
    mask = np.zeros((len(mentee_index), len(mentor_index)), dtype=np.bool_)
    for mentor_id, mentee_id in pairs:
        if mentor_id in mentor_index and mentee_id in mentee_index:
            mask[mentee_index[mentee_id], mentor_index[mentor_id]] = True
    return mask


@dataclass(frozen=True)
class _FreeProblem:
    """What is left to solve once the locks are placed: free mentees (rows) and free mentor places (columns).

    Rows and columns without a single allowed cell are left out: they cannot be matched and would only
    make the solver's matrix bigger.
    """

    mentee_rows: IntArray
    place_mentors: IntArray
    """The mentor column of each place: a mentor with two free places appears twice."""
    allowed: BoolMatrix
    scores: IntArray

    @classmethod
    def build(cls, wave: _Wave) -> _FreeProblem:
        locked_rows = {row for row, _ in wave.locked}
        places_left = np.array([mentor.capacity for mentor in wave.mentors], dtype=np.int64)
        for _, column in wave.locked:
            places_left[column] -= 1
        rows = np.array([row for row in range(len(wave.mentees)) if row not in locked_rows], dtype=np.int64)
        places = np.repeat(np.arange(len(wave.mentors), dtype=np.int64), places_left)
        allowed = wave.allowed[np.ix_(rows, places)]
        useful_rows, useful_places = allowed.any(axis=1), allowed.any(axis=0)
        rows, places = rows[useful_rows], places[useful_places]
        return cls(rows, places, allowed[np.ix_(useful_rows, useful_places)], wave.parts.total[np.ix_(rows, places)])

    def best_assignment(self, usable: BoolMatrix) -> list[tuple[int, int]]:
        """The most pairs on usable cells, then the highest total, as (mentee row, mentor column) of the wave.

        Each usable cell is worth a bonus larger than any total of scores plus its score, so one more pair
        always beats any gain in total; unusable cells are worth 0, so the solver only takes them to fill
        the rectangular assignment and they are dropped. All values are whole numbers far below 2**53,
        exact in the solver's floats.
        """
        if not usable.any():
            return []
        pair_bonus = SCORE_SCALE * min(usable.shape) + 1
        cost = np.where(usable, -(pair_bonus + self.scores), 0).astype(np.float64)
        rows, columns = linear_sum_assignment(cost)
        kept = usable[rows, columns]
        return [(int(self.mentee_rows[r]), int(self.place_mentors[c])) for r, c in zip(rows[kept], columns[kept], strict=True)]


def _fairness_threshold(problem: _FreeProblem) -> int:
    """The highest score t such that cells scoring at least t still match as many mentees as all cells do.

    Found by binary search over the distinct allowed scores (feasibility only shrinks as t grows), each
    step a maximum bipartite matching, which is much cheaper than an assignment. Locked pairs are fixed
    and do not take part.
    """
    if not problem.allowed.any():
        return 0
    most_pairs = _matching_size(problem.allowed)
    thresholds = np.unique(problem.scores[problem.allowed])
    low, high = 0, len(thresholds) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if _matching_size(problem.allowed & (problem.scores >= thresholds[middle])) == most_pairs:
            low = middle
        else:
            high = middle - 1
    return int(thresholds[low])


def _matching_size(usable: BoolMatrix) -> int:
    matched = maximum_bipartite_matching(csr_matrix(usable), perm_type="column")
    return int((matched >= 0).sum())
