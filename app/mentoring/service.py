"""Waves: create one, take in the answers of a survey already run, confirm mentors' training, propose pairs.

The matching itself is `matching.py` (pure logic); this module reads the wave's people from the
database, decides who counts as trained (the "Mentor training" module completed, or attendance
at the classroom training confirmed by an admin) and hands everything to it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy import select as core_select
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from app.accounts.models import User
from app.actor import Actor
from app.catalog.models import Module
from app.config import UI_LANGUAGES
from app.db import rows_as_records, table_of
from app.events.service import record_event
from app.mentoring.events import TrainingConfirmed, WaveAnswersImported, WaveCreated
from app.mentoring.matching import Mentee, Mentor, Proposal, Rules, Weights, propose_pairs
from app.mentoring.models import Side, Wave, WaveParticipant
from app.progress.models import ModuleCompletion
from app.timeutil import utc_now

MENTOR_TRAINING_MODULE = "mentor-training"
ANSWER_COLUMNS = ("employee_id", "side", "languages", "capacity")
SEPARATORS = (";", "|")
_participant = table_of(WaveParticipant)
_user = table_of(User)


class WaveError(ValueError):
    pass


@dataclass(frozen=True)
class AnswerProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class AnswersRefused(WaveError):
    def __init__(self, problems: list[AnswerProblem]):
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


def create_wave(
    session: Session, actor: Actor, name: str, *, planned_meetings: int = 8, same_department_allowed: bool = False
) -> Wave:
    name = name.strip()
    if not name or len(name) > 200:
        raise WaveError("a wave needs a name of at most 200 characters")
    if session.exec(select(Wave).where(col(Wave.name) == name)).first() is not None:
        raise WaveError(f"a wave named {name!r} exists already")
    if not 1 <= planned_meetings <= 50:
        raise WaveError("planned meetings must be between 1 and 50")
    defaults = Weights()
    wave = Wave(
        name=name,
        planned_meetings=planned_meetings,
        same_department_allowed=same_department_allowed,
        weights={"topic": defaults.topic, "language": defaults.language, "availability": defaults.availability},
    )
    session.add(wave)
    session.flush()
    record_event(session, actor, WaveCreated(name, planned_meetings, same_department_allowed))
    session.commit()
    return wave


def find_wave(session: Session, name_or_id: str) -> Wave:
    """WAVE on the command line is the wave's name or its id."""
    wave = session.exec(select(Wave).where(col(Wave.name) == name_or_id)).first()
    if wave is None and name_or_id.isdigit():
        wave = session.get(Wave, int(name_or_id))
    if wave is None:
        raise WaveError(f"no wave named {name_or_id!r}")
    return wave


def import_answers(session: Session, actor: Actor, wave: Wave, text: str) -> int:
    """Take in a survey's answers, one row per person: every row is checked first, nothing is applied if one is bad.

    Columns: `employee_id,side,languages,capacity` and one per module slug, 0 to 5 (the mentee's
    need or the mentor's strength on that topic). Importing again updates the person's answers.
    """
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise AnswersRefused([AnswerProblem(1, "the file is empty")])
    first_line = text.splitlines()[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [column for column in ANSWER_COLUMNS if column not in header]
    topics = [column for column in header if column not in ANSWER_COLUMNS]
    known_topics = set(session.connection().execute(core_select(table_of(Module).c.slug)).scalars())
    problems = [AnswerProblem(1, f"missing column(s): {', '.join(missing)}")] if missing else []
    problems += [
        AnswerProblem(1, f"column {topic!r} is not a module of the course") for topic in topics if topic not in known_topics
    ]
    if problems:
        raise AnswersRefused(problems)
    users = {
        row.employee_id: row
        for row in session.connection().execute(core_select(_user.c.id, _user.c.employee_id, _user.c.is_active))
    }
    rows: dict[int, dict[str, object]] = {}
    for row in reader:
        line = reader.line_num
        values = {key: (value or "").strip() for key, value in row.items() if key is not None}
        found = users.get(values["employee_id"])
        if found is None or not found.is_active:
            problems.append(AnswerProblem(line, f"no active employee with id {values['employee_id']!r}"))
            continue
        if found.id in rows:
            problems.append(AnswerProblem(line, f"employee {values['employee_id']} appears twice"))
            continue
        try:
            rows[found.id] = _answer_row(values, topics)
        except WaveError as error:
            problems.append(AnswerProblem(line, str(error)))
    if problems:
        raise AnswersRefused(problems)
    assert wave.id is not None
    existing = {
        participant.user_id: participant
        for participant in session.exec(select(WaveParticipant).where(col(WaveParticipant.wave_id) == wave.id))
    }
    for user_id, answer in rows.items():
        participant = existing.get(user_id) or WaveParticipant(
            wave_id=wave.id, user_id=user_id, side=Side.mentee, languages=[], scores={}
        )
        for field, value in answer.items():
            setattr(participant, field, value)
        participant.answered_at = utc_now()
        session.add(participant)
    record_event(session, actor, WaveAnswersImported(wave.name, len(rows)))
    session.commit()
    return len(rows)


def _answer_row(values: dict[str, str], topics: list[str]) -> dict[str, object]:
    side = values["side"].lower()
    if side not in (Side.mentor, Side.mentee):
        raise WaveError(f"side must be mentor or mentee, not {values['side']!r}")
    languages = [part.strip().lower() for part in values["languages"].replace("|", ";").split(";") if part.strip()]
    unknown = [language for language in languages if language not in UI_LANGUAGES]
    if not languages or unknown:
        raise WaveError(f"languages must be some of {', '.join(UI_LANGUAGES)} separated by ';' (got {values['languages']!r})")
    capacity = values["capacity"] or "1"
    if not capacity.isdigit() or not 1 <= int(capacity) <= 5:
        raise WaveError(f"capacity must be a whole number from 1 to 5, not {capacity!r}")
    scores = {}
    for topic in topics:
        score = values.get(topic, "") or "0"
        if not score.isdigit() or int(score) > 5:
            raise WaveError(f"{topic} must be a whole number from 0 to 5, not {score!r}")
        scores[topic] = int(score)
    return {"side": Side(side), "languages": languages, "capacity": int(capacity) if side == Side.mentor else 1, "scores": scores}


def confirm_training(session: Session, actor: Actor, wave: Wave, employee_id: str) -> None:
    """The mentor attended the classroom training: they may be matched, module or not."""
    assert wave.id is not None
    participant = session.exec(
        select(WaveParticipant)
        .join(User, col(User.id) == col(WaveParticipant.user_id))
        .where(col(WaveParticipant.wave_id) == wave.id, col(User.employee_id) == employee_id)
    ).first()
    if participant is None or participant.side != Side.mentor:
        raise WaveError(f"{employee_id} is not a mentor of the wave {wave.name!r}")
    participant.training_confirmed_at = utc_now()
    session.add(participant)
    record_event(session, actor, TrainingConfirmed(wave.name, employee_id))
    session.commit()


def propose_wave_pairs(connection: Connection, wave: Wave, *, fair: bool = False) -> Proposal:
    """The matching engine's proposal for the wave's people as they answered, with the wave's rules and weights."""
    trained_by_module = set(
        connection.execute(
            core_select(table_of(ModuleCompletion).c.user_id)
            .join(table_of(Module), table_of(Module).c.id == table_of(ModuleCompletion).c.module_id)
            .where(table_of(Module).c.slug == MENTOR_TRAINING_MODULE)
        ).scalars()
    )
    rows = connection.execute(
        core_select(_participant, _user.c.employee_id, _user.c.department)
        .join(_user, _user.c.id == _participant.c.user_id)
        .where(_participant.c.wave_id == wave.id, _user.c.is_active.is_(True))
    ).all()
    mentors, mentees = [], []
    for row in rows:
        if row.side == Side.mentor:
            trained = row.user_id in trained_by_module or row.training_confirmed_at is not None
            mentors.append(
                Mentor(
                    employee_id=row.employee_id,
                    department=row.department,
                    languages=frozenset(row.languages),
                    strengths=row.scores,
                    capacity=row.capacity,
                    availability=frozenset(row.availability),
                    trained=trained,
                )
            )
        else:
            mentees.append(
                Mentee(
                    employee_id=row.employee_id,
                    department=row.department,
                    languages=tuple(row.languages),
                    needs=row.scores,
                    availability=frozenset(row.availability),
                )
            )
    rules = Rules(same_department_allowed=wave.same_department_allowed, weights=Weights(**wave.weights))
    return propose_pairs(mentors, mentees, rules, fair=fair)


def participation_records(connection: Connection, user_id: int) -> dict[str, list[dict[str, object]]]:
    """The waves a person took part in, with their answers, for a GDPR export."""
    return {"waves": rows_as_records(connection, _participant, _participant.c.user_id == user_id)}


def forget_participation(session: Session, user_id: int) -> None:
    """On erasure the questionnaire answers go: unlike completions, no department figure needs them. No commit."""
    session.connection().execute(delete(WaveParticipant).where(col(WaveParticipant.user_id) == user_id))
