"""MSSanté tests: a real practice on a SQLCipher file whose raw key the test keeps (so a
subprocess can reopen it), a team whose médecin traitant has only MSSanté, and a real local SMTP
submission server with STARTTLS, AUTH and a certificate from an authority the test trusts."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.entities import (
    ClinicalSituation,
    DataCategory,
    IdentifierKind,
    Patient,
    Profession,
    Professional,
    ProfessionalSource,
    Sex,
)
from escap_desktop.mail.credentials import save_password
from escap_desktop.mail.settings import MailSettings, TlsMode
from escap_desktop.services.practice import Practice, build_practice
from escap_desktop.store import Store, store_path
from escap_desktop.store.keys import new_key
from tests.mail.certificates import CertificateFiles, make_certificates
from tests.mail.smtp_server import LOGIN, PASSWORD, MailServer, running_server
from tests.support.nir import make_nir

SENDER = LOGIN
GP_ADDRESS = "etienne.lefevre@medecin.mssante.fr"
SOCIAL_WORKER_ADDRESS = "helene.guerin@ccas.mssante.fr"


def professional(
    last: str, first: str, profession: Profession, rpps: str, mssante: str = ""
) -> Professional:
    return Professional(
        last_name=last,
        first_name=first,
        profession=profession,
        identifier_kind=IdentifierKind.RPPS if rpps else IdentifierKind.NONE,
        identifier=rpps,
        town="Saint-Étienne",
        mssante=mssante,
        source=ProfessionalSource.DIRECTORY if rpps else ProfessionalSource.MANUAL,
    )


NURSE = professional("N'Diaye", "Awa", Profession.INFIRMIER, "10007654321", SENDER)
GP = professional("Lefèvre", "Étienne", Profession.MEDECIN, "10001234567", GP_ADDRESS)
PHYSIO = professional("Dupont-Moretti", "Jean", Profession.MASSEUR_KINESITHERAPEUTE, "10001112223")
SOCIAL_WORKER = professional(
    "Guérin", "Hélène", Profession.ASSISTANT_SERVICE_SOCIAL, "", SOCIAL_WORKER_ADDRESS
)

MEDICAL_ACTION = "Pansement de l'ulcère de jambe, à domicile"
SOCIAL_ACTION = "Dossier d'allocation personnalisée d'autonomie (APA)"


@pytest.fixture(autouse=True)
def _aiosmtpd_warnings() -> Iterator[None]:
    """aiosmtpd warns about itself in its server thread (a deprecated attribute it sets, and
    AUTH without STARTTLS when the whole connection is TLS): not the application's concern."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="Session.login_data is deprecated", category=DeprecationWarning
        )
        warnings.filterwarnings(
            "ignore", message="Requiring AUTH while not requiring TLS", category=UserWarning
        )
        yield


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> CertificateFiles:
    return make_certificates(tmp_path_factory.mktemp("certificats"))


@pytest.fixture
def smtp_server(certificates: CertificateFiles) -> Iterator[MailServer]:
    with running_server(certificates) as server:
        yield server


def mail_settings(
    server_port: int, certificates: CertificateFiles, **changes: object
) -> MailSettings:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": server_port,
        "tls": TlsMode.STARTTLS,
        "sender": SENDER,
        "sender_name": "Awa N'DIAYE",
        "login": LOGIN,
        "ca_file": certificates.ca_file,
        "timeout": 10.0,
    }
    values.update(changes)
    return MailSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(smtp_server: MailServer, certificates: CertificateFiles) -> MailSettings:
    chosen = mail_settings(smtp_server.port, certificates)
    save_password(chosen, PASSWORD)
    return chosen


@dataclass
class MailPractice:
    practice: Practice
    data_dir: Path
    key: bytes


@pytest.fixture
def mail_practice(tmp_path: Path, clock: FrozenClock) -> Iterator[MailPractice]:
    """The nurse's practice, on a store opened with a raw key the test keeps."""
    data_dir = tmp_path / "donnees"
    data_dir.mkdir()
    key = new_key()
    store = Store.open(store_path(data_dir), key, clock=clock)
    practice = build_practice(store, data_dir)
    practice.profile.save(NURSE)
    yield MailPractice(practice, data_dir, key)
    practice.close()


@dataclass(frozen=True)
class Team:
    patient_id: str
    escap_id: str
    nurse_id: str
    gp_id: str
    physio_id: str
    social_worker_id: str


def build_team(
    practice: Practice,
    *,
    qualified: bool = True,
    scopes: frozenset[DataCategory] = frozenset(DataCategory),
    designated: bool = False,
) -> Team:
    """A patient with accents in her names, her médecin traitant (only MSSanté), a physio and
    a social worker invited, one medical and one social action (as the scopes allow).
    ``designated``: the consent names these four professionals (else it names nobody)."""
    birth = date(1940, 3, 12)
    patient = practice.patients.create(
        Patient(
            birth_name="D'Almeida",
            first_names="Zoë Marie-Thérèse",
            birth_date=birth,
            sex=Sex.FEMALE,
            birth_place_code="69123",
            ins=make_nir(Sex.FEMALE, birth),
        )
    )
    if qualified:
        practice.patients.qualify_identity(patient.id, "carte_identite")
    escap = practice.escaps.start(patient.id)
    items = practice.escaps.current_grid().items
    practice.escaps.assess(
        escap.id,
        {item.id: index < 14 for index, item in enumerate(items)},
        ClinicalSituation(chronic_conditions=3),
    )
    me = practice.profile.current()
    assert me is not None
    gp = practice.professionals.add(GP)
    physio = practice.professionals.add(PHYSIO)
    social_worker = practice.professionals.add(SOCIAL_WORKER)
    named = (me[1].id, gp.id, physio.id, social_worker.id) if designated else ()
    practice.escaps.prepare_consent(escap.id, scopes=scopes, recipient_ids=named)
    practice.escaps.record_consent_signed(escap.id, signed_on=practice.clock.today())
    practice.patients.set_medecin_traitant(patient.id, gp.id)
    practice.escaps.invite(escap.id, me[1].id, "Infirmière coordinatrice")
    practice.escaps.invite(escap.id, gp.id, "Médecin traitant")
    practice.escaps.invite(escap.id, physio.id, "Rééducation à la marche")
    practice.escaps.invite(escap.id, social_worker.id, "Accès aux droits")
    if DataCategory.MEDICAL in scopes:
        practice.plan.add(escap.id, MEDICAL_ACTION, responsible_id=me[1].id)
    if DataCategory.SOCIAL in scopes:
        practice.plan.add(
            escap.id, SOCIAL_ACTION, responsible_id=social_worker.id, category=DataCategory.SOCIAL
        )
    return Team(patient.id, escap.id, me[1].id, gp.id, physio.id, social_worker.id)


@pytest.fixture
def team(mail_practice: MailPractice) -> Team:
    return build_team(mail_practice.practice)
