"""The matching engine end to end from in-memory people, against the assignment solver alone in the same run.

Builds a random wave (mentor capacity 1 to 2, 20 departments, 8 topics, 3 languages, 10 weekly slots,
1 mentor in 20 untrained, some earlier pairs), then times `propose_pairs` in standard and fair mode and
`compare_modes`, with the time spent inside scipy's solvers (`linear_sum_assignment`, and the bipartite
matchings of fairness mode) printed beside the total. The baseline is `linear_sum_assignment` alone on a
random matrix of the shape the engine solved. No database is involved: reading the wave from it comes later.

Usage: .venv/bin/python bench/matching.py [--repeat 7] [--seed 2026]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from scipy.optimize import linear_sum_assignment

from app.mentoring import matching
from app.mentoring.matching import Mentee, Mentor, Rules, compare_modes, propose_pairs

TOPICS = ("social-media", "search", "security", "video", "reputation", "apps", "big-data", "iot")
LANGUAGES = ("fr", "nl", "en")
SLOTS = tuple(f"{day}-{half}" for day in ("mon", "tue", "wed", "thu", "fri") for half in ("am", "pm"))


def random_wave(rng: random.Random, mentors: int, mentees: int, max_capacity: int) -> tuple[list[Mentor], list[Mentee], Rules]:
    def levels() -> dict[str, int]:
        return {topic: rng.randint(1, 5) for topic in rng.sample(TOPICS, rng.randint(2, 5))}

    mentor_list = [
        Mentor(
            employee_id=f"R{n:05d}",
            department=f"D{rng.randrange(20):02d}",
            languages=frozenset(rng.sample(LANGUAGES, rng.randint(1, 2))),
            strengths=levels(),
            capacity=rng.randint(1, max_capacity),
            availability=frozenset(rng.sample(SLOTS, rng.randint(2, 6))),
            trained=rng.random() > 0.05,
        )
        for n in range(mentors)
    ]
    mentee_list = [
        Mentee(
            employee_id=f"E{n:05d}",
            department=f"D{rng.randrange(20):02d}",
            languages=tuple(rng.sample(LANGUAGES, rng.randint(1, 2))),
            needs=levels(),
            availability=frozenset(rng.sample(SLOTS, rng.randint(2, 6))),
        )
        for n in range(mentees)
    ]
    earlier = frozenset((rng.choice(mentor_list).employee_id, rng.choice(mentee_list).employee_id) for _ in range(mentees // 5))
    return mentor_list, mentee_list, Rules(earlier_pairs=earlier)


class SolverClock:
    """Wraps the engine's two scipy solvers to add up the time spent in them and remember the last shape."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.last_assignment_shape: tuple[int, ...] = (0, 0)
        self.originals = (matching.linear_sum_assignment, matching.maximum_bipartite_matching)

    def _timed(self, solver: Callable[..., Any], *, remember_shape: bool) -> Callable[..., Any]:
        def timed(matrix: Any, *args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            result = solver(matrix, *args, **kwargs)
            self.seconds += time.perf_counter() - started
            if remember_shape:
                self.last_assignment_shape = matrix.shape
            return result

        return timed

    def __enter__(self) -> SolverClock:
        assignment, bipartite = self.originals
        matching.linear_sum_assignment = self._timed(assignment, remember_shape=True)  # type: ignore[assignment]
        matching.maximum_bipartite_matching = self._timed(bipartite, remember_shape=False)  # type: ignore[assignment]
        return self

    def __exit__(self, *_exc: object) -> None:
        matching.linear_sum_assignment, matching.maximum_bipartite_matching = self.originals  # type: ignore[assignment]


def measure(call: Callable[[], object], repeat: int) -> tuple[list[float], list[float], tuple[int, ...], object]:
    """Wall times and solver times in milliseconds, the solver's matrix shape, and the last result."""
    totals, solver_times, result = [], [], None
    shape: tuple[int, ...] = (0, 0)
    for _ in range(repeat):
        with SolverClock() as clock:
            started = time.perf_counter()
            result = call()
            totals.append((time.perf_counter() - started) * 1000)
        solver_times.append(clock.seconds * 1000)
        shape = clock.last_assignment_shape
    return totals, solver_times, shape, result


def baseline(shape: tuple[int, ...], repeat: int, seed: int) -> list[float]:
    generator = np.random.default_rng(seed)
    samples = []
    for _ in range(repeat):
        cost = generator.random(shape)
        started = time.perf_counter()
        linear_sum_assignment(cost)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def spread(samples: list[float]) -> str:
    return f"{statistics.median(samples):7.1f} ms ({min(samples):.1f} to {max(samples):.1f})"


def summary(proposal: matching.Proposal) -> str:
    return (
        f"{len(proposal.pairs)} pairs, {len(proposal.unmatched)} unmatched, total {proposal.total:,.2f},"
        f" worst {proposal.worst}, average {proposal.average}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    print("Engine end to end from in-memory inputs (no database: loading the wave from it comes later).")
    print(f"Medians of {args.repeat} runs (min to max); solver = time inside scipy's solvers, share = solver / total.\n")

    waves = (("1,000 x 1,000", 1000, 1000, 2, 1000.0, 3000.0), ("120 x 120", 120, 120, 1, 50.0, None))
    for label, mentors, mentees, max_capacity, standard_target, fair_target in waves:
        people = random_wave(random.Random(args.seed), mentors, mentees, max_capacity)
        places = sum(mentor.capacity for mentor in people[0])
        print(f"== wave {label}: {mentees} mentees, {mentors} mentors with {places} places ==")
        standard_ms, standard_solver, shape, standard = measure(lambda people=people: propose_pairs(*people), args.repeat)
        fair_ms, fair_solver, _, fair = measure(lambda people=people: propose_pairs(*people, fair=True), args.repeat)
        both_ms, both_solver, _, _ = measure(lambda people=people: compare_modes(*people), args.repeat)
        alone_ms = baseline(shape, args.repeat, args.seed)
        square_ms = baseline((mentees, mentors), args.repeat, args.seed)
        for name, totals, solver in (
            ("standard", standard_ms, standard_solver),
            ("fair", fair_ms, fair_solver),
            ("both (compare_modes)", both_ms, both_solver),
        ):
            share = statistics.median(solver) / statistics.median(totals)
            ratio = statistics.median(totals) / statistics.median(alone_ms)
            print(
                f"{name:21} {spread(totals)}  solver {statistics.median(solver):6.1f} ms ({share:4.0%})  / lsa alone {ratio:5.1f}"
            )
        print(f"{'lsa alone':21} {spread(alone_ms)}  random {shape[0]} x {shape[1]} (the shape the engine solved)")
        print(f"{'lsa alone':21} {spread(square_ms)}  random {mentees} x {mentors}")
        assert isinstance(standard, matching.Proposal) and isinstance(fair, matching.Proposal)
        print(f"standard: {summary(standard)}")
        print(f"fair:     {summary(fair)}")
        targets = [f"standard under {standard_target:,.0f} ms: {statistics.median(standard_ms) < standard_target}"]
        if fair_target is not None:
            targets.append(f"fair under {fair_target:,.0f} ms: {statistics.median(fair_ms) < fair_target}")
        print("targets (medians): " + "; ".join(targets) + "\n")


if __name__ == "__main__":
    main()
