"""The dashboard's figures, recounted here from the ESCAP pages of the demo practice."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.entities import (
    EscapState,
    ExitReason,
    MembershipStatus,
    Prerequisite,
    Profession,
)
from escap_desktop.core.entities.summaries import EscapOverview
from escap_desktop.services.dashboard import DashboardFigures, month_ends
from escap_desktop.services.practice import Practice, build_practice
from escap_desktop.store import open_store
from tests.services.conftest import professional


def day(instant: datetime | None) -> date | None:
    return instant.astimezone().date() if instant is not None else None


def inclusion(overview: EscapOverview):  # type: ignore[no-untyped-def]
    first = [a for a in overview.assessments if not a.is_reevaluation] or list(overview.assessments)
    return min(first, key=lambda a: a.assessed_on) if first else None


def test_todays_states_are_those_of_the_patient_list(
    demo: Practice, figures: DashboardFigures, clock: FrozenClock
) -> None:
    listed = Counter(row.escap_state for row in demo.patients.summaries() if row.escap_state)
    today = figures.months[-1]
    assert today.day == clock.today()
    assert {state: today.count(state) for state in EscapState} == {
        state: listed[state] for state in EscapState
    }
    assert figures.episodes == sum(listed.values())
    assert listed[EscapState.INCOMPLETE] > 0  # the demo shows one


def test_each_month_counts_the_teams_active_and_closed_on_its_last_day(
    figures: DashboardFigures, overviews: list[EscapOverview], clock: FrozenClock
) -> None:
    first = min(day(o.escap.created_at) for o in overviews)  # type: ignore[type-var]
    assert [m.day for m in figures.months] == month_ends(first, clock.today())
    assert len(figures.months) > 12
    for month in figures.months:
        activated = [(day(o.escap.activated_at), day(o.escap.closed_at)) for o in overviews]
        active = sum(
            1
            for start, end in activated
            if start is not None and start <= month.day and (end is None or end > month.day)
        )
        closed = sum(1 for o in overviews if (end := day(o.escap.closed_at)) and end <= month.day)
        created = sum(1 for o in overviews if day(o.escap.created_at) <= month.day)  # type: ignore[operator]
        # A running team is either active or incomplete on a given day, never both.
        running = month.count(EscapState.ACTIVE) + month.count(EscapState.INCOMPLETE)
        assert running == active, month.day
        assert month.count(EscapState.CLOSED) == closed, month.day
        assert sum(count for _, count in month.counts) == created, month.day


def test_scores_situations_and_exits_are_counted_once_per_episode(
    figures: DashboardFigures, overviews: list[EscapOverview]
) -> None:
    grids = [g for o in overviews if (g := inclusion(o)) is not None]
    scores = Counter(g.score for g in grids)
    assert dict(figures.scores) == {score: scores[score] for score in range(27)}
    assert figures.threshold == 13
    assert figures.max_score == 26
    situations = Counter(p for g in grids for p in g.prerequisites_met)
    assert figures.situations == tuple((p, situations[p]) for p in Prerequisite)
    exits = Counter(o.escap.exit_reason for o in overviews if o.escap.state is EscapState.CLOSED)
    assert dict(figures.exits) == {reason: n for reason, n in exits.items() if reason}
    assert ExitReason.NOT_ELIGIBLE in dict(figures.exits)


def test_my_escaps_this_year_follow_the_allowance_rule(
    demo: Practice, figures: DashboardFigures, overviews: list[EscapOverview], clock: FrozenClock
) -> None:
    me = demo.profile.current()
    assert me is not None
    year_start, year_end = date(clock.today().year, 1, 1), date(clock.today().year, 12, 31)
    counted = set()
    for overview in overviews:
        escap = overview.escap
        for member in overview.members:
            membership = member.membership
            if membership.professional_id != me[1].id or escap.activated_at is None:
                continue
            if membership.status is not MembershipStatus.ACCEPTED:
                continue
            start = max(
                day(escap.activated_at),  # type: ignore[type-var]
                day(membership.responded_at or membership.invited_at),
                year_start,
            )
            end = min(day(escap.closed_at) or year_end, year_end)
            if escap.state is EscapState.INCOMPLETE:
                # The demo's team broke when its last member left: that day counts, not after.
                broke = max(
                    day(m.membership.left_at) for m in overview.members if m.membership.left_at
                )  # type: ignore[type-var]
                end = min(end, broke)  # type: ignore[type-var]
            if start <= end:
                counted.add(escap.patient_id)
    assert figures.year == clock.today().year
    assert figures.my_escaps == len(counted) >= figures.involvement_target == 5
    assert figures.involvement_earned
    assert figures.involvement_message.startswith(f"Acquise pour {clock.today().year}")


def test_a_new_practice_has_empty_figures(tmp_path: Path, clock: FrozenClock) -> None:
    store = open_store(tmp_path, clock=clock)
    practice = build_practice(store, tmp_path)
    try:
        practice.profile.save(professional("Lefèvre", "Claire", Profession.MEDECIN, "10000000001"))
        figures = practice.dashboard.figures()
    finally:
        practice.close()
    assert [m.day for m in figures.months] == [clock.today()]
    assert figures.episodes == 0
    assert all(count == 0 for _, count in figures.scores)
    assert figures.exits == ()
    assert figures.my_escaps == 0
    assert figures.involvement_message == "Encore 5 ESCAP pour atteindre 5."
