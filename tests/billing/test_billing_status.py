"""Who may bill which tracer code, and when an ESCAP's payment is released."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date

import pytest

from escap_desktop.core.entities import (
    BillingKind,
    BillingRecord,
    Escap,
    EscapState,
    MembershipStatus,
    Profession,
)
from escap_desktop.core.rules.billing import (
    BillingConfig,
    BillingError,
    check_can_bill,
    entry_reminder,
    escap_billing_status,
    load_billing_config,
    members_to_remind,
    new_billing_record,
)
from tests.billing.builders import escap, member, noon, professional

ACTIVATED = date(2025, 6, 2)
CLOSED = date(2025, 11, 14)


@pytest.fixture
def config() -> BillingConfig:
    return load_billing_config()


@pytest.fixture
def team() -> dict:
    """An active episode: a GP, a nurse and a physio accepted, a pharmacist only invited."""
    episode = escap(ACTIVATED)
    gp = professional("Lefèvre", "Marie", Profession.MEDECIN, "10000000001")
    nurse = professional("N'Diaye", "Awa", Profession.INFIRMIER, "10000000002")
    physio = professional("Dubois-Martin", "Jérôme", Profession.MASSEUR_KINESITHERAPEUTE)
    pharmacist = professional("Guérin", "Paul", Profession.PHARMACIEN)
    helper = professional("Roux", "Sandrine", Profession.AIDE_A_DOMICILE, "")
    memberships = [
        member(episode, gp, accepted=date(2025, 5, 20), role="Médecin traitant"),
        member(episode, nurse, accepted=date(2025, 5, 21)),
        member(episode, physio, accepted=date(2025, 5, 22)),
        member(episode, pharmacist, status=MembershipStatus.INVITED),
        member(episode, helper, accepted=date(2025, 5, 22)),
    ]
    return {
        "escap": episode,
        "gp": gp,
        "nurse": nurse,
        "physio": physio,
        "pharmacist": pharmacist,
        "helper": helper,
        "memberships": memberships,
        "people": [gp, nurse, physio, pharmacist, helper],
    }


def escap_closed(team: dict) -> Escap:
    return replace(team["escap"], state=EscapState.CLOSED, closed_at=noon(CLOSED))


def bill(team: dict, who: str, kind: BillingKind, day: date) -> BillingRecord:
    return BillingRecord(team["escap"].id, team[who].id, kind, "X", day)


def test_entry_billing_gets_the_configured_code(team: dict, config: BillingConfig) -> None:
    record = new_billing_record(
        team["escap"],
        BillingKind.ENTRY,
        team["nurse"],
        team["memberships"],
        [],
        config,
        billed_on=date(2025, 6, 3),
        today=date(2025, 6, 3),
        tz=UTC,
    )

    assert record.code == config.entry_code
    assert record.kind is BillingKind.ENTRY
    assert record.professional_id == team["nurse"].id


def test_entry_refused_before_the_team_is_active(team: dict) -> None:
    forming = replace(team["escap"], state=EscapState.FORMING, activated_at=None)
    with pytest.raises(BillingError, match=r"l'équipe n'est pas active .*Équipe en constitution"):
        check_can_bill(forming, BillingKind.ENTRY, team["nurse"], team["memberships"], [])


def test_entry_refused_while_the_team_is_incomplete(team: dict, config: BillingConfig) -> None:
    incomplete = replace(team["escap"], state=EscapState.INCOMPLETE)
    with pytest.raises(BillingError) as error:
        check_can_bill(incomplete, BillingKind.ENTRY, team["nurse"], team["memberships"], [])
    assert "tant que l'équipe est incomplète" in error.value.message
    assert "au moins 3 professionnels de santé, dont le médecin traitant" in error.value.message
    with pytest.raises(BillingError, match="qu'une fois l'ESCAP clôturée"):
        check_can_bill(incomplete, BillingKind.EXIT, team["nurse"], team["memberships"], [])
    # Complete again: the same nurse bills as before.
    check_can_bill(team["escap"], BillingKind.ENTRY, team["nurse"], team["memberships"], [])


def test_entry_refused_twice_for_the_same_episode(team: dict) -> None:
    first = bill(team, "nurse", BillingKind.ENTRY, date(2025, 6, 3))
    with pytest.raises(BillingError) as caught:
        check_can_bill(
            team["escap"], BillingKind.ENTRY, team["nurse"], team["memberships"], [first]
        )
    assert str(caught.value) == (
        "La lettre clé d'entrée a déjà été facturée par Awa N'DIAYE pour cet épisode, "
        "le 03/06/2025."
    )


def test_entry_of_another_episode_does_not_block(team: dict) -> None:
    other = replace(bill(team, "nurse", BillingKind.ENTRY, date(2025, 6, 3)), escap_id="autre")
    check_can_bill(team["escap"], BillingKind.ENTRY, team["nurse"], team["memberships"], [other])


def test_invited_only_and_unknown_professionals_may_not_bill(team: dict) -> None:
    with pytest.raises(BillingError, match="n'est pas membre de cette ESCAP"):
        check_can_bill(
            team["escap"], BillingKind.ENTRY, team["pharmacist"], team["memberships"], []
        )
    stranger = professional("Blanc", "Hugo", Profession.MEDECIN)
    with pytest.raises(BillingError, match="n'est pas membre de cette ESCAP"):
        check_can_bill(team["escap"], BillingKind.ENTRY, stranger, team["memberships"], [])


def test_social_actors_do_not_bill(team: dict) -> None:
    with pytest.raises(BillingError, match="seuls les professionnels de santé facturent"):
        check_can_bill(team["escap"], BillingKind.ENTRY, team["helper"], team["memberships"], [])


def test_exit_only_once_closed(team: dict) -> None:
    with pytest.raises(BillingError, match="qu'une fois l'ESCAP clôturée"):
        check_can_bill(team["escap"], BillingKind.EXIT, team["nurse"], team["memberships"], [])
    closed = escap_closed(team)
    check_can_bill(closed, BillingKind.EXIT, team["nurse"], team["memberships"], [], tz=UTC)


def test_exit_refused_to_a_member_who_left_before_closure(team: dict) -> None:
    closed = escap_closed(team)
    memberships = [
        replace(m, status=MembershipStatus.LEFT, left_at=closed.activated_at)
        if m.professional_id == team["physio"].id
        else m
        for m in team["memberships"]
    ]
    with pytest.raises(BillingError, match="avait quitté l'équipe avant la clôture"):
        check_can_bill(closed, BillingKind.EXIT, team["physio"], memberships, [], tz=UTC)
    # ... but the entry they never billed can still be billed late.
    check_can_bill(closed, BillingKind.ENTRY, team["physio"], memberships, [], tz=UTC)


def test_member_who_left_before_activation_bills_nothing(team: dict) -> None:
    memberships = [
        member(team["escap"], team["physio"], accepted=date(2025, 5, 1), left=date(2025, 5, 30))
    ]
    with pytest.raises(BillingError, match="pendant qu'elle était active"):
        check_can_bill(team["escap"], BillingKind.ENTRY, team["physio"], memberships, [], tz=UTC)


def test_episode_closed_without_ever_being_active_bills_nothing(team: dict) -> None:
    never = escap(None, date(2025, 6, 1))
    memberships = [member(never, team["nurse"], accepted=date(2025, 5, 1))]
    for kind in BillingKind:
        with pytest.raises(BillingError, match="l'équipe n'est pas active"):
            check_can_bill(never, kind, team["nurse"], memberships, [], tz=UTC)


def test_billing_dates_are_checked(team: dict) -> None:
    args = (team["escap"], BillingKind.ENTRY, team["nurse"], team["memberships"], [])
    with pytest.raises(
        BillingError, match=r"ne peut pas précéder l'activation de l'équipe \(02/06"
    ):
        check_can_bill(*args, billed_on=date(2025, 6, 1), tz=UTC)
    with pytest.raises(BillingError, match="ne peut pas être dans le futur"):
        check_can_bill(*args, billed_on=date(2025, 6, 10), today=date(2025, 6, 9), tz=UTC)
    check_can_bill(*args, billed_on=date(2025, 6, 2), today=date(2025, 6, 2), tz=UTC)


def test_payment_waits_for_three_distinct_health_professionals(
    team: dict, config: BillingConfig
) -> None:
    records = [
        bill(team, "gp", BillingKind.ENTRY, date(2025, 6, 3)),
        bill(team, "nurse", BillingKind.ENTRY, date(2025, 6, 4)),
        # A duplicate (received twice by sync) never counts as a third professional.
        bill(team, "nurse", BillingKind.ENTRY, date(2025, 6, 5)),
        # Neither do a non-member's record nor a social actor's.
        bill(team, "pharmacist", BillingKind.ENTRY, date(2025, 6, 5)),
        bill(team, "helper", BillingKind.ENTRY, date(2025, 6, 5)),
    ]
    status = escap_billing_status(
        team["escap"], team["memberships"], team["people"], records, config, tz=UTC
    )

    assert status.payment_condition_met is False
    assert status.entry.billed_by == (team["gp"].id, team["nurse"].id)
    assert status.entry.missing == 1
    assert status.payment_sentence == (
        "Paiement pas encore déclenché : encore 1 professionnel de santé doit facturer "
        f"l'entrée ({config.entry_code}) (2 sur 3)."
    )
    assert {r.professional_id for r in status.ignored_records} == {
        team["pharmacist"].id,
        team["helper"].id,
    }
    nurse = status.member(team["nurse"].id)
    assert nurse is not None
    assert nurse.entry_billed_on == date(2025, 6, 4)
    assert nurse.can_bill_entry is False
    physio = status.member(team["physio"].id)
    assert physio is not None
    assert physio.entry_billed_on is None
    assert physio.can_bill_entry is True
    assert "qu'une fois l'ESCAP clôturée" in physio.exit_refusal
    assert status.member(team["pharmacist"].id) is None

    records.append(bill(team, "physio", BillingKind.ENTRY, date(2025, 6, 6)))
    status = escap_billing_status(
        team["escap"], team["memberships"], team["people"], records, config, tz=UTC
    )
    assert status.payment_condition_met is True
    assert status.payment_sentence == (
        "Condition de paiement remplie : 3 professionnels de santé ont facturé l'entrée "
        f"({config.entry_code}), le paiement de l'ESCAP est déclenché."
    )
    # The exit count, still at 0, says nothing that contradicts the payment.
    assert "paiement de l'ESCAP" in status.exit.message
    assert "déclencher" not in status.exit.message


def test_exit_codes_are_counted_separately(team: dict, config: BillingConfig) -> None:
    closed = escap_closed(team)
    records = [
        bill(team, who, BillingKind.ENTRY, date(2025, 6, 3)) for who in ("gp", "nurse", "physio")
    ] + [bill(team, "gp", BillingKind.EXIT, CLOSED)]
    status = escap_billing_status(
        closed, team["memberships"], team["people"], records, config, tz=UTC
    )

    assert status.payment_condition_met is True
    assert status.exit.count == 1
    assert status.exit.met is False
    assert status.exit.missing == 2
    gp = status.member(team["gp"].id)
    assert gp is not None
    assert gp.exit_billed_on == CLOSED
    assert gp.can_bill_exit is False
    nurse = status.member(team["nurse"].id)
    assert nurse is not None
    assert nurse.can_bill_exit is True


def test_members_to_remind_are_accepted_health_professionals_without_entry(team: dict) -> None:
    records = [bill(team, "gp", BillingKind.ENTRY, date(2025, 6, 3))]
    declined = professional("Faure", "Luc", Profession.ORTHOPHONISTE)
    memberships = [
        *team["memberships"],
        member(team["escap"], declined, status=MembershipStatus.DECLINED),
    ]
    people = [*team["people"], declined]

    reminded = members_to_remind(team["escap"], memberships, people, records)

    assert [p.id for p in reminded] == [team["nurse"].id, team["physio"].id]


def test_nobody_is_reminded_unless_the_team_is_active(team: dict) -> None:
    forming = replace(team["escap"], state=EscapState.FORMING, activated_at=None)
    assert members_to_remind(forming, team["memberships"], team["people"], []) == ()
    assert members_to_remind(escap_closed(team), team["memberships"], team["people"], []) == ()


def test_reminder_names_the_configured_code(config: BillingConfig) -> None:
    assert entry_reminder(config) == (
        "L'équipe est active : pensez à facturer la lettre clé d'entrée "
        f"{config.entry_code} (code provisoire) pour ce patient."
    )
