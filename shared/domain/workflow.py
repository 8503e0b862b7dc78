"""The ticket workflow: a ticket moves through its service's SOP steps.

Plain Python, no Flask, no database. The service layer rebuilds a ``TicketFlow`` from storage,
calls one action, and writes back the records the action produced.

Rules:
- A ticket waits, is called to a loket, and when the applicant comes the request is handed in
  (step 1); then each staff step is completed in order by a user holding the step's actor role.
  A called applicant who does not come goes back to the queue a configured number of times.
- The decision step takes MS (goes on) or TMS (the ticket ends as returned, missing documents noted).
- When the step before the final applicant step is done, the applicant's "receive" step is recorded
  at the same moment and the ticket is done.
- A closed ticket never changes; times never go backwards.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from antrean.shared.domain.catalogue import Step


class Status(StrEnum):
    WAITING = "waiting"
    CALLED = "called"  # called to a loket, the applicant has not come yet
    IN_PROGRESS = "in_progress"
    DONE = "done"
    RETURNED = "returned"  # TMS: the file went back to the applicant
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"

    @property
    def closed(self) -> bool:
        return self in CLOSED


CLOSED = frozenset({Status.DONE, Status.RETURNED, Status.NO_SHOW, Status.CANCELLED})


class Decision(StrEnum):
    MS = "MS"  # Memenuhi Syarat
    TMS = "TMS"  # Tidak Memenuhi Syarat


class WorkflowError(Exception):
    """An action that does not fit the ticket; the message is for the clerk."""

    code = "workflow"


class TicketClosed(WorkflowError):
    code = "closed"


class WrongStep(WorkflowError):
    code = "wrong_step"


class WrongRole(WorkflowError):
    code = "wrong_role"


class BadDecision(WorkflowError):
    code = "bad_decision"


class TimeWentBack(WorkflowError):
    code = "time"


@dataclass(frozen=True)
class StepRecord:
    """One completed step: who did it, in which role, when, and how long against its standard."""

    number: int
    actor: str
    role: str
    user_id: int | None
    available_at: datetime
    finished_at: datetime
    standard_minutes: float
    decision: str | None = None
    missing: tuple[str, ...] = ()
    note: str = ""

    @property
    def minutes(self) -> float:
        return (self.finished_at - self.available_at).total_seconds() / 60

    @property
    def within_standard(self) -> bool:
        # A step with a 0-minute standard (the applicant's own steps) is always within it.
        return self.standard_minutes == 0 or self.minutes <= self.standard_minutes


@dataclass
class TicketFlow:
    steps: tuple[Step, ...]
    status: Status = Status.WAITING
    current_step: int = 1
    current_since: datetime | None = None
    records: list[StepRecord] = field(default_factory=list)
    recalls: int = 0

    # -- reading ---------------------------------------------------------------------------

    @property
    def step(self) -> Step | None:
        if self.status.closed:
            return None
        return self._step(self.current_step)

    def _step(self, number: int) -> Step:
        for s in self.steps:
            if s.number == number:
                return s
        raise WrongStep(f"step {number} does not exist in this flow")

    @property
    def closed(self) -> bool:
        return self.status.closed

    @property
    def awaits_applicant(self) -> bool:
        """The applicant is to come (back) to a loket for the current step: the catalogue calls
        them to it (``Step.call_kind``: the hand-over of the result, or an in-person step such as
        the e-KTP recording)."""
        step = self.step
        return step is not None and step.call_kind is not None

    @property
    def ready_for_pickup(self) -> bool:
        """"Dokumen siap diambil": the result is ready and its hand-over is the current step."""
        step = self.step
        return step is not None and step.call_kind == "pickup"

    def elapsed_minutes(self, now: datetime) -> float:
        if self.current_since is None:
            return 0.0
        return max(0.0, (now - self.current_since).total_seconds() / 60)

    def timer_state(self, now: datetime) -> str:
        """'ok', 'amber' (past 80% of the standard) or 'red' (over the standard)."""
        step = self.step
        if step is None or not step.minutes:
            return "ok"
        used = self.elapsed_minutes(now)
        if used > step.minutes:
            return "red"
        if used > 0.8 * step.minutes:
            return "amber"
        return "ok"

    # -- actions ---------------------------------------------------------------------------

    def issue(self, at: datetime) -> None:
        self.status = Status.WAITING
        self.current_step = 1
        self.current_since = at

    def call(self, at: datetime) -> list[StepRecord]:
        """The ticket is called to a loket; the applicant has not answered yet."""
        self._check_open(at)
        if self.status is not Status.WAITING:
            raise WrongStep("only a waiting ticket can be called")
        self.status = Status.CALLED
        self.current_since = at
        return []

    def arrive(self, at: datetime) -> list[StepRecord]:
        """The called applicant is at the loket and hands in the request (step 1)."""
        self._check_open(at)
        if self.status is not Status.CALLED:
            raise WrongStep("only a called ticket can be received at the loket")
        first = self._step(1)
        record = self._record(first, "pemohon", None, at)
        self.status = Status.IN_PROGRESS
        self._move_after(first, at)
        return [record] + self._auto_collect(at)

    def no_show(self, at: datetime, allowed: int) -> Status:
        """The called applicant did not come: back to the queue ``allowed`` times, then dropped."""
        self._check_open(at)
        if self.status is not Status.CALLED:
            raise WrongStep("only a called ticket can be marked as not present")
        self.recalls += 1
        self.status = Status.WAITING if self.recalls <= allowed else Status.NO_SHOW
        self.current_since = at
        return self.status

    def requeue(self, at: datetime) -> None:
        """Back to the waiting queue before any work was done (a transfer)."""
        self._check_open(at)
        if self.status not in (Status.WAITING, Status.CALLED):
            raise WrongStep("only a ticket that has not been received yet can be transferred")
        self.status = Status.WAITING
        self.current_since = at

    def complete(
        self,
        number: int,
        roles: Iterable[str],
        user_id: int | None,
        at: datetime,
        decision: Decision | str | None = None,
        missing: Sequence[str] = (),
        note: str = "",
    ) -> list[StepRecord]:
        """Complete step ``number`` as a user holding ``roles``; returns the records made."""
        self._check_open(at)
        if self.status is Status.WAITING:
            raise WrongStep("the ticket has not been called yet")
        if self.status is Status.CALLED:
            # The clerk went straight to work: the applicant came when called (step 1 at the call).
            arrived = self.arrive(self.current_since or at)
            try:
                return arrived + self.complete(number, roles, user_id, at, decision, missing, note)
            except WorkflowError:
                self._undo(arrived)
                raise
        step = self._step(self.current_step)
        if number != step.number:
            raise WrongStep(
                f"step {number} cannot be done now: the ticket is at step {step.number} ({step.activity})"
            )
        roles = set(roles)
        if step.actor not in roles:
            raise WrongRole(f"step {step.number} is done by {step.actor_name}, not by {', '.join(sorted(roles)) or 'nobody'}")
        if step.decision:
            if decision is None:
                raise BadDecision(f"step {step.number} needs a decision: MS or TMS")
            decision = Decision(decision)
            if decision is Decision.TMS and not (missing or note.strip()):
                raise BadDecision("TMS needs the missing documents or a note for the applicant")
        elif decision is not None:
            raise BadDecision(f"step {step.number} is not the MS/TMS decision")
        if decision is not Decision.TMS and missing:
            raise BadDecision("missing documents are recorded only with TMS")
        record = self._record(
            step, step.actor, user_id, at,
            decision=decision.value if decision else None, missing=tuple(missing), note=note,
        )
        if decision is Decision.TMS:
            self.status = Status.RETURNED
            self.current_since = at
            return [record]
        self._move_after(step, at)
        return [record] + self._auto_collect(at)

    def _undo(self, records: list[StepRecord]) -> None:
        """Roll back an automatic arrival when the action it was for is refused."""
        for record in records:
            self.records.remove(record)
        self.status = Status.CALLED
        self.current_step = 1
        self.current_since = records[0].available_at if records else self.current_since

    def close(self, status: Status, at: datetime) -> None:
        """End the ticket without finishing its steps (no-show, cancelled)."""
        self._check_open(at)
        if status not in (Status.NO_SHOW, Status.CANCELLED):
            raise WorkflowError("a ticket can only be closed as no-show or cancelled")
        self.status = status
        self.current_since = at

    # -- internals -------------------------------------------------------------------------

    def _check_open(self, at: datetime) -> None:
        if self.status.closed:
            raise TicketClosed(f"the ticket is closed ({self.status.value})")
        if self.current_since is not None and at < self.current_since:
            raise TimeWentBack("an action cannot be earlier than the previous one")

    def _record(self, step: Step, role: str, user_id, at: datetime, **kw) -> StepRecord:
        record = StepRecord(
            number=step.number, actor=step.actor, role=role, user_id=user_id,
            available_at=self.current_since or at, finished_at=at,
            standard_minutes=step.minutes, **kw,
        )
        self.records.append(record)
        return record

    def _move_after(self, step: Step, at: datetime) -> None:
        later = [s for s in self.steps if s.number > step.number]
        self.current_since = at
        if later:
            self.current_step = later[0].number
        else:
            self.status = Status.DONE

    def _auto_collect(self, at: datetime) -> list[StepRecord]:
        """The applicant's final step (receiving the result) happens with the hand-over."""
        step = self.step
        if step is not None and step.actor == "pemohon" and step.number == self.steps[-1].number:
            record = self._record(step, "pemohon", None, at)
            self._move_after(step, at)
            return [record]
        return []


def minutes_between(start: datetime, end: datetime) -> int:
    return max(0, math.ceil((end - start).total_seconds() / 60))
