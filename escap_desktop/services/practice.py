"""The composition root: opens the store and builds each service once per session.

``Practice`` only holds the services; windows and commands take the one or two they need in
their constructor, never the whole practice (no object everyone reaches into).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import keyring

from escap_desktop.core.clock import Clock
from escap_desktop.core.rules.billing import BillingConfig, load_billing_config
from escap_desktop.core.rules.grid import GridCatalog, bundled_grids_dir
from escap_desktop.services.audit import AuditService
from escap_desktop.services.billing import BillingService
from escap_desktop.services.dashboard import DashboardService
from escap_desktop.services.documents import DocumentService
from escap_desktop.services.escaps import EscapService
from escap_desktop.services.events import EventService
from escap_desktop.services.exports import ExportService
from escap_desktop.services.forget import ForgetService
from escap_desktop.services.form_checks import FormChecks
from escap_desktop.services.messages import MessageService
from escap_desktop.services.mssante import MssanteService
from escap_desktop.services.mssante_replies import MssanteReplyService
from escap_desktop.services.patient_import import PatientImportService
from escap_desktop.services.patient_merges import PatientMergeService
from escap_desktop.services.patients import PatientService
from escap_desktop.services.plan import PlanService
from escap_desktop.services.professionals import ProfessionalService
from escap_desktop.services.profile import ProfileService
from escap_desktop.services.scans import ScanService
from escap_desktop.services.store_protection import StoreProtectionService, leave_untrusted_keyring
from escap_desktop.services.sync import SyncService
from escap_desktop.store import Store, open_store
from escap_desktop.store.keys import InsecureKeyringError
from escap_desktop.store.trusted_keyring import refusal


@dataclass
class Practice:
    """The services of one open store, sharing the same actor (the local professional)."""

    data_dir: Path
    store: Store
    profile: ProfileService
    professionals: ProfessionalService
    patients: PatientService
    patient_merges: PatientMergeService
    patient_import: PatientImportService
    escaps: EscapService
    plan: PlanService
    messages: MessageService
    mssante: MssanteService
    mssante_replies: MssanteReplyService
    events: EventService
    billing: BillingService
    documents: DocumentService
    exports: ExportService
    dashboard: DashboardService
    sync: SyncService
    audit: AuditService
    scans: ScanService
    forget: ForgetService
    form_checks: FormChecks
    protection: StoreProtectionService

    @property
    def clock(self) -> Clock:
        """The practice's one clock (the store's), for screens that date what they propose."""
        return self.store.clock

    def close(self) -> None:
        self.store.close()


def build_practice(
    store: Store,
    data_dir: Path,
    *,
    grids: GridCatalog | None = None,
    billing_config: BillingConfig | None = None,
) -> Practice:
    """Wires the services over an open store; the actor follows the saved profile."""
    holder: list[str | None] = [None]

    def actor() -> str | None:
        if holder[0] is None:
            with store.unit_of_work(None) as uow:
                profile = uow.local_profile()
            holder[0] = profile.professional_id if profile else None
        return holder[0]

    grids = grids or load_grid_catalog(data_dir)
    config = billing_config or load_billing_config()

    def forget_actor() -> None:
        holder[0] = None

    profile = ProfileService(store, actor, on_saved=forget_actor)
    billing = BillingService(store, actor, config)
    escaps = EscapService(store, actor, grids)
    sync = SyncService(store, actor, escaps=escaps)
    return Practice(
        data_dir=data_dir,
        store=store,
        profile=profile,
        professionals=ProfessionalService(store, actor),
        patients=PatientService(store, actor),
        patient_merges=PatientMergeService(store, actor),
        patient_import=PatientImportService(store, actor, Path(data_dir)),
        escaps=escaps,
        plan=PlanService(store, actor),
        messages=MessageService(store, actor),
        # the mailbox of the profile, read at each sending (the settings dialog may change it)
        mssante=MssanteService(
            store,
            actor,
            profile.mail_settings,
            password_for=profile.mail_password,
            templates_dir=Path(data_dir) / "modeles",
            fingerprint_provider=sync.fingerprint,  # printed on the invitation letter
        ),
        # the replies, read from the same mailbox's IMAP server when the settings name one
        mssante_replies=MssanteReplyService(store, actor, profile.reply_reader),
        events=EventService(store, actor),
        billing=billing,
        documents=DocumentService(
            store,
            actor,
            grids,
            fingerprint_provider=sync.fingerprint,
            templates_dir=Path(data_dir) / "modeles",
        ),
        exports=ExportService(store, actor, grids, data_dir),
        dashboard=DashboardService(store, actor, grids, billing),
        sync=sync,
        audit=AuditService(store, actor, templates_dir=Path(data_dir) / "modeles"),
        scans=ScanService(store, actor, Path(data_dir)),
        forget=ForgetService(store, Path(data_dir)),
        form_checks=FormChecks(store.clock),
        protection=StoreProtectionService(store, actor, on_passphrase_changed=sync.unlock),
    )


def open_practice(
    data_dir: Path, passphrase: str | None = None, *, clock: Clock | None = None
) -> Practice:
    """Opens (or creates) the store of ``data_dir`` and builds the services over it.

    ``clock`` is the one every service, screen and the sync engine will read (``Store.clock``).
    """
    try:
        store = open_store(data_dir, passphrase, clock=clock)
    except InsecureKeyringError:
        if passphrase is None:
            raise  # the caller asks for a new passphrase, then calls again with it
        store = leave_untrusted_keyring(data_dir, passphrase, clock=clock)
    return build_practice(store, Path(data_dir))


def keyring_verdict() -> str:
    """What this computer's keyring can do for the store key, in French (``--self-check``)."""
    backend = keyring.get_keyring()
    reason = refusal(backend)
    if reason is None:
        return f"accepté ({type(backend).__name__}), la clé du coffre peut y être gardée."
    return f"refusé. {reason}"


def load_grid_catalog(data_dir: Path) -> GridCatalog:
    """The bundled grids plus any site grid files dropped in ``<data dir>/grilles``."""
    return GridCatalog.load(folders=(bundled_grids_dir(), Path(data_dir) / "grilles"))
