"""A new OParl paper's first sync replayed in memory: the rows the one-by-one path writes,
computed without a statement, for models.services.oparl_bulk to insert set-based.

The one-by-one path (OParlStore._new_paper) inserts the paper, its consultations, submits it
and catches it up with what the source shows (placed on an agenda, decided, historical), each
step re-planning deadlines and reminders through the ORM: some 80 statements a paper. Here
the same steps run over plain dicts, in the same order and with the same rules: the mapping
(oparl_store.DEFAULT_ROLE, new_paper_values), the result recognizer (read_result,
for_consultation), the roles (inferred_roles), the state machine (transition), planning
(plan, new_deadline_values, proposal_verdict), reminders (reminder_steps, pending_reminder).
What is replayed here is only the glue of models.services.deadlines and .oparl_catch_up;
tests/services/test_oparl_bulk.py holds both paths to the same rows, row for row.

Whatever this replay does not know to the letter (a committee not synced yet, a referral
result, a postponement, a withdrawal, a reference stored already, a number taken) raises
`NotBulk` before anything is written, and the paper goes the one-by-one way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from models.domain.oparl import PaperIn
from models.domain.oparl_results import for_consultation, inferred_roles, is_council, read_result
from models.domain.states import (
    Decision,
    Event,
    Result,
    ResultKind,
    State,
    transition,
)
from models.domain.timeutil import to_local, to_utc
from models.domain.vocab import OWED, DeadlineStatus
from models.services.oparl_catch_up import short
from models.services.replay_rows import Batch, MeetingRow, NotBulk, Replayed, RowsReplay
from models.store.repo import normalise_reference


class Replay(Batch):
    """Replays new papers one after the other (models.services.replay_rows.Batch)."""

    # --- one paper ---------------------------------------------------------------------------

    def paper(self, obj: PaperIn, values: dict[str, Any]) -> Replayed:
        """`values`: the new paper's columns (OParlStore.new_paper_values)."""
        if normalise_reference(values["reference"]) != values["reference"]:
            raise NotBulk("Aktenzeichen wird normalisiert")
        saved = dict(self.ids.next)
        try:
            return _PaperReplay(self, obj, values).run()
        except Exception as error:  # whatever it is, the one-by-one path will say it
            self.ids.next = saved
            raise NotBulk(str(error)) from error


class _PaperReplay(RowsReplay):
    # --- the one-by-one path's order: consultations, submit, catch up, history ----------------

    def run(self) -> Replayed:
        self.consultations()
        self.apply(Event.submit, {"source": self.obj.id, "via": "OParl"})
        self.out.report.created["Paper"] += 1
        for _ in range(4 * (len(self.out.consultations) + 1)):
            if not self.step():
                break
        self.settle_history()
        return self.out

    def consultations(self) -> None:
        wanted = self.obj.consultations
        if len({o.id for o in wanted}) != len(wanted):
            raise NotBulk("Beratung doppelt")
        silent = bool(wanted) and all(o.role is None and not o.authoritative for o in wanted)
        rows = self.out.consultations
        for obj in wanted:
            if not obj.organizations:
                raise NotBulk("Beratung ohne Gremium")
            org = self.known.orgs.get(obj.organizations[0])
            if org is None:
                raise NotBulk("Gremium nicht erfasst")
            meeting_id = self.known.meeting_ids.get(obj.meeting) if obj.meeting else None
            item_id = self.known.item_ids.get(obj.agenda_item) if obj.agenda_item else None
            if item_id is not None:
                item = self.item(item_id)
                if item["consultation_oparl_id"] is None:
                    self.set_item(item_id, consultation_oparl_id=obj.id)
                meeting_id = meeting_id or item["meeting_id"]
            rows.append(
                {
                    "id": self.r.ids.take("consultation"),
                    "paper_id": self.p["id"],
                    "organization_id": org.id,
                    "meeting_id": meeting_id,
                    "position": len(rows) + 1,
                    "role": (obj.role or self.r.default_role[obj.authoritative])[:50],
                    "authoritative": obj.authoritative,
                    "public": self.p["public"],
                    "result": None,
                    "done": False,
                    "source_meeting_id": meeting_id,
                    "oparl_id": obj.id,
                }
            )
        if silent:
            orgs = self.r.orgs_by_id
            councils = [
                is_council(
                    orgs[c["organization_id"]].name, orgs[c["organization_id"]].classification
                )
                for c in rows
            ]
            for row, (role, authoritative) in zip(rows, inferred_roles(councils), strict=True):
                row["role"], row["authoritative"] = role, authoritative

    def current(self) -> dict[str, Any] | None:
        return next((c for c in self.out.consultations if not c["done"]), None)

    # --- a step of the catch-up (CatchUp._step) ----------------------------------------------

    def step(self) -> bool:
        state = State(self.p["state"])
        if state.terminal or state in (State.decided, State.in_implementation):
            return False
        consultation = self.current()
        if consultation is None or consultation["source_meeting_id"] is None:
            return False
        meeting = self.known.meetings[consultation["source_meeting_id"]]
        item_id = self.item_for(consultation, meeting.id)
        if consultation["meeting_id"] != meeting.id or state is State.submitted:
            if meeting.cancelled:
                return False
            if item_id is None:
                if state is State.submitted and consultation["meeting_id"] != meeting.id:
                    raise NotBulk("Beratung ohne Tagesordnungspunkt verlegt")
                return False
            if self.item(item_id)["consultation_id"] is not None:
                return False
            return self.place(consultation, meeting, self.item(item_id)["number"])
        if item_id is None or self.item(item_id)["consultation_id"] != consultation["id"]:
            return False
        item = self.item(item_id)
        reading = read_result(item["result"], paper_type=self.p["paper_type"])
        review = reading.review
        if review and not (item["result"] or "").strip() and meeting.start < self.r.history_before:
            review = None
        if item["result_review"] != review:
            self.set_item(item_id, result_review=review)
        result = for_consultation(reading.result, authoritative=consultation["authoritative"])
        if result is None:
            if review:
                self.out.report.review.append(
                    f"{review} – {self.p['reference']}, TOP {item['number']} "
                    f"{to_local(meeting.start):%d.%m.%Y}: {short(item['result'])} "
                    "(ratsfrist oparl-review; von Hand: ratsfrist decide)"
                )
            return False
        if result == "zurückgezogen":
            raise NotBulk("zurückgezogen")
        if not isinstance(result, Result):
            return False
        if result.kind is ResultKind.referral:
            self.out.report.warnings.append(
                f"{self.p['reference']}: verwiesen; Zielgremium von Hand eintragen "
                "(ratsfrist decide --to)"
            )
            return False
        if result.kind is ResultKind.postponement:
            raise NotBulk("vertagt")
        return self.decide(consultation, result, item["resolution_text"])

    def item_for(self, consultation: dict[str, Any], meeting_id: int) -> int | None:
        """CatchUp._item_for: the newest item of the meeting linked to the consultation."""
        for item_id in reversed(self.known.by_meeting.get(meeting_id, [])):
            item = self.item(item_id)
            if item["consultation_id"] == consultation["id"] or (
                item["consultation_oparl_id"] == consultation["oparl_id"]
            ):
                return item_id
        return None

    def place(self, consultation: dict[str, Any], meeting: MeetingRow, item_number: str) -> bool:
        """agenda._place_on_agenda for a submitted paper and a synced, waiting item."""
        state = State(self.p["state"])
        if state is not State.submitted:
            raise NotBulk("verlegt")
        number = item_number.strip().removeprefix("TOP").strip()
        if not number or number != item_number:
            raise NotBulk("TOP-Nummer")
        same = [
            i for i in self.known.by_meeting.get(meeting.id, []) if self.item(i)["number"] == number
        ]
        waiting = [
            i
            for i in same
            if self.item(i)["consultation_id"] is None
            and self.item(i)["consultation_oparl_id"] in (None, consultation["oparl_id"])
        ]
        waiting.sort(
            key=lambda i: self.item(i)["consultation_oparl_id"] != consultation["oparl_id"]
        )
        if not waiting:
            raise NotBulk("TOP belegt")
        org_name = self.org_name(consultation["organization_id"])
        details = {
            "organization": org_name,
            "meeting": to_local(meeting.start).isoformat(),
            "agenda_item": number,
        }
        consultation["meeting_id"] = meeting.id
        self.set_item(waiting[0], consultation_id=consultation["id"])
        self.apply(Event.place_on_agenda, details, meeting_id=meeting.id)
        self.stepped(f"TOP {item_number} {to_local(meeting.start):%d.%m.%Y}")
        return True

    def decide(self, consultation: dict[str, Any], result: Result, text: str | None) -> bool:
        """decisions._decide for a result that ends the consultation."""
        following = [
            c for c in self.out.consultations if not c["done"] and c["id"] != consultation["id"]
        ]
        decision = Decision(
            result=result,
            authoritative=consultation["authoritative"],
            has_next_consultation=bool(following),
        )
        try:
            transition(State(self.p["state"]), Event.decide, decision=decision)
        except Exception as error:
            raise NotBulk(str(error)) from None
        item_id = next(
            (
                i
                for i in self.known.by_meeting.get(consultation["meeting_id"], [])
                if self.item(i)["consultation_id"] == consultation["id"]
            ),
            None,
        )
        if item_id is not None:
            self.set_item(item_id, result=result.value, resolution_text=text)
        held_at = consultation["meeting_id"]
        details: dict[str, Any] = {
            "consultation_id": consultation["id"],
            "organization": self.org_name(consultation["organization_id"]),
            "role": consultation["role"],
            "authoritative": consultation["authoritative"],
            "result": result.value,
        }
        if held_at is not None:
            details["meeting"] = to_local(self.known.meetings[held_at].start).isoformat()
        if item_id is not None:
            details["agenda_item"] = self.item(item_id)["number"]
        if text:
            details["resolution_text"] = text
        consultation["result"] = result.value
        consultation["done"] = True
        self.apply(Event.decide, details, meeting_id=held_at, decision=decision)
        self.stepped(result.value)
        return True

    def stepped(self, what: str) -> None:
        self.out.report.steps.append(
            f"{self.p['reference']}: {what} → {State(self.p['state']).label}"
        )

    # --- CatchUp._settle_history ----------------------------------------------------------------

    def settle_history(self) -> None:
        cut = self.r.history_before
        starts: dict[int, datetime] = {}
        for c in self.out.consultations:
            for meeting_id in (c["source_meeting_id"], c["meeting_id"]):
                if meeting_id is not None and not self.known.meetings[meeting_id].cancelled:
                    starts[meeting_id] = to_utc(self.known.meetings[meeting_id].start)
        in_history = bool(starts) and max(starts.values()) < cut
        state = State(self.p["state"])
        if in_history and not state.terminal and state not in DONE:
            self.archive()
        decided_in_history = in_history and State(self.p["state"]) in SETTLED
        cancelled = False
        for deadline in self.out.deadlines:
            if deadline["status"] not in OWED or not deadline["due"] < cut:
                continue
            old_meeting = deadline["meeting_id"] is not None and (
                starts.get(deadline["meeting_id"], cut) < cut
            )
            if decided_in_history or old_meeting:
                deadline.update(status=DeadlineStatus.cancelled.value, updated_at=self.now)
                cancelled = True
        if cancelled:
            self.sync_reminders()

    def archive(self) -> None:
        before = State(self.p["state"])
        after = transition(before, Event.archive)
        self.p["state"] = after.value
        self.event(
            Event.archive,
            before,
            after,
            {
                "note": "vor Beginn der Fristenverfolgung beraten, Ergebnis unbekannt",
                "history_before": self.r.history_before.isoformat(),
            },
        )
        self.replan()
        self.out.report.steps.append(f"{self.p['reference']}: {State.historical.label}")


DONE = (State.decided, State.in_implementation)
SETTLED = (State.decided, State.in_implementation, State.closed, State.historical)
