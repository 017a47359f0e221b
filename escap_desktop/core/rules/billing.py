"""Billing of the ESCAP tracer codes: the configuration file, who may bill, and the payment status.

The code values and amounts live in ``resources/billing.toml`` (placeholders until the official
ones are published), never in Python, so a site can configure the official codes without a new
release. The rules decided for billing are explained in ``docs/billing.md``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, tzinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from escap_desktop.core.clock import paris_date
from escap_desktop.core.entities import (
    BillingKind,
    BillingRecord,
    Escap,
    EscapState,
    Membership,
    MembershipStatus,
    Professional,
)
from escap_desktop.core.errors import EscapError
from escap_desktop.core.rules.periods import (
    active_membership_span,
    membership_span,
    was_accepted,
)

_RESOURCES_ENV = "ESCAP_RESOURCES_DIR"
_CONFIG_NAME = "billing.toml"
_SUPPORTED_VERSION = 1
_CENT = Decimal("0.01")
_MAX_AMOUNT = Decimal(1_000_000)
_CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,15}$")


class BillingConfigError(EscapError):
    """The billing file cannot be used; ``problems`` lists every fault found, in French."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class BillingError(EscapError):
    """A tracer code that may not be billed now (wrong state, not a member, already billed)."""


@dataclass(frozen=True, slots=True)
class Allowance:
    """A yearly flat-rate allowance earned once a professional counts ``min_escaps`` ESCAP."""

    key: str
    label: str
    amount: Decimal
    min_escaps: int


@dataclass(frozen=True, slots=True)
class BillingConfig:
    """The billing settings read from ``billing.toml``."""

    entry_code: str
    exit_code: str
    codes_are_placeholders: bool
    min_billing_professionals: int
    tool_allowance: Allowance
    involvement_allowance: Allowance
    source: str = ""

    def code_for(self, kind: BillingKind) -> str:
        return self.entry_code if kind is BillingKind.ENTRY else self.exit_code

    def code_label(self, kind: BillingKind) -> str:
        """The code as shown to the user, flagged while it is still a placeholder."""
        code = self.code_for(kind)
        return f"{code} (code provisoire)" if self.codes_are_placeholders else code


# --- configuration ----------------------------------------------------------------------------


def default_billing_config_path() -> Path:
    """``resources/billing.toml`` next to the package (``$ESCAP_RESOURCES_DIR`` overrides it)."""
    override = os.environ.get(_RESOURCES_ENV)
    folder = Path(override) if override else Path(__file__).resolve().parents[3] / "resources"
    return folder / _CONFIG_NAME


def load_billing_config(path: str | os.PathLike[str] | None = None) -> BillingConfig:
    """Reads and checks the billing file; the bundled one when ``path`` is None."""
    file = Path(path) if path is not None else default_billing_config_path()
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BillingConfigError(f"Le fichier de facturation est introuvable : {file}.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BillingConfigError(
            f"Le fichier de facturation {file} ne peut pas être lu ({error})."
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise BillingConfigError(
            f"Le fichier de facturation {file} n'est pas un fichier TOML valide : {error}.",
            [str(error)],
        ) from None
    return parse_billing_config(data, source=str(file))


def parse_billing_config(data: Mapping[str, Any], source: str = "") -> BillingConfig:
    """Builds the configuration from parsed TOML, reporting every problem at once."""
    problems: list[str] = []
    reader = _Reader(problems)
    reader.unknown_keys(data, {"version", "codes", "paiement", "aides"}, "")
    version = data.get("version")
    if version != _SUPPORTED_VERSION:
        problems.append(f"« version » doit valoir {_SUPPORTED_VERSION} (trouvé : {version!r}).")
    codes = reader.table(data, "codes")
    entry = reader.code(codes, "entree", "codes")
    exit_ = reader.code(codes, "sortie", "codes")
    placeholders = reader.boolean(codes, "provisoires", "codes")
    reader.unknown_keys(codes, {"entree", "sortie", "provisoires"}, "codes")
    if entry and entry == exit_:
        problems.append("Les codes d'entrée et de sortie doivent être différents.")
    payment = reader.table(data, "paiement")
    required = reader.count(payment, "professionnels_requis", "paiement")
    reader.unknown_keys(payment, {"professionnels_requis"}, "paiement")
    allowances = reader.table(data, "aides")
    reader.unknown_keys(allowances, {"outil", "implication"}, "aides")
    tool = reader.allowance(allowances, "outil")
    involvement = reader.allowance(allowances, "implication")
    if problems:
        where = f" {source}" if source else ""
        raise BillingConfigError(
            f"Le fichier de facturation{where} est inutilisable : " + " ".join(problems),
            problems,
        )
    return BillingConfig(
        entry_code=entry,
        exit_code=exit_,
        codes_are_placeholders=placeholders,
        min_billing_professionals=required,
        tool_allowance=tool,
        involvement_allowance=involvement,
        source=source,
    )


class _Reader:
    """Typed access to the TOML tables that records a French problem instead of failing."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems

    def table(self, data: Mapping[str, Any], key: str, where: str = "") -> Mapping[str, Any]:
        value = data.get(key)
        name = f"{where}.{key}" if where else key
        if not isinstance(value, Mapping):
            self.problems.append(f"La section [{name}] est absente ou mal écrite.")
            return {}
        return value

    def unknown_keys(self, data: Mapping[str, Any], known: set[str], where: str) -> None:
        for key in sorted(set(data) - known):
            place = f" dans [{where}]" if where else ""
            self.problems.append(f"Clé inconnue « {key} »{place} (faute de frappe ?).")

    def code(self, data: Mapping[str, Any], key: str, where: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not _CODE_PATTERN.match(value.strip()):
            self.problems.append(
                f"[{where}] « {key} » doit être une lettre clé (lettres et chiffres, "
                f"16 caractères au plus) ; trouvé : {value!r}."
            )
            return ""
        return value.strip()

    def boolean(self, data: Mapping[str, Any], key: str, where: str) -> bool:
        value = data.get(key)
        if not isinstance(value, bool):
            self.problems.append(f"[{where}] « {key} » doit valoir true ou false.")
            return True
        return value

    def count(self, data: Mapping[str, Any], key: str, where: str) -> int:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.problems.append(
                f"[{where}] « {key} » doit être un nombre entier d'au moins 1 ; trouvé : {value!r}."
            )
            return 1
        return value

    def amount(self, data: Mapping[str, Any], key: str, where: str) -> Decimal:
        value = data.get(key)
        try:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise InvalidOperation
            amount = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            amount = Decimal(-1)
        valid = (
            amount.is_finite()
            and Decimal(0) <= amount <= _MAX_AMOUNT
            and amount == amount.quantize(_CENT)
        )
        if not valid:
            self.problems.append(
                f"[{where}] « {key} » doit être un montant en euros positif, au centime près "
                f'(par exemple "100.00") ; trouvé : {value!r}.'
            )
            return Decimal(0)
        return amount.quantize(_CENT)

    def allowance(self, data: Mapping[str, Any], key: str) -> Allowance:
        where = f"aides.{key}"
        table = self.table(data, key, "aides")
        self.unknown_keys(table, {"libelle", "montant_eur", "escap_requises"}, where)
        label = table.get("libelle")
        if not isinstance(label, str) or not label.strip():
            self.problems.append(f"[{where}] « libelle » doit être un texte non vide.")
            label = ""
        return Allowance(
            key=key,
            label=label.strip(),
            amount=self.amount(table, "montant_eur", where),
            min_escaps=self.count(table, "escap_requises", where),
        )


# --- who may bill -----------------------------------------------------------------------------


def _code_name(kind: BillingKind) -> str:
    return "la lettre clé d'entrée" if kind is BillingKind.ENTRY else "la lettre clé de sortie"


def _health_professional_or_raise(professional: Professional) -> None:
    if not professional.profession.is_health_professional:
        raise BillingError(
            f"{professional.display_name} ({professional.profession.label}) ne facture pas de "
            "lettre clé ESCAP : seuls les professionnels de santé facturent."
        )


def _membership_of(professional_id: str, memberships: Iterable[Membership]) -> Membership | None:
    """The professional's accepted membership, preferring a current one over a past one."""
    accepted = [m for m in memberships if m.professional_id == professional_id and was_accepted(m)]
    accepted.sort(key=lambda m: m.status is MembershipStatus.ACCEPTED, reverse=True)
    return accepted[0] if accepted else None


def check_can_bill(
    escap: Escap,
    kind: BillingKind,
    professional: Professional,
    memberships: Iterable[Membership],
    records: Iterable[BillingRecord],
    *,
    billed_on: date | None = None,
    today: date | None = None,
    tz: tzinfo | None = None,
) -> None:
    """Raises :class:`BillingError` (in French) unless ``professional`` may bill ``kind`` now.

    Entry: the team is active (or was, for a late billing after closure) and the professional
    is an accepted member. Exit: the ESCAP is closed after having been active, and the
    professional was still a member at closure. Never twice the same kind by the same
    professional for the same episode. ``billed_on`` (if given) may not precede the activation
    (entry) or the closure (exit), nor be after ``today``.
    """
    _health_professional_or_raise(professional)
    membership = _membership_of(professional.id, (m for m in memberships if m.escap_id == escap.id))
    if membership is None:
        raise BillingError(
            f"{professional.display_name} n'est pas membre de cette ESCAP : seuls les membres "
            "de l'équipe facturent ses lettres clés."
        )
    if kind is BillingKind.ENTRY and escap.state is EscapState.INCOMPLETE:
        raise BillingError(
            f"{_code_name(kind).capitalize()} ne peut pas être facturée tant que l'équipe est "
            "incomplète : il faut de nouveau au moins 3 professionnels de santé, dont le médecin "
            "traitant. Invitez un professionnel ; la facturation redevient possible dès que "
            "l'équipe est complète."
        )
    if escap.activated_at is None or escap.state not in (
        EscapState.ACTIVE,
        EscapState.INCOMPLETE,
        EscapState.CLOSED,
    ):
        raise BillingError(
            f"{_code_name(kind).capitalize()} ne peut pas encore être facturée : l'équipe "
            f"n'est pas active (état actuel : {escap.state.label})."
        )
    if active_membership_span(escap, membership, tz) is None:
        raise BillingError(
            f"{professional.display_name} n'a pas été membre de l'équipe pendant qu'elle était "
            "active : aucune lettre clé à facturer pour cet épisode."
        )
    if kind is BillingKind.EXIT:
        if escap.state is not EscapState.CLOSED or escap.closed_at is None:
            raise BillingError(
                "La lettre clé de sortie ne se facture qu'une fois l'ESCAP clôturée."
            )
        closed_on = paris_date(escap.closed_at, tz)
        span = membership_span(membership, tz)
        if span is None or not span.contains(closed_on):
            raise BillingError(
                f"{professional.display_name} avait quitté l'équipe avant la clôture : la "
                "lettre clé de sortie est facturée par les membres présents à la clôture."
            )
        earliest, earliest_text = closed_on, "la clôture de l'ESCAP"
    else:
        earliest, earliest_text = paris_date(escap.activated_at, tz), "l'activation de l'équipe"
    previous = [
        record
        for record in records
        if record.escap_id == escap.id
        and record.professional_id == professional.id
        and record.kind is kind
    ]
    if previous:
        raise BillingError(
            f"{_code_name(kind).capitalize()} a déjà été facturée par "
            f"{professional.display_name} pour cet épisode, le {previous[0].billed_on:%d/%m/%Y}."
        )
    if billed_on is not None:
        if billed_on < earliest:
            raise BillingError(
                f"La date de facturation ({billed_on:%d/%m/%Y}) ne peut pas précéder "
                f"{earliest_text} ({earliest:%d/%m/%Y})."
            )
        if today is not None and billed_on > today:
            raise BillingError(
                f"La date de facturation ({billed_on:%d/%m/%Y}) ne peut pas être dans le futur."
            )


def new_billing_record(
    escap: Escap,
    kind: BillingKind,
    professional: Professional,
    memberships: Iterable[Membership],
    records: Iterable[BillingRecord],
    config: BillingConfig,
    *,
    billed_on: date,
    today: date | None = None,
    tz: tzinfo | None = None,
) -> BillingRecord:
    """The record of a billing that :func:`check_can_bill` allows, with the configured code."""
    check_can_bill(
        escap,
        kind,
        professional,
        memberships,
        records,
        billed_on=billed_on,
        today=today,
        tz=tz,
    )
    return BillingRecord(
        escap_id=escap.id,
        professional_id=professional.id,
        kind=kind,
        code=config.code_for(kind),
        billed_on=billed_on,
    )


def _refusal(
    escap: Escap,
    kind: BillingKind,
    professional: Professional,
    memberships: list[Membership],
    records: list[BillingRecord],
    tz: tzinfo | None,
) -> str:
    try:
        check_can_bill(escap, kind, professional, memberships, records, tz=tz)
    except BillingError as error:
        return error.message
    return ""


# --- status of an episode -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberBilling:
    """One member's tracer codes for the episode; a refusal is "" when billing is allowed now."""

    professional_id: str
    display_name: str
    profession_label: str
    role: str
    membership_status: MembershipStatus
    entry_billed_on: date | None
    exit_billed_on: date | None
    entry_refusal: str
    exit_refusal: str

    @property
    def can_bill_entry(self) -> bool:
        return not self.entry_refusal

    @property
    def can_bill_exit(self) -> bool:
        return not self.exit_refusal


@dataclass(frozen=True, slots=True)
class PaymentProgress:
    """How many distinct health professionals of the episode billed one kind of code."""

    kind: BillingKind
    code: str
    billed_by: tuple[str, ...]
    required: int

    @property
    def count(self) -> int:
        return len(self.billed_by)

    @property
    def met(self) -> bool:
        return self.count >= self.required

    @property
    def missing(self) -> int:
        return max(self.required - self.count, 0)

    @property
    def message(self) -> str:
        """The entry count says what the payment waits for (it is the payment condition, see
        ``EscapBillingStatus.payment_sentence``); the exit count never mentions the payment,
        which it does not condition (docs/billing.md)."""
        if self.kind is BillingKind.ENTRY:
            if self.met:
                return (
                    "Condition de paiement remplie : "
                    f"{_professionals(self.count)} ont facturé l'entrée ({self.code}), "
                    "le paiement de l'ESCAP est déclenché."
                )
            verb = "doit" if self.missing == 1 else "doivent"
            return (
                f"Paiement pas encore déclenché : encore {_professionals(self.missing)} {verb} "
                f"facturer l'entrée ({self.code}) ({self.count} sur {self.required})."
            )
        verb = "a" if self.count == 1 else "ont"
        return (
            f"Sortie ({self.code}) : {self.count} sur {self.required} professionnels de santé "
            f"{verb} facturé ; compté à part, sans effet sur le paiement de l'ESCAP."
        )


def _professionals(count: int) -> str:
    return f"{count} professionnel de santé" if count == 1 else f"{count} professionnels de santé"


@dataclass(frozen=True, slots=True)
class EscapBillingStatus:
    """The billing picture of one episode, for the ESCAP page and "Mes ESCAP".

    ``ignored_records`` are records that do not count (billed by someone who never was a member
    of the episode, or by a non-health professional): shown as anomalies, never paid.
    ``duplicates`` are the same code recorded more than once by one professional — two of their
    computers offline, each refusing a second billing locally, merged by the sync: counted once,
    shown with what to do (:attr:`anomalies`).
    """

    escap_id: str
    state: EscapState
    members: tuple[MemberBilling, ...]
    entry: PaymentProgress
    exit: PaymentProgress
    ignored_records: tuple[BillingRecord, ...] = ()
    duplicates: tuple[tuple[BillingRecord, ...], ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)

    @property
    def anomalies(self) -> tuple[str, ...]:
        """One French sentence per anomaly, saying what it is and what to do."""
        sentences = []
        for records in self.duplicates:
            first = records[0]
            name = self.names.get(first.professional_id, "Un professionnel")
            days = ", ".join(f"{r.billed_on:%d/%m/%Y}" for r in records)
            sentences.append(
                f"{_code_name(first.kind).capitalize()} ({first.code}) de {name} est enregistrée "
                f"{len(records)} fois ({days}), depuis des postes restés hors ligne : elle ne "
                "compte qu'une fois pour le paiement. Ne la facturez qu'une fois à l'Assurance "
                "maladie ; si elle a été télétransmise deux fois, demandez l'annulation du "
                "doublon à votre caisse."
            )
        for record in self.ignored_records:
            name = self.names.get(record.professional_id, "un professionnel inconnu")
            sentences.append(
                f"{_code_name(record.kind).capitalize()} ({record.code}) enregistrée le "
                f"{record.billed_on:%d/%m/%Y} par {name} ne compte pas : seuls les "
                "professionnels de santé membres de l'équipe facturent ses lettres clés."
            )
        return tuple(sentences)

    @property
    def payment_condition_met(self) -> bool:
        """The ESCAP's payment is released by the entry codes (see docs/billing.md)."""
        return self.entry.met

    @property
    def payment_sentence(self) -> str:
        """The one sentence every screen shows about the payment: the entry codes' count."""
        return self.entry.message

    def member(self, professional_id: str) -> MemberBilling | None:
        return next((m for m in self.members if m.professional_id == professional_id), None)


def escap_billing_status(
    escap: Escap,
    memberships: Iterable[Membership],
    professionals: Iterable[Professional],
    records: Iterable[BillingRecord],
    config: BillingConfig,
    *,
    tz: tzinfo | None = None,
) -> EscapBillingStatus:
    """Who billed entry and exit and when, what each member may bill now, and the payment."""
    by_id = {p.id: p for p in professionals}
    own_memberships = [m for m in memberships if m.escap_id == escap.id]
    own_records = sorted(
        (r for r in records if r.escap_id == escap.id), key=lambda r: (r.billed_on, r.id)
    )
    member_ids: list[str] = []
    for membership in own_memberships:
        if was_accepted(membership) and membership.professional_id not in member_ids:
            member_ids.append(membership.professional_id)

    counted: list[BillingRecord] = []
    ignored: list[BillingRecord] = []
    for record in own_records:
        professional = by_id.get(record.professional_id)
        is_health = professional is not None and professional.profession.is_health_professional
        (counted if is_health and record.professional_id in member_ids else ignored).append(record)

    members = tuple(
        _member_billing(escap, pid, by_id.get(pid), own_memberships, counted, tz)
        for pid in member_ids
    )
    same: dict[tuple[str, BillingKind], list[BillingRecord]] = {}
    for record in counted:
        same.setdefault((record.professional_id, record.kind), []).append(record)
    return EscapBillingStatus(
        escap_id=escap.id,
        state=escap.state,
        members=members,
        entry=_progress(BillingKind.ENTRY, counted, config),
        exit=_progress(BillingKind.EXIT, counted, config),
        ignored_records=tuple(ignored),
        duplicates=tuple(tuple(group) for group in same.values() if len(group) > 1),
        names={pid: p.display_name for pid, p in by_id.items()},
    )


def _member_billing(
    escap: Escap,
    professional_id: str,
    professional: Professional | None,
    memberships: list[Membership],
    records: list[BillingRecord],
    tz: tzinfo | None,
) -> MemberBilling:
    membership = _membership_of(professional_id, memberships)
    assert membership is not None

    def billed_on(kind: BillingKind) -> date | None:
        return next(
            (
                r.billed_on
                for r in records
                if r.professional_id == professional_id and r.kind is kind
            ),
            None,
        )

    if professional is None:
        unknown = "Ce professionnel est absent de l'annuaire local : impossible de facturer."
        return MemberBilling(
            professional_id=professional_id,
            display_name="Professionnel inconnu",
            profession_label="",
            role=membership.role,
            membership_status=membership.status,
            entry_billed_on=billed_on(BillingKind.ENTRY),
            exit_billed_on=billed_on(BillingKind.EXIT),
            entry_refusal=unknown,
            exit_refusal=unknown,
        )
    return MemberBilling(
        professional_id=professional_id,
        display_name=professional.display_name,
        profession_label=professional.profession.label,
        role=membership.role,
        membership_status=membership.status,
        entry_billed_on=billed_on(BillingKind.ENTRY),
        exit_billed_on=billed_on(BillingKind.EXIT),
        entry_refusal=_refusal(escap, BillingKind.ENTRY, professional, memberships, records, tz),
        exit_refusal=_refusal(escap, BillingKind.EXIT, professional, memberships, records, tz),
    )


def _progress(
    kind: BillingKind, records: list[BillingRecord], config: BillingConfig
) -> PaymentProgress:
    billed_by: list[str] = []
    for record in records:
        if record.kind is kind and record.professional_id not in billed_by:
            billed_by.append(record.professional_id)
    return PaymentProgress(
        kind=kind,
        code=config.code_for(kind),
        billed_by=tuple(billed_by),
        required=config.min_billing_professionals,
    )


def members_to_remind(
    escap: Escap,
    memberships: Iterable[Membership],
    professionals: Iterable[Professional],
    records: Iterable[BillingRecord],
) -> tuple[Professional, ...]:
    """Current members of an ACTIVE team, health professionals, who have not billed the entry."""
    if escap.state is not EscapState.ACTIVE:
        return ()
    billed = {
        r.professional_id for r in records if r.escap_id == escap.id and r.kind is BillingKind.ENTRY
    }
    by_id = {p.id: p for p in professionals}
    reminded: dict[str, Professional] = {}
    for membership in memberships:
        professional = by_id.get(membership.professional_id)
        if (
            membership.escap_id == escap.id
            and membership.status is MembershipStatus.ACCEPTED
            and professional is not None
            and professional.profession.is_health_professional
            and professional.id not in billed
        ):
            reminded.setdefault(professional.id, professional)
    return tuple(reminded.values())


def entry_reminder(config: BillingConfig) -> str:
    """The reminder shown to a member of an active team who has not billed the entry code."""
    return (
        "L'équipe est active : pensez à facturer la lettre clé d'entrée "
        f"{config.code_label(BillingKind.ENTRY)} pour ce patient."
    )
