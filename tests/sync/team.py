"""Three professionals on three real stores, and a relay, for the sync tests.

A GP (médecin traitant), a nurse and a physio each have their own SQLCipher store in the test's
folder, a profile made with the use cases (services), and a SyncService talking to one relay (in
process through ASGI, or a real uvicorn process on 127.0.0.1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI
from sqlalchemy import inspect, select, text

from escap_desktop.core.clock import Clock
from escap_desktop.core.entities import (
    Action,
    BillingRecord,
    ClinicalSituation,
    Consent,
    Escap,
    Event,
    GridAssessment,
    IdentifierKind,
    Membership,
    Message,
    Patient,
    Profession,
    Professional,
    Sex,
)
from escap_desktop.services.practice import Practice, build_practice
from escap_desktop.services.sync import SyncReport, SyncService
from escap_desktop.store import open_store
from escap_desktop.store.sync_repository import SyncRepository
from escap_desktop.sync.codec import entity_to_dict
from escap_desktop.sync.identity_map import IdentityMap
from escap_desktop.sync.merge import shared_fields
from escap_desktop.sync.wire import Envelope
from escap_relay.schema import envelopes
from tests.support.nir import make_nir
from tests.support.steps import run

GP_RPPS, NURSE_RPPS, PHYSIO_RPPS, DIETITIAN_RPPS = (
    "10000000001",
    "10000000002",
    "10000000003",
    "10000000004",
)

T = TypeVar("T")


def no_sleep(_seconds: float) -> None:
    """Back-off waits are counted, never slept, in tests."""


def professional(last: str, first: str, profession: Profession, rpps: str) -> Professional:
    return Professional(
        last_name=last,
        first_name=first,
        profession=profession,
        identifier_kind=IdentifierKind.RPPS,
        identifier=rpps,
        town="Lyon",
    )


PEOPLE = {
    "gp": ("Lefèvre", "Claire", Profession.MEDECIN, GP_RPPS),
    "nurse": ("Bréhat", "Anaïs", Profession.INFIRMIER, NURSE_RPPS),
    "physio": ("N'Diaye", "Loïc", Profession.MASSEUR_KINESITHERAPEUTE, PHYSIO_RPPS),
    "dietitian": ("Ménard", "Joël", Profession.DIETETICIEN, DIETITIAN_RPPS),
}


@dataclass
class Member:
    name: str
    folder: Path
    practice: Practice
    sync: SyncService
    me: Professional
    reports: list[SyncReport] = field(default_factory=list)
    peers: list[Member] = field(default_factory=list)
    """The test's other installations (the factory's list), where the letters' codes are."""

    def cycle(self) -> SyncReport:
        report = run(self.sync.sync_once())
        self.reports.append(report)
        return report

    def colleague(self, key: str) -> Professional:
        """Adds a colleague from the "directory" (same RPPS as their own profile)."""
        return self.practice.professionals.add(professional(*PEOPLE[key]))

    def repo_call(self, function: Callable[[SyncRepository], T]) -> T:
        with self.practice.store.unit_of_work(self.me.id) as uow:
            return function(SyncRepository(uow.session, uow.clock))


def make_member(
    name: str,
    root: Path,
    relay_url: str,
    transport: httpx.BaseTransport | None,
    *,
    clock: Clock,
    **sync_options: Any,
) -> Member:
    """A colleague's own installation; every member of a test shares the test's clock."""
    folder = root / name
    folder.mkdir()
    store = open_store(folder, clock=clock)
    practice = build_practice(store, folder)
    me = practice.profile.save(professional(*PEOPLE[name]))

    def actor() -> str | None:
        return me.id

    sync = SyncService(
        store,
        actor,
        escaps=practice.escaps,
        transport=transport,
        sleep=no_sleep,
        **sync_options,
    )
    practice.sync = sync
    sync.set_up(relay_url)
    member = Member(name, folder, practice, sync, me)
    _CREATED.append(member)
    return member


def reopen_member(member: Member, transport: httpx.BaseTransport | None, *, clock: Clock) -> Member:
    """The same installation opened again, after ``member.practice`` was closed (``escap``
    ran on its folder meanwhile): its relay and device keys are in its store already."""
    store = open_store(member.folder, clock=clock)
    practice = build_practice(store, member.folder)
    me = member.me
    sync = SyncService(
        store, lambda: me.id, escaps=practice.escaps, transport=transport, sleep=no_sleep
    )
    practice.sync = sync
    return Member(member.name, member.folder, practice, sync, me, peers=member.peers)


_CREATED: list[Member] = []
"""Every installation the tests made, newest last: where a letter's code may be looked up when
a test built its members without the factory."""


DEMO_PATIENT = ("D'Almeida-Lefèvre", "Zoë Marie-Thérèse", date(1940, 3, 12))


def start_escap(gp: Member, colleagues: list[str]) -> tuple[Patient, Escap]:
    """The GP includes a patient (consent signed) and invites self and the colleagues."""
    patient, escap = include_patient(gp, medecin_traitant_id=gp.me.id)
    escaps = gp.practice.escaps
    escaps.invite(escap.id, gp.me.id, "Médecin traitant")
    roles = {"nurse": "Soins infirmiers", "physio": "Rééducation", "dietitian": "Nutrition"}
    for key in colleagues:
        escaps.invite(escap.id, gp.colleague(key).id, roles[key])
    return patient, escaps.get(escap.id)


def include_patient(creator: Member, *, medecin_traitant_id: str) -> tuple[Patient, Escap]:
    """``creator`` records the demo patient, assesses her (eligible) and records her signed
    consent: the ESCAP is ready for invitations."""
    birth_name, first_names, birth = DEMO_PATIENT
    patient = creator.practice.patients.create(
        Patient(
            birth_name=birth_name,
            first_names=first_names,
            birth_date=birth,
            sex=Sex.FEMALE,
            birth_place_code="69123",
            ins=make_nir(Sex.FEMALE, birth),
            medecin_traitant_id=medecin_traitant_id,
            address="12 rue de la République, 69002 Lyon",
        )
    )
    escaps = creator.practice.escaps
    escap = escaps.start(patient.id)
    ids = escaps.current_grid().item_ids
    escaps.assess(
        escap.id,
        {item: index < 14 for index, item in enumerate(ids)},
        ClinicalSituation(chronic_conditions=3),
    )
    escaps.prepare_consent(escap.id)
    escaps.record_consent_signed(
        escap.id, signed_on=creator.practice.clock.today(), signatory="Zoë D'Almeida"
    )
    return patient, escaps.get(escap.id)


def code_on_letter(member: Member, invitation_id: str) -> str:
    """The invitation's one-time code as the invitee reads it on the printed letter: the
    membership's code, in the inviter's store (it never travels in the invitation)."""
    row = member.repo_call(lambda repo: repo.invitation(invitation_id))
    assert row is not None
    for peer in member.peers or reversed(_CREATED):
        if peer is member:
            continue
        try:
            with peer.practice.store.unit_of_work(peer.me.id) as uow:
                found = [
                    m for m in uow.find(Membership) if m.id == row.membership_id and m.join_code
                ]
        except Exception:  # an installation of an earlier test, closed since
            continue
        if found:
            return found[0].join_code
    raise AssertionError("aucune lettre d'invitation pour cette invitation")


def accept_all(member: Member) -> int:
    invitations = member.sync.pending_invitations()
    for invitation in invitations:
        code = code_on_letter(member, invitation.invitation_id)
        member.sync.accept_invitation(invitation.invitation_id, code)
    return len(invitations)


ESCAP_SCOPED = (Consent, GridAssessment, Membership, Action, Message, Event, BillingRecord)


def canonical_dump(member: Member, escap_id: str) -> dict[str, Any]:
    """Everything of one ESCAP as the team shares it (wire ids, no local-only fields)."""
    with member.practice.store.unit_of_work(member.me.id) as uow:
        identities = IdentityMap(uow.find(Professional))
        escap = uow.get(Escap, escap_id)
        entities: list[Any] = [escap, uow.get(Patient, escap.patient_id)]
        for entity_type in ESCAP_SCOPED:
            entities.extend(uow.find(entity_type, escap_id=escap_id))
        dump: dict[str, Any] = {}
        for entity in entities:
            name = type(entity).__name__
            wire = identities.entity_to_wire(name, shared_fields(name, entity_to_dict(entity)))
            dump[f"{name}:{wire['id']}"] = wire
        return dump


def escap_of(member: Member, team_id: str) -> Escap:
    with member.practice.store.unit_of_work(member.me.id) as uow:
        found = [e for e in uow.find(Escap) if e.team_id == team_id]
    assert len(found) == 1, found
    return found[0]


def active_team(
    make: Callable[..., Member],
    *extra: str,
    before: Callable[[Member, Member, Member], object] | None = None,
) -> tuple[Member, Member, Member, Escap]:
    """GP, nurse and physio in an active ESCAP, every store up to date; ``before`` is what
    happens on their computers before the GP includes the patient."""
    gp, nurse, physio = make("gp"), make("nurse"), make("physio")
    if before is not None:
        before(gp, nurse, physio)
    nurse.cycle()
    physio.cycle()
    _patient, escap = start_escap(gp, ["nurse", "physio"])
    gp.cycle()
    for member in (nurse, physio):
        member.cycle()
        accept_all(member)
        member.cycle()  # the answer, with the proof of the letter's code
    gp.cycle()  # the GP's computer checks each proof, then confirms and seals the keys
    for member in (nurse, physio):
        member.cycle()  # keys and history come; the acceptance is recorded
    gp.cycle()
    gp.practice.escaps.activate(escap.id)
    for member in (gp, nurse, physio):
        member.cycle()
    return gp, nurse, physio, escap


def relay_envelopes(app: FastAPI, team_id: str) -> list[Envelope]:
    """The envelopes the relay stores for a team, in order (what any copy of them would be)."""
    with app.state.relay.engine.connect() as connection:
        rows = connection.execute(
            select(envelopes.c.body).where(envelopes.c.team_id == team_id).order_by(envelopes.c.seq)
        ).all()
    return [Envelope.from_json(bytes(row.body)) for row in rows]


def relay_contents(app: FastAPI) -> str:
    """Every value of every table of the relay's database, as text (bytes decoded leniently)."""
    parts: list[str] = []
    engine = app.state.relay.engine
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        parts.append(bytes(value).decode("utf-8", errors="ignore"))
                    else:
                        parts.append(str(value))
    return "\n".join(parts)
