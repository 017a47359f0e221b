"""Who reads which category of data: the consent's scopes and the profession, at each boundary."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from escap_desktop.core.entities import (
    Action,
    BillingKind,
    BillingRecord,
    ClinicalSituation,
    Consent,
    DataCategory,
    Escap,
    Event,
    EventKind,
    GridAssessment,
    Membership,
    Message,
    Profession,
    Professional,
)
from escap_desktop.core.errors import ConsentError
from escap_desktop.core.rules.access import (
    author_of,
    category_of,
    category_of_kind,
    ensure_can_write,
    may_resend_history,
    profession_categories,
    readable_categories,
)
from escap_desktop.sync.category_keys import (
    category_of_version,
    generation_end,
    latest_key_for,
    new_generation,
    readable_versions,
    version_for,
)

MEDICAL, SOCIAL, ADMIN = DataCategory.MEDICAL, DataCategory.SOCIAL, DataCategory.ADMINISTRATIVE
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SOCIAL_ACTORS = (Profession.ASSISTANT_SERVICE_SOCIAL, Profession.AIDE_A_DOMICILE, Profession.AUTRE)
HEALTH = tuple(p for p in Profession if p not in SOCIAL_ACTORS)


def consent(*scopes: DataCategory) -> Consent:
    return Consent("e", "p", "gp", scopes=frozenset(scopes))


def test_messages_and_actions_carry_their_category_events_and_grids_are_medical() -> None:
    assert category_of(Message("e", "a", NOW, "x", category=SOCIAL)) is SOCIAL
    assert category_of(Message("e", "a", NOW, "x")) is MEDICAL
    assert category_of(Action("e", "t", "a", NOW, category=ADMIN)) is ADMIN
    assert category_of(Event("e", EventKind.MOVE, date(2026, 1, 1), "a")) is MEDICAL
    grid = GridAssessment("e", "p", "a", date(2026, 1, 1), "g", "1", {}, 0, 0, ClinicalSituation())
    assert category_of(grid) is MEDICAL
    for administrative in (
        Consent("e", "p", "a"),
        Membership("e", "a", "b", NOW),
        Escap("p", "a", NOW),
        Professional("A", "B", Profession.MEDECIN),
        BillingRecord("e", "a", BillingKind.ENTRY, "X", date(2026, 1, 1)),
    ):
        assert category_of(administrative) is ADMIN


def test_the_wire_rule_matches_and_an_unknown_category_is_treated_as_medical() -> None:
    assert category_of_kind("Message", "social") is SOCIAL
    assert category_of_kind("Action", "administratif") is ADMIN
    assert category_of_kind("Message", "bogus") is MEDICAL
    assert category_of_kind("Action", None) is MEDICAL
    assert category_of_kind("Event") is MEDICAL
    assert category_of_kind("GridAssessment") is MEDICAL
    for kind in ("Escap", "Patient", "Consent", "Membership", "BillingRecord", "Professional"):
        assert category_of_kind(kind, "medical") is ADMIN


@pytest.mark.parametrize("profession", HEALTH)
def test_every_health_profession_reads_all_three_categories(profession: Profession) -> None:
    assert profession_categories(profession) == frozenset(DataCategory)
    assert readable_categories(profession, consent(MEDICAL, SOCIAL, ADMIN)) == frozenset(
        DataCategory
    )


@pytest.mark.parametrize("profession", SOCIAL_ACTORS)
def test_social_actors_never_read_medical_data_even_with_full_consent(
    profession: Profession,
) -> None:
    assert readable_categories(profession, consent(*DataCategory)) == {SOCIAL, ADMIN}
    assert readable_categories(profession, None) == {SOCIAL, ADMIN}
    with pytest.raises(ConsentError, match="Votre profession ne donne pas accès"):
        ensure_can_write(profession, consent(*DataCategory), MEDICAL)
    ensure_can_write(profession, consent(*DataCategory), SOCIAL)


def test_only_a_health_professional_may_resend_the_teams_whole_file() -> None:
    # Whoever resends the file after a purge must hold every category a colleague may read:
    # a social actor's device would leave the medical records out for good.
    for profession in HEALTH:
        assert may_resend_history(profession)
        assert readable_categories(profession, consent(*DataCategory)) == frozenset(DataCategory)
    for profession in SOCIAL_ACTORS:
        assert not may_resend_history(profession)
    assert not may_resend_history(None)


def test_the_consent_scopes_narrow_what_everyone_reads_but_never_administrative_data() -> None:
    gp = Profession.MEDECIN
    assert readable_categories(gp, consent(SOCIAL)) == {SOCIAL, ADMIN}
    assert readable_categories(gp, consent(MEDICAL)) == {MEDICAL, ADMIN}
    assert readable_categories(gp, consent(ADMIN)) == {ADMIN}
    assert readable_categories(Profession.ASSISTANT_SERVICE_SOCIAL, consent(MEDICAL)) == {ADMIN}
    with pytest.raises(ConsentError, match="consentement du patient ne couvre pas"):
        ensure_can_write(gp, consent(SOCIAL), MEDICAL)
    ensure_can_write(gp, consent(SOCIAL), ADMIN)


def test_without_a_consent_record_the_profession_decides_and_unknown_reads_admin_only() -> None:
    assert readable_categories(Profession.INFIRMIER, None) == frozenset(DataCategory)
    assert readable_categories(None, consent(*DataCategory)) == {ADMIN}
    assert profession_categories(None) == {ADMIN}


def test_key_versions_carry_their_category_generation_by_generation() -> None:
    assert [version_for(1, c) for c in (ADMIN, SOCIAL, MEDICAL)] == [1, 2, 3]
    assert [version_for(2, c) for c in (ADMIN, SOCIAL, MEDICAL)] == [4, 5, 6]
    assert [category_of_version(v) for v in range(1, 7)] == [ADMIN, SOCIAL, MEDICAL] * 2
    assert [generation_end(v) for v in range(1, 7)] == [3, 3, 3, 6, 6, 6]
    first = new_generation([])
    assert [k.version for k in first] == [1, 2, 3]
    assert len({k.key for k in first}) == 3  # independent keys, none derived from another
    second = new_generation([1, 2, 3])
    assert [k.version for k in second] == [4, 5, 6]
    keys = {k.version: k.key for k in first + second}
    assert readable_versions(keys, frozenset({SOCIAL, ADMIN})) == [1, 2, 4, 5]
    latest = latest_key_for(keys, MEDICAL)
    assert latest is not None
    assert latest.version == 6
    assert latest_key_for({1: keys[1], 2: keys[2]}, MEDICAL) is None


def test_the_author_of_a_restricted_record_is_known_for_each_kind() -> None:
    grid = GridAssessment("e", "p", "gp", date(2026, 1, 1), "g", "1", {}, 0, 0, ClinicalSituation())
    assert author_of(Message("e", "gp", NOW, "x")) == "gp"
    assert author_of(Action("e", "t", "gp", NOW)) == "gp"
    assert author_of(Event("e", EventKind.MOVE, date(2026, 1, 1), "gp")) == "gp"
    assert author_of(grid) == "gp"
    assert author_of(Escap("p", "gp", NOW)) == "gp"  # administrative: read by all anyway
