"""After any interleaving of offline edits and syncs, the three members hold the same ESCAP.

Hypothesis draws sequences of edits (messages, actions edited concurrently field by field,
read marks, events, roles, the patient's phone) by the GP, the nurse and the physio, with syncs
in between in any order; after everyone has synced twice, the canonical dumps of the episode
(every shared record, in wire form) are identical on the three stores.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.entities import EscapState, EventKind, ExitReason
from escap_desktop.core.errors import EscapError
from tests.sync.conftest import MemberFactory
from tests.sync.team import Member, active_team, canonical_dump

OPERATIONS = (
    "post",
    "add_action",
    "retitle",
    "reschedule",
    "complete",
    "reopen",
    "assign",
    "read",
    "event",
    "role",
    "phone",
    "sync",
    "sync",
)

steps = st.lists(
    st.tuples(st.integers(0, 2), st.sampled_from(OPERATIONS), st.integers(0, 10_000)),
    min_size=1,
    max_size=14,
)


def _apply(member: Member, escap_id: str, operation: str, n: int) -> None:
    practice = member.practice
    actions = sorted(practice.plan.actions(escap_id), key=lambda a: a.id)
    action = actions[n % len(actions)] if actions else None
    if operation == "post":
        practice.messages.post(escap_id, f"Message {n} de {member.name}")
    elif operation == "add_action":
        practice.plan.add(
            escap_id, f"Action {n}", due_on=practice.clock.today() + timedelta(days=n % 30)
        )
    elif operation == "read":
        practice.messages.mark_read(escap_id)
    elif operation == "event":
        practice.events.record(
            escap_id, EventKind.HOSPITALISATION, practice.clock.today(), note=f"n°{n}"
        )
    elif operation == "role":
        members = practice.escaps.overview(escap_id).members
        membership = members[n % len(members)].membership
        practice.escaps.set_role(membership.id, f"Rôle {n} selon {member.name}")
    elif operation == "phone":
        patient = practice.escaps.overview(escap_id).patient
        practice.patients.update(replace(patient, phone=f"06{n:08d}"))
    elif operation == "sync":
        member.cycle()
    elif action is not None:
        if operation == "retitle":
            practice.plan.update(replace(action, title=f"{action.title} ({member.name} {n})"))
        elif operation == "reschedule":
            practice.plan.reschedule(action.id, practice.clock.today() + timedelta(days=n % 60))
        elif operation == "complete":
            practice.plan.complete(action.id)
        elif operation == "reopen":
            practice.plan.reopen(action.id)
        elif operation == "assign":
            practice.plan.assign(action.id, member.me.id)


def test_any_interleaving_of_edits_and_syncs_converges(sqlite_members: MemberFactory) -> None:
    team = active_team(sqlite_members)
    gp, nurse, physio, escap = team
    trio = (gp, nurse, physio)

    @settings(max_examples=25, deadline=None, derandomize=True, database=None)
    @given(steps)
    def converge(interleaving: list[tuple[int, str, int]]) -> None:
        for who, operation, n in interleaving:
            _apply(trio[who], escap.id, operation, n)
        for member in trio + trio:
            member.cycle()
        dumps = [canonical_dump(member, escap.id) for member in trio]
        assert dumps[0] == dumps[1]
        assert dumps[1] == dumps[2]
        for member in trio:
            assert member.sync.status().pending_changes == 0

    converge()
    assert len(gp.practice.messages.thread(escap.id)) > 0


def test_a_closure_wins_over_a_concurrent_edit_of_the_episode(
    sqlite_members: MemberFactory, clock: FrozenClock
) -> None:
    """States only move forward: a closed ESCAP stays closed whatever arrives later."""
    gp, nurse, physio, escap = active_team(sqlite_members)
    nurse.practice.escaps.close(escap.id, ExitReason.IMPROVED, note="Autonome.")
    nurse.cycle()
    # The GP, still offline, records another reason later than the nurse's closure...
    clock.advance(minutes=20)
    gp.practice.escaps.close(escap.id, ExitReason.DEATH)
    for member in (gp, nurse, physio, gp, nurse, physio):
        member.cycle()
    dumps = [canonical_dump(member, escap.id) for member in (gp, nurse, physio)]
    assert dumps[0] == dumps[1] == dumps[2]
    final = physio.practice.escaps.get(escap.id)
    assert final.state is EscapState.CLOSED
    assert final.exit_reason is ExitReason.DEATH  # both closed: the later closure's details
    try:
        physio.practice.messages.post(escap.id, "Trop tard")
    except EscapError:
        pass
    else:
        raise AssertionError("a closed ESCAP accepted a message")
