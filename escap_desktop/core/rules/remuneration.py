"""Yearly flat-rate allowances of each professional: the ESCAP counted, what is earned or left.

Rules (explained in ``docs/billing.md``): an episode counts for a calendar year when the
professional was an accepted member of it on at least one day of that year while the team was
active and complete (the days of « Équipe incomplète » do not count); an ESCAP is one patient's
team, so several episodes of the same patient in one year count once. Amounts and thresholds
come from :class:`~escap_desktop.core.rules.billing.BillingConfig`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, tzinfo
from decimal import Decimal

from escap_desktop.core.entities import Escap, Membership, Professional
from escap_desktop.core.rules.billing import Allowance, BillingConfig
from escap_desktop.core.rules.periods import DateSpan, active_membership_span, year_span


@dataclass(frozen=True, slots=True)
class CountedEscap:
    """An episode counted for the year; ``days`` are the member's active days in that year."""

    escap_id: str
    patient_id: str
    episode: int
    days: DateSpan


@dataclass(frozen=True, slots=True)
class AllowanceStatus:
    """Whether one allowance is earned for the year, or how many ESCAP are still missing."""

    allowance: Allowance
    year: int
    escap_count: int
    year_over: bool
    health_professional: bool = True

    @property
    def earned(self) -> bool:
        return self.health_professional and self.escap_count >= self.allowance.min_escaps

    @property
    def missing(self) -> int:
        return max(self.allowance.min_escaps - self.escap_count, 0)

    @property
    def amount_due(self) -> Decimal:
        return self.allowance.amount if self.earned else Decimal("0.00")

    @property
    def message(self) -> str:
        """A French sentence for "Mes ESCAP": earned, or how far from it."""
        needed = self.allowance.min_escaps
        if not self.health_professional:
            return "Réservée aux professionnels de santé."
        if self.earned:
            return f"Acquise pour {self.year} : {format_euros(self.allowance.amount)}."
        if self.year_over:
            return (
                f"Non acquise pour {self.year} : {self.escap_count} ESCAP sur les "
                f"{needed} requises."
            )
        if needed == 1:
            return "Acquise dès la première ESCAP active de l'année."
        return f"Encore {self.missing} ESCAP pour atteindre {needed}."


@dataclass(frozen=True, slots=True)
class YearlyRemuneration:
    """One professional's calendar year: the ESCAP counted and both allowances."""

    professional_id: str
    year: int
    escaps: tuple[CountedEscap, ...]
    tool: AllowanceStatus
    involvement: AllowanceStatus

    @property
    def escap_count(self) -> int:
        """Distinct ESCAP (patients) counted, the figure the thresholds apply to."""
        return len({counted.patient_id for counted in self.escaps})

    @property
    def allowances(self) -> tuple[AllowanceStatus, AllowanceStatus]:
        return (self.tool, self.involvement)

    @property
    def total_due(self) -> Decimal:
        return self.tool.amount_due + self.involvement.amount_due


def format_euros(amount: Decimal) -> str:
    """French money: "100 €", "1 250,50 €" (narrow no-break space before €, as typeset)."""
    whole = amount == amount.to_integral_value()
    text = f"{amount:,.0f}" if whole else f"{amount:,.2f}"
    return text.replace(",", "\u202f").replace(".", ",") + "\u00a0€"


def escaps_counted(
    professional_id: str,
    year: int,
    escaps: Iterable[Escap],
    memberships: Iterable[Membership],
    *,
    incomplete: Mapping[str, Sequence[DateSpan]] | None = None,
    tz: tzinfo | None = None,
) -> tuple[CountedEscap, ...]:
    """The episodes counted for ``professional_id`` in ``year``, in order of first active day.

    Invitations never answered, declined invitations and memberships that ended before the team
    became active never count; neither does an episode closed before the year began, nor the
    days an episode's team was incomplete (``incomplete``: its spans by episode id, from
    :func:`team.incomplete_spans`).
    """
    by_escap: dict[str, list[Membership]] = {}
    for membership in memberships:
        if membership.professional_id == professional_id:
            by_escap.setdefault(membership.escap_id, []).append(membership)
    year_days = year_span(year)
    counted: list[CountedEscap] = []
    for escap in escaps:
        holes = (incomplete or {}).get(escap.id, ())
        days = _days_in_year(escap, by_escap.get(escap.id, []), year_days, holes, tz)
        if days is not None:
            counted.append(CountedEscap(escap.id, escap.patient_id, escap.episode, days))
    counted.sort(key=lambda c: (c.days.start, c.escap_id))
    return tuple(counted)


def _days_in_year(
    escap: Escap,
    memberships: list[Membership],
    year_days: DateSpan,
    holes: Sequence[DateSpan],
    tz: tzinfo | None,
) -> DateSpan | None:
    """First to last day of the year on which the professional was in the active, complete
    team."""
    spans: list[DateSpan] = []
    for membership in memberships:
        active = active_membership_span(escap, membership, tz)
        in_year = active.intersection(year_days) if active is not None else None
        if in_year is not None:
            spans += in_year.without(holes)
    if not spans:
        return None
    ends = [span.end for span in spans]
    last = max(end for end in ends if end is not None) if None not in ends else None
    return DateSpan(min(span.start for span in spans), last)


def yearly_remuneration(
    professional: Professional,
    year: int,
    escaps: Iterable[Escap],
    memberships: Iterable[Membership],
    config: BillingConfig,
    *,
    today: date | None = None,
    incomplete: Mapping[str, Sequence[DateSpan]] | None = None,
    tz: tzinfo | None = None,
) -> YearlyRemuneration:
    """Both allowances of ``professional`` for ``year``.

    ``today`` only changes the wording: once the year is over, "how far from it" becomes
    "not earned" since no ESCAP can be added to a past year.
    """
    counted = escaps_counted(
        professional.id, year, escaps, memberships, incomplete=incomplete, tz=tz
    )
    distinct = len({c.patient_id for c in counted})
    year_over = today is not None and today.year > year
    health = professional.profession.is_health_professional

    def status(allowance: Allowance) -> AllowanceStatus:
        return AllowanceStatus(allowance, year, distinct, year_over, health)

    return YearlyRemuneration(
        professional_id=professional.id,
        year=year,
        escaps=counted,
        tool=status(config.tool_allowance),
        involvement=status(config.involvement_allowance),
    )


def remuneration_by_professional(
    professionals: Iterable[Professional],
    year: int,
    escaps: Iterable[Escap],
    memberships: Iterable[Membership],
    config: BillingConfig,
    *,
    today: date | None = None,
    incomplete: Mapping[str, Sequence[DateSpan]] | None = None,
    tz: tzinfo | None = None,
) -> list[YearlyRemuneration]:
    """:func:`yearly_remuneration` for several professionals (a practice, or the dashboard)."""
    escap_list = list(escaps)
    membership_list = list(memberships)
    return [
        yearly_remuneration(
            p, year, escap_list, membership_list, config, today=today, incomplete=incomplete, tz=tz
        )
        for p in professionals
    ]
