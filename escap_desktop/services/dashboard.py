"""The figures of the dashboard: how the practice's ESCAPs evolve, and the year's allowances.

Computed once per refresh from the whole store, as plain numbers the view only has to draw: the
view never counts anything itself, so what it shows is what the tests and the evaluation export
count. The clinical situations and exit reasons use the evaluators' indicator definitions.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, tzinfo

from escap_desktop.core.clock import paris_date
from escap_desktop.core.entities import (
    ConsentStatus,
    EscapState,
    ExitReason,
    Prerequisite,
)
from escap_desktop.core.rules.grid import GridCatalog
from escap_desktop.core.rules.indicators import EpisodeBundle, summarise_indicators
from escap_desktop.core.rules.periods import DateSpan
from escap_desktop.services.base import ServiceBase
from escap_desktop.services.billing import BillingService
from escap_desktop.services.episode_records import load_all_episodes
from escap_desktop.store import Store

MAX_MONTHS = 36
"""The state chart covers at most the last 36 months (the length of the experiment)."""


@dataclass(frozen=True, slots=True)
class MonthStates:
    """How many episodes were in each state on ``day`` (a month's last day, or today)."""

    day: date
    counts: tuple[tuple[EscapState, int], ...]

    def count(self, state: EscapState) -> int:
        return dict(self.counts).get(state, 0)


@dataclass(frozen=True, slots=True)
class DashboardFigures:
    """Everything the dashboard draws; no Qt, no entity, nothing that names a patient."""

    today: date
    months: tuple[MonthStates, ...]
    scores: tuple[tuple[int, int], ...]
    """(inclusion score, number of episodes) for every score from 0 to ``max_score``."""
    threshold: int
    max_score: int
    situations: tuple[tuple[Prerequisite, int], ...]
    """All four clinical situations, in their usual order, zeros included."""
    exits: tuple[tuple[ExitReason, int], ...]
    """Exit reasons met at least once, in their usual order."""
    year: int
    my_escaps: int
    involvement_target: int
    involvement_label: str
    involvement_earned: bool
    involvement_message: str
    tool_label: str
    tool_earned: bool
    tool_message: str

    @property
    def episodes(self) -> int:
        return sum(count for _, count in self.months[-1].counts) if self.months else 0


class DashboardService(ServiceBase):
    def __init__(
        self,
        store: Store,
        actor_id: Callable[[], str | None],
        grids: GridCatalog,
        billing: BillingService,
    ) -> None:
        super().__init__(store, actor_id)
        self._grids = grids
        self._billing = billing

    def figures(self, today: date | None = None, *, tz: tzinfo | None = None) -> DashboardFigures:
        today = today or self._today()
        with self._store.unit_of_work(self.actor) as uow:
            bundles = load_all_episodes(uow)
        grid = self._grids.latest("escap")
        inclusions = [a for b in bundles if (a := b.inclusion_assessment) is not None]
        max_score = max([grid.max_points, *(a.score for a in inclusions)])
        by_score = Counter(a.score for a in inclusions)
        start = min((paris_date(b.escap.created_at, tz) for b in bundles), default=today)
        summary = summarise_indicators(bundles, min(start, today), today, tz=tz)
        situations = dict(summary.by_situation)
        year = self._billing.my_year(today.year)
        incomplete = {b.escap.id: b.incomplete_spans(today, tz) for b in bundles}
        return DashboardFigures(
            today=today,
            months=tuple(
                MonthStates(day, _state_counts(bundles, day, today, tz, incomplete))
                for day in month_ends(start, today)
            ),
            scores=tuple((score, by_score[score]) for score in range(max_score + 1)),
            threshold=grid.threshold,
            max_score=max_score,
            situations=tuple((p, situations.get(p, 0)) for p in Prerequisite),
            exits=summary.exits_by_reason,
            year=year.year,
            my_escaps=year.involvement.escap_count,
            involvement_target=year.involvement.allowance.min_escaps,
            involvement_label=year.involvement.allowance.label,
            involvement_earned=year.involvement.earned,
            involvement_message=year.involvement.message,
            tool_label=year.tool.allowance.label,
            tool_earned=year.tool.earned,
            tool_message=year.tool.message,
        )


def month_ends(start: date, today: date) -> list[date]:
    """The last day of each month from ``start``'s month, ending with ``today`` itself."""
    days = []
    year, month = start.year, start.month
    while (year, month) < (today.year, today.month):
        days.append(date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    days.append(today)
    return days[-MAX_MONTHS:]


def state_on(
    bundle: EpisodeBundle,
    day: date,
    tz: tzinfo | None = None,
    incomplete: tuple[DateSpan, ...] | None = None,
) -> EscapState | None:
    """The episode's state at the end of ``day``, rebuilt from the dates its records carry.

    The store keeps no history of states, but every step leaves a dated record: the inclusion
    grid, the signed consent, the first invitation, the activation and the closure. None when
    the episode did not exist yet.
    """
    escap = bundle.escap
    if paris_date(escap.created_at, tz) > day:
        return None
    if escap.closed_at is not None and paris_date(escap.closed_at, tz) <= day:
        return EscapState.CLOSED
    if escap.activated_at is not None and paris_date(escap.activated_at, tz) <= day:
        spans = bundle.incomplete_spans(day, tz) if incomplete is None else incomplete
        if any(span.contains(day) for span in spans):
            return EscapState.INCOMPLETE
        return EscapState.ACTIVE
    if any(paris_date(m.invited_at, tz) <= day for m in bundle.memberships):
        return EscapState.FORMING
    consent = bundle.consent
    if (
        consent is not None
        and consent.status is not ConsentStatus.PRINTED
        and consent.status is not ConsentStatus.REFUSED
        and consent.signed_on is not None
        and consent.signed_on <= day
    ):
        return EscapState.CONSENTED
    if any(
        a.eligible and not a.is_reevaluation and a.assessed_on <= day for a in bundle.assessments
    ):
        return EscapState.ASSESSED
    return EscapState.DRAFT


def _state_counts(
    bundles: list[EpisodeBundle],
    day: date,
    today: date,
    tz: tzinfo | None,
    incomplete: dict[str, tuple[DateSpan, ...]],
) -> tuple[tuple[EscapState, int], ...]:
    # Today the recorded state is authoritative; earlier days are rebuilt from dated records.
    if day >= today:
        counts = Counter(
            b.escap.state for b in bundles if paris_date(b.escap.created_at, tz) <= day
        )
    else:
        counts = Counter(
            s for b in bundles if (s := state_on(b, day, tz, incomplete[b.escap.id])) is not None
        )
    return tuple((state, counts[state]) for state in EscapState)
