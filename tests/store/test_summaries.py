"""The patient list on a small practice built by hand, where every number is known."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, select

from escap_desktop.core.entities import (
    Action,
    ActionStatus,
    Escap,
    EscapState,
    LocalProfile,
    Membership,
    MembershipStatus,
    Message,
    Patient,
    Sex,
)
from escap_desktop.core.entities.summaries import PatientSummary
from escap_desktop.store import Store, UnitOfWork, patient_list
from escap_desktop.store.models import PatientListRow
from tests.store import samples

ME = "a" * 32
NURSE = "b" * 32
PHYSIO = "c" * 32
PODIATRIST = "d" * 32


def _at(month: int, day: int) -> datetime:
    return datetime(2025, month, day, 10, 0, tzinfo=UTC)


def _patient(birth_name: str, first_names: str, **changes: object) -> Patient:
    values: dict[str, object] = {
        "birth_name": birth_name,
        "first_names": first_names,
        "birth_date": date(1940, 1, 1),
        "sex": Sex.FEMALE,
    }
    values.update(changes)
    return Patient(**values)  # type: ignore[arg-type]


def _escap(patient: Patient, state: EscapState, episode: int = 1) -> Escap:
    return Escap(
        patient_id=patient.id,
        created_by=ME,
        created_at=_at(episode, 1),
        state=state,
        episode=episode,
    )


def _member(escap: Escap, who: str, status: MembershipStatus) -> Membership:
    return Membership(
        escap_id=escap.id, professional_id=who, invited_by=ME, invited_at=_at(4, 1), status=status
    )


def _action(escap: Escap, title: str, due: date | None, status: ActionStatus) -> Action:
    return Action(
        escap_id=escap.id,
        title=title,
        created_by=ME,
        created_at=_at(4, 2),
        due_on=due,
        status=status,
    )


def _message(escap: Escap, author: str, readers: set[str]) -> Message:
    return Message(
        escap_id=escap.id,
        author_id=author,
        sent_at=_at(4, 5),
        body="Message clinique",
        read_by=frozenset(readers),
    )


class Practice:
    """Four patients: an active team, a team forming without me, no ESCAP, a draft."""

    def __init__(self) -> None:
        self.alice = _patient("BERNARD", "Alice Marie", ins="248017511200123")
        self.emilie = _patient(
            "LEROY", "Émilie Jeanne", used_name="DUPONT", birth_date=date(1950, 3, 12)
        )
        self.zoe = _patient("ÉTIENNE", "Zoé")
        self.leon = _patient("CHARLES", "Léon", sex=Sex.MALE)
        self.alice_old = _escap(self.alice, EscapState.CLOSED, episode=1)
        self.alice_now = _escap(self.alice, EscapState.ACTIVE, episode=2)
        self.emilie_now = _escap(self.emilie, EscapState.FORMING)
        self.leon_now = _escap(self.leon, EscapState.DRAFT)

    def write(self, uow: UnitOfWork) -> None:
        for patient in (self.alice, self.emilie, self.zoe, self.leon):
            uow.put(patient)
        for escap in (self.alice_old, self.alice_now, self.emilie_now, self.leon_now):
            uow.put(escap)
        alice = self.alice.id
        uow.put(samples.assessment(self.alice_old.id, alice, score=20))
        uow.put(
            samples.assessment(self.alice_now.id, alice, score=17, assessed_on=date(2025, 4, 10))
        )
        uow.put(
            samples.assessment(self.alice_now.id, alice, score=14, assessed_on=date(2025, 4, 2))
        )
        for who, status in (
            (ME, MembershipStatus.ACCEPTED),
            (NURSE, MembershipStatus.ACCEPTED),
            (PHYSIO, MembershipStatus.INVITED),
            (PODIATRIST, MembershipStatus.DECLINED),
        ):
            uow.put(_member(self.alice_now, who, status))
        uow.put(_member(self.alice_old, PHYSIO, MembershipStatus.ACCEPTED))
        uow.put(_action(self.alice_now, "Bilan kiné", date(2025, 5, 10), ActionStatus.TODO))
        uow.put(_action(self.alice_now, "Prise de sang", date(2025, 5, 3), ActionStatus.TODO))
        uow.put(_action(self.alice_now, "Passage IDE", date(2025, 4, 1), ActionStatus.DONE))
        uow.put(_action(self.alice_now, "Aide ménagère", None, ActionStatus.TODO))
        uow.put(_message(self.alice_now, NURSE, {NURSE}))  # unread by me
        uow.put(_message(self.alice_now, NURSE, {NURSE, ME}))  # read
        uow.put(_message(self.alice_now, ME, set()))  # mine
        uow.put(_message(self.alice_now, PHYSIO, set()))  # unread by me
        uow.put(_message(self.alice_old, NURSE, set()))  # an old episode: not counted

        uow.put(_member(self.emilie_now, NURSE, MembershipStatus.ACCEPTED))
        uow.put(_member(self.emilie_now, ME, MembershipStatus.INVITED))
        uow.put(_message(self.emilie_now, NURSE, set()))  # I am not a member yet
        uow.put(_action(self.emilie_now, "Appeler la famille", None, ActionStatus.TODO))


@pytest.fixture
def practice(store: Store) -> Practice:
    built = Practice()
    with store.unit_of_work(ME) as uow:
        uow.put(LocalProfile(professional_id=ME))
        built.write(uow)
    return built


def _list(
    store: Store, search: str = "", states: set[EscapState] | None = None
) -> list[PatientSummary]:
    with store.unit_of_work(ME) as uow:
        return uow.patient_summaries(search=search, states=states)


def test_each_column_of_the_patient_list(store: Store, practice: Practice) -> None:
    rows = _list(store)
    assert [row.display_name for row in rows] == [
        "BERNARD Alice",
        "CHARLES Léon",
        "DUPONT Émilie",
        "ÉTIENNE Zoé",
    ]
    alice, leon, emilie, zoe = rows
    assert alice == PatientSummary(
        patient_id=practice.alice.id,
        display_name="BERNARD Alice",
        birth_name="BERNARD",
        used_name="",
        first_names="Alice Marie",
        birth_date=date(1940, 1, 1),
        ins="248017511200123",
        escap_id=practice.alice_now.id,
        escap_state=EscapState.ACTIVE,
        last_score=17,
        team_size=2,
        next_due_on=date(2025, 5, 3),
        next_action="Prise de sang",
        unread_messages=2,
    )
    assert (emilie.escap_state, emilie.team_size, emilie.unread_messages) == (
        EscapState.FORMING,
        1,
        0,
    )
    assert (emilie.next_due_on, emilie.next_action, emilie.last_score) == (
        None,
        "Appeler la famille",
        None,
    )
    assert (leon.escap_state, leon.team_size, leon.next_action) == (EscapState.DRAFT, 0, "")
    assert (zoe.escap_id, zoe.escap_state, zoe.last_score) == (None, None, None)
    assert (zoe.team_size, zoe.next_due_on, zoe.next_action, zoe.unread_messages) == (
        0,
        None,
        "",
        0,
    )


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("dupont", ["DUPONT Émilie"]),
        ("leroy", ["DUPONT Émilie"]),
        ("EMILIE", ["DUPONT Émilie"]),
        ("ber ali", ["BERNARD Alice"]),
        ("etienne", ["ÉTIENNE Zoé"]),
        ("2480175112", ["BERNARD Alice"]),
        ("12/03/1950", ["DUPONT Émilie"]),
        ("l", ["BERNARD Alice", "CHARLES Léon", "DUPONT Émilie"]),
        ("100%", []),
        ("   ", ["BERNARD Alice", "CHARLES Léon", "DUPONT Émilie", "ÉTIENNE Zoé"]),
    ],
)
def test_search_ignores_case_and_accents(
    store: Store, practice: Practice, search: str, expected: list[str]
) -> None:
    assert [row.display_name for row in _list(store, search)] == expected


def test_filter_on_escap_states(store: Store, practice: Practice) -> None:
    assert [r.display_name for r in _list(store, states={EscapState.ACTIVE})] == ["BERNARD Alice"]
    both = {EscapState.ACTIVE, EscapState.DRAFT}
    assert [r.display_name for r in _list(store, states=both)] == ["BERNARD Alice", "CHARLES Léon"]
    assert _list(store, states=set()) == []
    assert [r.display_name for r in _list(store, "ali", states=both)] == ["BERNARD Alice"]


def test_reading_a_message_lowers_the_unread_count(store: Store, practice: Practice) -> None:
    with store.unit_of_work(ME) as uow:
        for message in uow.find(Message, escap_id=practice.alice_now.id):
            uow.put(Message(**{**_fields(message), "read_by": message.read_by | {ME}}))
    assert _list(store)[0].unread_messages == 0


def test_without_a_local_profile_nothing_counts_as_unread(store: Store) -> None:
    built = Practice()
    with store.unit_of_work(ME) as uow:
        built.write(uow)
    assert [row.unread_messages for row in _list(store)] == [0, 0, 0, 0]


def _fields(message: Message) -> dict[str, object]:
    return {name: getattr(message, name) for name in Message.__dataclass_fields__}


def _stored_figures(store: Store) -> list[tuple[object, ...]]:
    with store.unit_of_work(None) as uow:
        rows = uow.session.execute(select(PatientListRow.__table__).order_by("patient_id"))
        return [tuple(row) for row in rows]


def _fresh_figures(store: Store) -> list[tuple[object, ...]]:
    with store.unit_of_work(None) as uow:
        profile = uow.local_profile()
        statement = patient_list.figures_statement(profile.professional_id if profile else None)
        return sorted(tuple(row) for row in uow.session.execute(statement))


def test_stored_figures_follow_every_kind_of_change(store: Store, practice: Practice) -> None:
    assert _stored_figures(store) == _fresh_figures(store)
    with store.unit_of_work(ME) as uow:
        new_episode = _escap(practice.emilie, EscapState.ACTIVE, episode=2)
        uow.put(new_episode)  # Émilie's current ESCAP changes: all her figures with it
        uow.put(_member(new_episode, ME, MembershipStatus.ACCEPTED))
        uow.put(_message(new_episode, NURSE, set()))
        # Visible to the list before the unit of work even ends.
        emilie = next(r for r in uow.patient_summaries() if r.patient_id == practice.emilie.id)
        assert (emilie.escap_id, emilie.team_size, emilie.unread_messages) == (
            new_episode.id,
            1,
            1,
        )
        for action in uow.find(Action, escap_id=practice.alice_now.id):
            uow.delete(Action, action.id)
        uow.delete(Patient, practice.zoe.id)
    assert _stored_figures(store) == _fresh_figures(store)
    rows = {row.display_name: row for row in _list(store)}
    assert "ÉTIENNE Zoé" not in rows
    assert (rows["BERNARD Alice"].next_action, rows["BERNARD Alice"].next_due_on) == ("", None)


def test_another_local_professional_sees_their_own_unread_count(
    store: Store, practice: Practice
) -> None:
    with store.unit_of_work(NURSE) as uow:
        uow.put(LocalProfile(professional_id=NURSE))
    unread = {row.display_name: row.unread_messages for row in _list(store)}
    # In Alice's thread the nurse has not read my message nor the physio's.
    assert unread == {"BERNARD Alice": 2, "CHARLES Léon": 0, "DUPONT Émilie": 0, "ÉTIENNE Zoé": 0}
    assert _stored_figures(store) == _fresh_figures(store)


def test_a_rolled_back_unit_of_work_leaves_the_figures_as_they_were(
    store: Store, practice: Practice
) -> None:
    before = _stored_figures(store)

    def fail_after_changes() -> None:
        with store.unit_of_work(ME) as uow:
            uow.put(_action(practice.leon_now, "Vaccin", date(2025, 6, 1), ActionStatus.TODO))
            uow.patient_summaries()  # figures refreshed inside the transaction...
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail_after_changes()
    assert _stored_figures(store) == before  # ...and rolled back with it


def test_figures_are_rebuilt_when_their_version_changes(store: Store, key: bytes) -> None:
    built = Practice()
    with store.unit_of_work(ME) as uow:
        uow.put(LocalProfile(professional_id=ME))
        built.write(uow)
    with store.unit_of_work(ME) as uow:
        uow.session.execute(delete(PatientListRow))
        uow.session.connection().exec_driver_sql("PRAGMA user_version = 0")
    store.close()
    with Store.open(store.path, key) as reopened:
        assert _stored_figures(reopened) == _fresh_figures(reopened)
        assert len(_stored_figures(reopened)) == 4


def test_search_keys_are_refolded_when_the_list_version_changes(store: Store, key: bytes) -> None:
    with store.unit_of_work(ME) as uow:
        uow.put(LocalProfile(professional_id=ME))
        uow.put(
            Patient(
                birth_name="Œuvrard",
                first_names="Léa",
                birth_date=date(1948, 3, 5),
                sex=Sex.FEMALE,
            )
        )
    with store.unit_of_work(ME) as uow:
        # As an earlier version folded it: the ligature kept, so "oeuvrard" found nothing.
        uow.session.connection().exec_driver_sql(
            "UPDATE patient SET search_key = 'œuvrard lea', sort_key = 'œuvrard lea'"
        )
        uow.session.connection().exec_driver_sql("PRAGMA user_version = 2")
        assert uow.patient_summaries(search="oeuvrard") == []
    store.close()
    with Store.open(store.path, key) as reopened, reopened.unit_of_work(ME) as uow:
        [row] = uow.patient_summaries(search="oeuvrard")
        assert row.display_name == "ŒUVRARD Léa"
