"""A realistic synthetic practice, for the first launch, the screenshots, tests and benchmarks.

The demo goes through the same rules as real use (identity checks, grid scoring, lifecycle
transitions, team and billing rules), so a demo store is a store the app could have produced.
Writes are batched (thousands of patients per transaction, ``BATCH``) so that ``escap demo
--patients 10000`` finishes in seconds; generation yields progress for the GUI and the CLI.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from stdnum.fr import nir as stdnum_nir

from escap_desktop.core.clock import paris_instant
from escap_desktop.core.entities import (
    Action,
    ActionStatus,
    BillingKind,
    BillingRecord,
    Caregiver,
    ClinicalSituation,
    Consent,
    ConsentStatus,
    Escap,
    EscapState,
    Event,
    EventKind,
    ExitReason,
    GridAssessment,
    IdentifierKind,
    IdentityStatus,
    LocalProfile,
    Membership,
    MembershipStatus,
    Message,
    OtherScheme,
    OtherSchemeKind,
    Patient,
    Profession,
    Professional,
    ProfessionalSource,
    Sex,
)
from escap_desktop.core.rules import billing, eligibility, lifecycle
from escap_desktop.core.rules.billing import BillingConfig
from escap_desktop.core.rules.grid import Grid
from escap_desktop.services import demo_data as data
from escap_desktop.store import Store

BATCH = 2500
"""Patients per unit of work: a commit writes every page the batch changed (encrypted), and the
records' random ids spread them over the whole file, so fewer, larger commits write far fewer
pages (10,000 patients: 13 s in batches of 250, under 9 s in batches of 2,500)."""
EXPERIMENT_START = date(2025, 3, 31)


@dataclass(frozen=True, slots=True)
class DemoProgress:
    done: int
    total: int
    message: str


# The share of patients in each situation; the rest have no ESCAP yet.
_STATE_WEIGHTS: tuple[tuple[EscapState | None, int], ...] = (
    (None, 8),
    (EscapState.DRAFT, 6),
    (EscapState.ASSESSED, 8),
    (EscapState.CONSENTED, 6),
    (EscapState.FORMING, 12),
    (EscapState.ACTIVE, 41),
    (EscapState.INCOMPLETE, 4),
    (EscapState.CLOSED, 15),
)


def generate_demo(
    store: Store,
    grid: Grid,
    billing_config: BillingConfig,
    *,
    patients: int = 200,
    seed: int = 1,
    today: date | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> Iterator[DemoProgress]:
    """Fills an empty store with a demo practice; yields progress after each batch.

    The local profile is a GP, médecin traitant of most patients and member of most teams, so
    every screen (patient list, "Mes ESCAP", billing) has something to show.
    """
    builder = _DemoBuilder(random.Random(seed), grid, billing_config, today or store.clock.today())
    with store.unit_of_work(builder.me.id) as uow:
        uow.put(builder.me)
        uow.put(LocalProfile(professional_id=builder.me.id, device_name="Cabinet (démo)"))
        for professional in builder.colleagues:
            uow.put(professional)
    yield DemoProgress(0, patients, "Professionnels de la démonstration créés")
    done = 0
    while done < patients:
        if cancelled():
            return
        count = min(BATCH, patients - done)
        batch: list[object] = []
        for _ in range(count):
            builder.add_patient(batch)
        with store.unit_of_work(builder.me.id) as uow:
            # Every record of the batch is new (each patient's records are all made in their
            # batch): added without being looked up; each one's patient is its own or its
            # episode's.
            uow.add_many(batch)
        done += count
        yield DemoProgress(done, patients, f"{done} patients sur {patients} créés")


class _DemoBuilder:
    def __init__(self, rng: random.Random, grid: Grid, config: BillingConfig, today: date):
        self.rng = rng
        self.grid = grid
        self.item_ids = list(grid.item_ids)
        self.config = config
        self.today = today
        self.me = self._professional(Profession.MEDECIN, first="Claire", last="Lefèvre-Dubois")
        self.colleagues = [
            *[self._professional(Profession.MEDECIN) for _ in range(6)],
            *[self._professional(Profession.INFIRMIER) for _ in range(10)],
            *[self._professional(Profession.MASSEUR_KINESITHERAPEUTE) for _ in range(5)],
            *[self._professional(Profession.PHARMACIEN) for _ in range(4)],
            *[self._professional(Profession.PEDICURE_PODOLOGUE) for _ in range(3)],
            *[self._professional(Profession.ORTHOPHONISTE) for _ in range(2)],
            *[self._professional(Profession.DIETETICIEN) for _ in range(2)],
            *[self._specialist(*s) for s in data.SPECIALISTS],
            self._professional(Profession.ASSISTANT_SERVICE_SOCIAL, identifier=False),
        ]
        self.gps = [self.me] + [
            p for p in self.colleagues if p.profession is Profession.MEDECIN and not p.specialty
        ]
        self.by_profession: dict[Profession, list[Professional]] = {}
        for professional in self.colleagues:
            self.by_profession.setdefault(professional.profession, []).append(professional)

    # --- people ----------------------------------------------------------------------------

    def _professional(
        self,
        profession: Profession,
        *,
        first: str | None = None,
        last: str | None = None,
        identifier: bool = True,
    ) -> Professional:
        rng = self.rng
        _, postcode, town = rng.choice(data.TOWNS[:12])
        female = rng.random() < 0.6
        first = first or rng.choice(data.FEMALE_FIRST_NAMES if female else data.MALE_FIRST_NAMES)
        last = last or rng.choice(data.LAST_NAMES)
        specialty = data.SPECIALTIES_BY_PROFESSION.get(profession.value, ("",))[0]
        return Professional(
            last_name=last,
            first_name=first,
            profession=profession,
            identifier_kind=IdentifierKind.RPPS if identifier else IdentifierKind.NONE,
            identifier="10" + "".join(rng.choice("0123456789") for _ in range(9))
            if identifier
            else "",
            specialty=specialty,
            address=f"{rng.randint(1, 120)} {rng.choice(data.STREETS)}",
            postcode=postcode,
            town=town,
            phone="0"
            + str(rng.randint(1, 5))
            + "".join(rng.choice("0123456789") for _ in range(8)),
            mssante=f"{_ascii(first)}.{_ascii(last)}@demo.mssante.fr" if identifier else "",
            source=ProfessionalSource.DIRECTORY if identifier else ProfessionalSource.MANUAL,
        )

    def _specialist(self, specialty: str, _title: str) -> Professional:
        return replace(self._professional(Profession.MEDECIN), specialty=specialty)

    def _patient(self) -> Patient:
        rng = self.rng
        sex = Sex.FEMALE if rng.random() < 0.55 else Sex.MALE
        age = rng.choice([rng.randint(45, 65), rng.randint(66, 99), rng.randint(66, 99)])
        birth = self.today - timedelta(days=age * 365 + rng.randint(0, 364))
        birth_place, _, _ = rng.choice(data.TOWNS)
        first_pool = data.FEMALE_FIRST_NAMES if sex is Sex.FEMALE else data.MALE_FIRST_NAMES
        first_names = " ".join(rng.sample(first_pool, k=rng.choice([1, 1, 2, 3])))
        birth_name = rng.choice(data.LAST_NAMES)
        used_name = rng.choice(data.LAST_NAMES) if sex is Sex.FEMALE and rng.random() < 0.4 else ""
        caregivers: tuple[Caregiver, ...] = ()
        if rng.random() < 0.6:
            caregivers = (
                Caregiver(
                    full_name=" ".join(
                        (rng.choice(data.FEMALE_FIRST_NAMES), rng.choice(data.LAST_NAMES))
                    ),
                    relationship=rng.choice(data.CAREGIVER_RELATIONSHIPS),
                    phone="06" + "".join(rng.choice("0123456789") for _ in range(8)),
                ),
            )
        schemes: tuple[OtherScheme, ...] = ()
        if rng.random() < 0.15:
            schemes = (OtherScheme(kind=rng.choice(list(OtherSchemeKind)), since=birth),)
        _, postcode, home_town = rng.choice(data.TOWNS[:12])
        return Patient(
            birth_name=birth_name,
            first_names=first_names,
            birth_date=birth,
            sex=sex,
            birth_place_code=birth_place,
            used_name=used_name,
            ins=_nir(sex, birth, birth_place, rng),
            identity_status=rng.choice(
                [IdentityStatus.PROVISIONAL, IdentityStatus.RETRIEVED, IdentityStatus.RETRIEVED]
            ),
            medecin_traitant_id=(self.me if rng.random() < 0.7 else rng.choice(self.gps)).id,
            phone="0"
            + str(rng.randint(1, 5))
            + "".join(rng.choice("0123456789") for _ in range(8)),
            address=f"{rng.randint(1, 80)} {rng.choice(data.STREETS)}, {postcode} {home_town}",
            caregivers=caregivers,
            other_schemes=schemes,
        )

    # --- one patient and their ESCAP -------------------------------------------------------

    def add_patient(self, batch: list[object]) -> None:
        """Appends a patient and their episode's records, in writing order, to ``batch``."""
        rng = self.rng
        patient = self._patient()
        batch.append(patient)
        target = _weighted(rng, _STATE_WEIGHTS)
        if target is None:
            return
        # One draw of fixed size whatever the date (randint's draws depend on the range), so
        # the same seed gives the same patients, names and states on any day.
        span = (self.today - EXPERIMENT_START).days - 20
        started = self.today - timedelta(days=20 + int(rng.random() * (span + 1)))
        clock = _Clock(started, self.today, rng)
        escap = Escap(patient_id=patient.id, created_by=self.me.id, created_at=clock.now())
        batch.append(escap)
        if target is EscapState.DRAFT:
            return
        eligible = target is not EscapState.CLOSED or rng.random() > 0.2
        assessment = self._assessment(patient, escap, clock.advance(1, 10), eligible)
        batch.append(assessment)
        if not assessment.eligible:
            escap = lifecycle.close(
                escap, ExitReason.NOT_ELIGIBLE, clock.at(), assessment=assessment
            )
            batch.append(escap)
            return
        escap = lifecycle.assess(escap, assessment, clock.at())
        batch.append(escap)
        if target is EscapState.ASSESSED:
            return
        team = self._team(patient)
        consent = Consent(
            escap_id=escap.id,
            patient_id=patient.id,
            collected_by=self.me.id,
            recipient_ids=tuple(p.id for p, _ in team),
            status=ConsentStatus.SIGNED,
            signed_on=clock.advance(1, 8),
            form_reference=f"ESCAP-CF-{rng.randint(0, 0xFFFF):04X}-{rng.randint(0, 0xFFFF):04X}",
            signatory=patient.display_name,
        )
        batch.append(consent)
        escap = lifecycle.record_consent(escap, consent, clock.at())
        batch.append(escap)
        if target is EscapState.CONSENTED:
            return
        memberships = self._invite(batch, escap, team, clock, target)
        escap = lifecycle.invite(escap, consent, clock.at())
        batch.append(escap)
        if target is EscapState.FORMING:
            return
        professionals = {p.id: p for p, _ in team}
        professionals.setdefault(self.me.id, self.me)
        escap = lifecycle.activate(
            escap,
            patient=patient,
            consent=consent,
            memberships=memberships,
            professionals=professionals,
            at=clock.advance_at(2, 15),
        )
        batch.append(escap)
        self._follow_up(batch, escap, team, memberships, clock)
        if target is EscapState.INCOMPLETE:
            self._break_team(batch, escap, patient, consent, memberships, professionals, clock)
        if target is EscapState.CLOSED:
            reason = rng.choice(
                [ExitReason.IMPROVED, ExitReason.DEATH, ExitReason.INSTITUTION, ExitReason.MOVE]
            )
            closed_on = clock.advance(10, 60)
            if reason is ExitReason.DEATH:
                batch.append(Event(escap.id, EventKind.DEATH, closed_on, self.me.id))
            escap = lifecycle.close(escap, reason, clock.at())
            batch.append(escap)
            self._bill(batch, escap, memberships, list(professionals.values()), BillingKind.EXIT)

    def _break_team(
        self,
        batch: list[object],
        escap: Escap,
        patient: Patient,
        consent: Consent,
        memberships: list[Membership],
        professionals: dict[str, Professional],
        clock: _Clock,
    ) -> None:
        """Health members other than the médecin traitant leave until the team breaks the rule:
        the demo shows an « Équipe incomplète » with what to do."""
        left_at = clock.advance_at(3, 20)
        for index, membership in enumerate(memberships):
            professional = professionals[membership.professional_id]
            if (
                membership.status is not MembershipStatus.ACCEPTED
                or membership.professional_id == patient.medecin_traitant_id
                or not professional.profession.is_health_professional
            ):
                continue
            memberships[index] = replace(membership, status=MembershipStatus.LEFT, left_at=left_at)
            batch.append(memberships[index])
            following = lifecycle.follow_team(
                escap,
                patient=patient,
                consent=consent,
                memberships=memberships,
                professionals=professionals,
                at=left_at,
            )
            if following.state is not escap.state:
                batch.append(following)
                return

    def _assessment(
        self, patient: Patient, escap: Escap, on: date, eligible: bool
    ) -> GridAssessment:
        rng = self.rng
        age = patient.age_on(on)
        situation = rng.choice(
            [
                ClinicalSituation(chronic_conditions=rng.randint(2, 6)),
                ClinicalSituation(stroke_discharge_date=on - timedelta(days=rng.randint(5, 300))),
                ClinicalSituation(palliative_care=True),
                ClinicalSituation(diabetes_type=rng.choice([1, 2]), on_insulin=True),
            ]
        )
        if situation.chronic_conditions and age <= 65:
            situation = ClinicalSituation(diabetes_type=2, on_insulin=True)
        points = rng.randint(13, 22) if eligible else rng.randint(6, 12)
        ids = self.item_ids
        ticked = set(rng.sample(ids, k=points))
        answers = {item_id: item_id in ticked for item_id in ids}
        return eligibility.build_assessment(
            self.grid,
            answers,
            situation,
            patient,
            self.me.id,
            on,
            escap.id,
            at_home=rng.random() < 0.5,
            recorded_at=datetime.combine(on, time(10), UTC),
        )

    def _team(self, patient: Patient) -> list[tuple[Professional, str]]:
        """The professionals the patient designates: the médecin traitant and 2 to 5 others."""
        rng = self.rng
        mt = next(p for p in self.gps if p.id == patient.medecin_traitant_id)
        team = [(mt, data.ROLES["medecin"])]
        nurse = rng.choice(self.by_profession[Profession.INFIRMIER])
        team.append((nurse, data.ROLES["infirmier"]))
        others = [
            Profession.MASSEUR_KINESITHERAPEUTE,
            Profession.PHARMACIEN,
            Profession.PEDICURE_PODOLOGUE,
            Profession.ORTHOPHONISTE,
            Profession.DIETETICIEN,
        ]
        for profession in rng.sample(others, k=rng.randint(1, 3)):
            team.append((rng.choice(self.by_profession[profession]), data.ROLES[profession.value]))
        if mt.id != self.me.id and rng.random() < 0.8:
            team.append((self.me, "Médecin : suivi des pathologies chroniques"))
        return team

    def _invite(
        self,
        batch: list[object],
        escap: Escap,
        team: list[tuple[Professional, str]],
        clock: _Clock,
        target: EscapState,
    ) -> list[Membership]:
        rng = self.rng
        memberships = []
        for index, (professional, role) in enumerate(team):
            invited_at = clock.advance_at(0, 2)
            status = MembershipStatus.ACCEPTED
            if target is EscapState.FORMING and index >= 1 and rng.random() < 0.5:
                status = MembershipStatus.INVITED
            elif index >= 3 and rng.random() < 0.1:
                status = MembershipStatus.DECLINED
            membership = Membership(
                escap_id=escap.id,
                professional_id=professional.id,
                invited_by=self.me.id,
                invited_at=invited_at,
                role=role,
                status=status,
                responded_at=None if status is MembershipStatus.INVITED else clock.advance_at(0, 3),
                join_code=f"{rng.randint(0, 0xFFFF):04X}-{rng.randint(0, 0xFFFF):04X}",
            )
            batch.append(membership)
            memberships.append(membership)
        return memberships

    def _follow_up(
        self,
        batch: list[object],
        escap: Escap,
        team: list[tuple[Professional, str]],
        memberships: list[Membership],
        clock: _Clock,
    ) -> None:
        rng = self.rng
        accepted = [m for m in memberships if m.status is MembershipStatus.ACCEPTED]
        by_profession = {p.profession.value: p for p, _ in team}
        for title, profession, recurrence in rng.sample(data.ACTIONS, k=rng.randint(2, 6)):
            responsible = by_profession.get(profession) or rng.choice(team)[0]
            due = clock.peek(5, 60)
            done = due < self.today and rng.random() < 0.6
            batch.append(
                Action(
                    escap_id=escap.id,
                    title=title,
                    created_by=self.me.id,
                    created_at=clock.advance_at(0, 2),
                    responsible_id=responsible.id,
                    due_on=due,
                    recurrence=recurrence,
                    status=ActionStatus.DONE if done else ActionStatus.TODO,
                    completed_on=due if done else None,
                    mt_validated_on=clock.peek(0, 10) if rng.random() < 0.6 else None,
                    mt_received_on=clock.peek(0, 10) if rng.random() < 0.7 else None,
                )
            )
        authors = [m.professional_id for m in accepted]
        for _ in range(rng.randint(1, 6)):
            author = rng.choice(authors)
            read_by = {author} | {a for a in authors if rng.random() < 0.6}
            batch.append(
                Message(
                    escap_id=escap.id,
                    author_id=author,
                    sent_at=clock.advance_at(0, 6),
                    body=rng.choice(data.MESSAGES),
                    read_by=frozenset(read_by),
                )
            )
        for _ in range(rng.choice([0, 0, 1, 2])):
            kind = rng.choice(
                [EventKind.HOSPITALISATION, EventKind.EMERGENCY_VISIT, EventKind.OTHER_SCHEME]
            )
            batch.append(Event(escap.id, kind, clock.advance(1, 20), rng.choice(authors)))
        professionals = [p for p, _ in team]
        self._bill(batch, escap, memberships, professionals, BillingKind.ENTRY)

    def _bill(
        self,
        batch: list[object],
        escap: Escap,
        memberships: list[Membership],
        professionals: list[Professional],
        kind: BillingKind,
    ) -> None:
        """Most members bill the code; some forget (the reminder then has something to say)."""
        records: list[BillingRecord] = []
        moment = escap.activated_at if kind is BillingKind.ENTRY else escap.closed_at
        assert moment is not None, "billing follows activation or closure"
        for professional in professionals:
            if not professional.profession.is_health_professional or self.rng.random() < 0.25:
                continue
            billed_on = min(moment.date() + timedelta(days=self.rng.randint(0, 10)), self.today)
            try:
                record = billing.new_billing_record(
                    escap,
                    kind,
                    professional,
                    memberships,
                    records,
                    self.config,
                    billed_on=billed_on,
                    today=self.today,
                )
            except billing.BillingError:
                continue
            records.append(record)
            batch.append(record)


class _Clock:
    """Moves forward through an episode's life, never past today."""

    def __init__(self, start: date, today: date, rng: random.Random) -> None:
        self.day = start
        self.today = today
        self.rng = rng
        self.seconds = 8 * 3600
        self._midnight = (start, paris_instant(start, 0))

    def now(self) -> datetime:
        self.seconds += self.rng.randint(60, 3600)
        day, midnight = self._midnight
        if day != self.day:  # the Paris midnight of the day, computed once per day
            midnight = paris_instant(self.day, 0)
            self._midnight = (self.day, midnight)
        return midnight + timedelta(seconds=min(self.seconds, 86_000))

    def at(self) -> datetime:
        return self.now()

    def advance(self, low: int, high: int) -> date:
        self.day = min(self.day + timedelta(days=self.rng.randint(low, high)), self.today)
        self.seconds = 8 * 3600
        return self.day

    def advance_at(self, low: int, high: int) -> datetime:
        self.advance(low, high)
        return self.now()

    def peek(self, low: int, high: int) -> date:
        return self.day + timedelta(days=self.rng.randint(low, high))


def _weighted(
    rng: random.Random, weights: tuple[tuple[EscapState | None, int], ...]
) -> EscapState | None:
    return rng.choices([w[0] for w in weights], [w[1] for w in weights])[0]


def _nir(sex: Sex, birth: date, place: str, rng: random.Random) -> str:
    """A valid NIR consistent with sex, birth year/month and place (key computed by stdnum)."""
    department, commune = (
        (place[:3], place[3:]) if place.startswith("97") else (place[:2], place[2:])
    )
    order = f"{rng.randint(1, 999):03d}"
    body = f"{1 if sex is Sex.MALE else 2}{birth.year % 100:02d}{birth.month:02d}"
    body += f"{department}{commune}{order}"
    return body + stdnum_nir.calc_check_digits(body)


def _ascii(text: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum() or c == "-")
