"""Yearly allowances: which ESCAP count for a calendar year, and the 5-ESCAP threshold."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from escap_desktop.core.entities import Escap, Membership, MembershipStatus, Profession
from escap_desktop.core.rules.billing import BillingConfig, load_billing_config
from escap_desktop.core.rules.periods import DateSpan
from escap_desktop.core.rules.remuneration import (
    escaps_counted,
    format_euros,
    remuneration_by_professional,
    yearly_remuneration,
)
from tests.billing.builders import escap, member, professional

NURSE = professional("Fontaine", "Élodie", Profession.INFIRMIER)


@pytest.fixture
def config() -> BillingConfig:
    return load_billing_config()


def teams(count: int, activated: date, closed: date | None = None) -> tuple[list[Escap], list]:
    """``count`` episodes of distinct patients with NURSE accepted in each."""
    episodes = [escap(activated, closed) for _ in range(count)]
    memberships = [member(e, NURSE, accepted=activated) for e in episodes]
    return episodes, memberships


def test_four_escap_leave_the_involvement_allowance_one_short(config: BillingConfig) -> None:
    episodes, memberships = teams(4, date(2025, 4, 10))

    year = yearly_remuneration(NURSE, 2025, episodes, memberships, config, tz=UTC)

    assert year.escap_count == 4
    assert year.tool.earned is True
    assert year.involvement.earned is False
    assert year.involvement.missing == 1
    assert year.involvement.message == "Encore 1 ESCAP pour atteindre 5."
    assert year.total_due == config.tool_allowance.amount


def test_five_escap_earn_both_allowances(config: BillingConfig) -> None:
    episodes, memberships = teams(5, date(2025, 4, 10))

    year = yearly_remuneration(NURSE, 2025, episodes, memberships, config, tz=UTC)

    assert year.escap_count == 5
    assert year.involvement.earned is True
    assert year.involvement.missing == 0
    assert year.involvement.message == "Acquise pour 2025 : 100\u00a0€."
    assert year.total_due == Decimal("200.00")


def test_past_year_short_of_the_threshold_is_said_not_earned(config: BillingConfig) -> None:
    episodes, memberships = teams(4, date(2025, 4, 10), date(2025, 9, 1))

    year = yearly_remuneration(
        NURSE, 2025, episodes, memberships, config, today=date(2026, 1, 15), tz=UTC
    )

    assert year.involvement.message == "Non acquise pour 2025 : 4 ESCAP sur les 5 requises."


def test_no_escap_means_no_tool_allowance(config: BillingConfig) -> None:
    year = yearly_remuneration(NURSE, 2025, [], [], config, tz=UTC)

    assert year.escaps == ()
    assert year.tool.earned is False
    assert year.tool.message == "Acquise dès la première ESCAP active de l'année."
    assert year.involvement.message == "Encore 5 ESCAP pour atteindre 5."
    assert year.total_due == Decimal("0.00")


def test_escap_opened_in_december_counts_in_both_years(config: BillingConfig) -> None:
    december, memberships = teams(1, date(2025, 12, 15), date(2026, 2, 20))

    for year in (2025, 2026):
        counted = escaps_counted(NURSE.id, year, december, memberships, tz=UTC)
        assert [c.escap_id for c in counted] == [december[0].id]
    assert escaps_counted(NURSE.id, 2025, december, memberships, tz=UTC)[0].days.end == date(
        2025, 12, 31
    )
    assert escaps_counted(NURSE.id, 2027, december, memberships, tz=UTC) == ()


def test_escap_closed_in_january_completes_the_new_year(config: BillingConfig) -> None:
    """Four new teams in 2026 plus one activated in 2025 and closed on 5 January 2026: five."""
    new, new_memberships = teams(4, date(2026, 3, 1))
    old, old_memberships = teams(1, date(2025, 10, 1), date(2026, 1, 5))

    year = yearly_remuneration(
        NURSE, 2026, new + old, new_memberships + old_memberships, config, tz=UTC
    )

    assert year.escap_count == 5
    assert year.involvement.earned is True


def test_escap_closed_before_the_year_does_not_count(config: BillingConfig) -> None:
    old, memberships = teams(3, date(2025, 4, 1), date(2025, 12, 31))

    year = yearly_remuneration(NURSE, 2026, old, memberships, config, tz=UTC)

    assert year.escap_count == 0
    assert year.tool.earned is False


def test_membership_that_started_late_counts_from_acceptance() -> None:
    episode = escap(date(2025, 3, 1))
    late = member(episode, NURSE, invited=date(2025, 12, 20), accepted=date(2026, 1, 3))

    assert escaps_counted(NURSE.id, 2025, [episode], [late], tz=UTC) == ()
    counted = escaps_counted(NURSE.id, 2026, [episode], [late], tz=UTC)
    assert counted[0].days.start == date(2026, 1, 3)
    assert counted[0].days.end == date(2026, 12, 31)


def test_membership_that_ended_early_stops_counting() -> None:
    episode = escap(date(2025, 3, 1))
    early = member(episode, NURSE, accepted=date(2025, 3, 1), left=date(2025, 11, 30))
    removed = replace(early, status=MembershipStatus.REMOVED)

    for membership in (early, removed):
        assert len(escaps_counted(NURSE.id, 2025, [episode], [membership], tz=UTC)) == 1
        assert escaps_counted(NURSE.id, 2026, [episode], [membership], tz=UTC) == ()


def test_membership_ended_before_activation_never_counts() -> None:
    episode = escap(date(2025, 6, 1))
    gone = member(episode, NURSE, accepted=date(2025, 5, 1), left=date(2025, 5, 20))

    assert escaps_counted(NURSE.id, 2025, [episode], [gone], tz=UTC) == ()


@pytest.mark.parametrize(
    "status", [MembershipStatus.INVITED, MembershipStatus.DECLINED, MembershipStatus.REMOVED]
)
def test_invitations_not_accepted_do_not_count(status: MembershipStatus) -> None:
    episode = escap(date(2025, 6, 1))
    invitation = replace(
        member(episode, NURSE, invited=date(2025, 5, 1)), status=status, responded_at=None
    )
    if status is MembershipStatus.DECLINED:
        invitation = replace(invitation, responded_at=datetime(2025, 5, 2, tzinfo=UTC))

    assert escaps_counted(NURSE.id, 2025, [episode], [invitation], tz=UTC) == ()


def test_team_never_activated_does_not_count() -> None:
    forming = escap(None)
    assert escaps_counted(NURSE.id, 2025, [forming], [member(forming, NURSE)], tz=UTC) == ()


def test_other_professionals_memberships_are_ignored() -> None:
    episode = escap(date(2025, 6, 1))
    colleague = professional("Perrin", "Louis", Profession.MEDECIN)
    assert escaps_counted(NURSE.id, 2025, [episode], [member(episode, colleague)], tz=UTC) == ()


def test_restarted_escap_of_the_same_patient_counts_once(config: BillingConfig) -> None:
    first = escap(date(2025, 2, 1), date(2025, 5, 1), patient_id="patient-a")
    second = escap(date(2025, 9, 1), patient_id="patient-a", episode=2)
    memberships: list[Membership] = [
        member(e, NURSE, accepted=date(2025, 1, 20)) for e in (first, second)
    ]

    year = yearly_remuneration(NURSE, 2025, [first, second], memberships, config, tz=UTC)

    assert len(year.escaps) == 2
    assert year.escap_count == 1


def test_year_boundary_follows_the_local_day() -> None:
    """Activated at 23:30 UTC on 31 December: still 2025 in UTC, already 2026 in Paris."""
    episode = replace(
        escap(date(2026, 1, 1)), activated_at=datetime(2025, 12, 31, 23, 30, tzinfo=UTC)
    )
    membership = member(episode, NURSE, accepted=date(2025, 12, 1))
    paris = ZoneInfo("Europe/Paris")

    assert len(escaps_counted(NURSE.id, 2025, [episode], [membership], tz=UTC)) == 1
    assert escaps_counted(NURSE.id, 2025, [episode], [membership], tz=paris) == ()
    assert len(escaps_counted(NURSE.id, 2026, [episode], [membership], tz=paris)) == 1


def test_social_actors_earn_no_allowance(config: BillingConfig) -> None:
    helper = professional("Roux", "Sandrine", Profession.AIDE_A_DOMICILE, "")
    episodes = [escap(date(2025, 4, 1)) for _ in range(5)]
    memberships = [member(e, helper) for e in episodes]

    year = yearly_remuneration(helper, 2025, episodes, memberships, config, tz=UTC)

    assert year.escap_count == 5
    assert year.tool.earned is False
    assert year.involvement.message == "Réservée aux professionnels de santé."
    assert year.total_due == Decimal("0.00")


def test_amounts_and_threshold_come_from_the_file(tmp_path: Path) -> None:
    text = (
        "version = 1\n[codes]\nentree = 'A1'\nsortie = 'A2'\nprovisoires = false\n"
        "[paiement]\nprofessionnels_requis = 3\n"
        "[aides.outil]\nlibelle = 'Outil'\nmontant_eur = '150.50'\nescap_requises = 1\n"
        "[aides.implication]\nlibelle = 'Implication'\nmontant_eur = '80'\nescap_requises = 3\n"
    )
    path = tmp_path / "billing.toml"
    path.write_text(text, encoding="utf-8")
    config = load_billing_config(path)
    episodes, memberships = teams(3, date(2025, 4, 10))

    year = yearly_remuneration(NURSE, 2025, episodes, memberships, config, tz=UTC)

    assert year.involvement.earned is True
    assert year.total_due == Decimal("230.50")
    assert year.tool.message == "Acquise pour 2025 : 150,50\u00a0€."


def test_practice_wide_listing_keeps_each_professional(config: BillingConfig) -> None:
    episodes, memberships = teams(5, date(2025, 4, 10))
    colleague = professional("Perrin", "Louis", Profession.MEDECIN)
    memberships.append(member(episodes[0], colleague))

    rows = remuneration_by_professional(
        [NURSE, colleague], 2025, iter(episodes), iter(memberships), config, tz=UTC
    )

    assert [(r.professional_id, r.escap_count) for r in rows] == [(NURSE.id, 5), (colleague.id, 1)]


def test_euros_are_written_the_french_way() -> None:
    assert format_euros(Decimal("100.00")) == "100\u00a0€"
    assert format_euros(Decimal("1250.5")) == "1\u202f250,50\u00a0€"


def test_the_days_of_an_incomplete_team_do_not_count(config: BillingConfig) -> None:
    """Active from 10/12/2025, incomplete from 20/12/2025 to 15/02/2026, then complete again:
    2025 counts (10 complete days), and 2026 counts only thanks to its days from 16/02."""
    episodes, memberships = teams(1, date(2025, 12, 10))
    episode = episodes[0]
    hole = {episode.id: (DateSpan(date(2025, 12, 20), date(2026, 2, 15)),)}

    counted_2025 = escaps_counted(NURSE.id, 2025, episodes, memberships, incomplete=hole, tz=UTC)
    assert counted_2025[0].days == DateSpan(date(2025, 12, 10), date(2025, 12, 19))
    counted_2026 = escaps_counted(NURSE.id, 2026, episodes, memberships, incomplete=hole, tz=UTC)
    assert counted_2026[0].days == DateSpan(date(2026, 2, 16), date(2026, 12, 31))

    # Incomplete since 20/12/2025 and never complete again: nothing in 2026.
    open_hole = {episode.id: (DateSpan(date(2025, 12, 20), date(2026, 12, 31)),)}
    year = yearly_remuneration(
        NURSE, 2026, episodes, memberships, config, incomplete=open_hole, tz=UTC
    )
    assert year.escap_count == 0
    assert year.tool.earned is False


def test_date_spans_without_holes() -> None:
    span = DateSpan(date(2026, 1, 1), date(2026, 1, 31))
    holes = [DateSpan(date(2026, 1, 10), date(2026, 1, 12)), DateSpan(date(2026, 1, 31))]
    assert span.without(holes) == [
        DateSpan(date(2026, 1, 1), date(2026, 1, 9)),
        DateSpan(date(2026, 1, 13), date(2026, 1, 30)),
    ]
    assert span.without([DateSpan(date(2025, 12, 1), date(2026, 2, 1))]) == []
    assert DateSpan(date(2026, 1, 1)).without([DateSpan(date(2026, 1, 5), date(2026, 1, 6))]) == [
        DateSpan(date(2026, 1, 1), date(2026, 1, 4)),
        DateSpan(date(2026, 1, 7), None),
    ]
