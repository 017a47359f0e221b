"""Entities to canonical JSON and back, clocks and the merge rules, without any relay."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from escap_desktop.core.entities import (
    Caregiver,
    ClinicalSituation,
    Consent,
    DataCategory,
    Escap,
    GridAssessment,
    Message,
    OtherScheme,
    OtherSchemeKind,
    Patient,
    Prerequisite,
    Sex,
)
from escap_desktop.sync.clock import ZERO, Hlc, HlcState
from escap_desktop.sync.codec import CodecError, canonical_json, entity_from_dict, entity_to_dict
from escap_desktop.sync.identity_map import PROFESSIONAL_REFS
from escap_desktop.sync.merge import ENTITY_TYPES, merge

AT = datetime(2026, 11, 25, 9, 30, 15, 123456, tzinfo=UTC)

SAMPLES: list[object] = [
    Patient(
        birth_name="D'Almeida-Lefèvre",
        first_names="Zoë Marie-Thérèse",
        birth_date=date(1940, 2, 29),
        sex=Sex.FEMALE,
        caregivers=(Caregiver("Jean N'Diaye", "fils", "0612345678"), Caregiver("Œdipe Ä")),
        other_schemes=(OtherScheme(OtherSchemeKind.HAD, since=date(2025, 4, 1)),),
    ),
    Escap(patient_id="p" * 32, created_by="c" * 32, created_at=AT),
    Consent(
        escap_id="e" * 32,
        patient_id="p" * 32,
        collected_by="c" * 32,
        scopes=frozenset({DataCategory.SOCIAL, DataCategory.MEDICAL}),
        recipient_ids=("b" * 32, "a" * 32),
    ),
    GridAssessment(
        escap_id="e" * 32,
        patient_id="p" * 32,
        assessor_id="c" * 32,
        assessed_on=date(2026, 11, 2),
        grid_id="escap",
        grid_version="2025.1",
        answers={"age": True, "chutes": False},
        score=13,
        threshold=13,
        situation=ClinicalSituation(stroke_discharge_date=date(2026, 5, 1), on_insulin=True),
        prerequisites_met=(Prerequisite.STROKE_RECENT, Prerequisite.DIABETES_INSULIN),
        recorded_at=AT.astimezone(timezone(timedelta(hours=2))),
    ),
    Message(
        escap_id="e" * 32,
        author_id="a" * 32,
        sent_at=AT,
        body="« Glycémie » à 1,32 g/l — œdème ?",
        read_by=frozenset({"b" * 32, "a" * 32}),
    ),
]


@pytest.mark.parametrize("entity", SAMPLES, ids=lambda e: type(e).__name__)
def test_every_field_survives_the_round_trip(entity: object) -> None:
    data = entity_to_dict(entity)
    assert entity_from_dict(type(entity), data) == entity
    # Canonical: sets sorted, keys sorted, accents kept, one byte string per value.
    text = canonical_json(data)
    assert canonical_json(entity_to_dict(entity_from_dict(type(entity), data))) == text
    assert b"\\u" not in text


def test_a_naive_datetime_is_a_bug_not_a_record() -> None:
    with pytest.raises(ValueError, match="fuseau"):
        entity_to_dict(Escap(patient_id="p", created_by="c", created_at=datetime(2026, 1, 1)))


def test_unknown_fields_are_ignored_and_missing_ones_take_their_default() -> None:
    data = entity_to_dict(SAMPLES[4])
    data["reaction"] = "👍"  # a field from a newer version
    del data["category"]
    assert entity_from_dict(Message, data).category is DataCategory.MEDICAL
    del data["body"]
    with pytest.raises(CodecError, match="body"):
        entity_from_dict(Message, data)
    with pytest.raises(CodecError):
        entity_from_dict(Message, {**entity_to_dict(SAMPLES[4]), "sent_at": "hier"})


def test_every_field_naming_a_professional_is_translated() -> None:
    """A new field holding a professional id must be added to PROFESSIONAL_REFS."""
    suffixes = ("_by", "author_id", "professional_id", "responsible_id", "assessor_id")
    for name, entity_type in ENTITY_TYPES.items():
        for field in dataclasses.fields(entity_type):
            if field.name.endswith(suffixes) or field.name in ("read_by", "recipient_ids"):
                assert field.name in PROFESSIONAL_REFS.get(name, ()), (name, field.name)
        assert "medecin_traitant_id" in PROFESSIONAL_REFS["Patient"]


def test_the_clock_never_goes_back_and_moves_past_what_it_saw() -> None:
    now = [1000.0]
    clock = HlcState(0, 0, "noeud-a")
    first = clock.tick(lambda: now[0])
    now[0] = 999.0  # the wall clock went back
    second = clock.tick(lambda: now[0])
    assert second > first
    clock.observe(Hlc(5_000_000, 7, "noeud-b"))  # a reading from a store ahead in time
    assert clock.tick(lambda: now[0]) > Hlc(5_000_000, 7, "noeud-b")
    assert Hlc.from_json(first.to_json()) == first
    assert first > ZERO


clocks = st.builds(Hlc, st.integers(0, 5), st.integers(0, 3), st.sampled_from(["a", "b", "c"]))
titles = st.sampled_from(["Marche", "Pansement", "Kiné"])
statuses = st.sampled_from(["a_faire", "faite", "annulee"])
versions = st.fixed_dictionaries(
    {"title": st.tuples(titles, clocks), "status": st.tuples(statuses, clocks)}
)


def _action(version: dict[str, tuple[str, Hlc]]) -> tuple[dict[str, object], dict[str, Hlc]]:
    entity = {
        "id": "x",
        "title": version["title"][0],
        "status": version["status"][0],
        "completed_on": None,
    }
    return entity, {"title": version["title"][1], "@status": version["status"][1]}


@given(st.lists(versions, min_size=1, max_size=5), st.randoms())
def test_merging_versions_in_any_order_gives_one_result(
    drawn: list[dict[str, tuple[str, Hlc]]], rng: object
) -> None:
    # Distinct writes never share a clock reading: keep one version per (group, clock).
    seen: set[tuple[str, Hlc]] = set()
    unique = []
    for version in drawn:
        keys = {("title", version["title"][1]), ("status", version["status"][1])}
        if keys & seen:
            continue
        seen |= keys
        unique.append(_action(version))
    results = []
    for _ in range(3):
        order = list(unique)
        rng.shuffle(order)  # type: ignore[attr-defined]
        state, state_clocks = None, {}
        for entity, entity_clocks in order + order[:1]:  # and one replayed version
            state, state_clocks = merge("Action", state, state_clocks, entity, entity_clocks)
        results.append((state, state_clocks))
    assert results[0] == results[1] == results[2]


def test_a_later_consent_amendment_wins_whatever_the_clocks() -> None:
    def consent(amendment: int, scopes: list[str]) -> dict[str, object]:
        return {
            "id": "c",
            "status": "signe",
            "scopes": scopes,
            "recipient_ids": [],
            "recipient_professions": [],
            "amendment": amendment,
            "amended_on": None,
        }

    second = consent(2, ["administratif"])
    first = consent(1, ["administratif", "medical"])
    late_clock, early_clock = Hlc(9, 0, "b"), Hlc(1, 0, "a")
    merged, _ = merge("Consent", second, {"@scope": early_clock}, first, {"@scope": late_clock})
    assert (merged["amendment"], merged["scopes"]) == (2, ["administratif"])
    merged, _ = merge("Consent", first, {"@scope": late_clock}, second, {"@scope": early_clock})
    assert (merged["amendment"], merged["scopes"]) == (2, ["administratif"])


def test_active_and_incomplete_share_a_rank_so_the_later_write_wins() -> None:
    def escap(state: str) -> dict[str, object]:
        return {
            "id": "e",
            "state": state,
            "activated_at": None,
            "closed_at": None,
            "exit_reason": None,
            "exit_note": "",
        }

    early, late = Hlc(1, 0, "a"), Hlc(2, 0, "b")
    merged, _ = merge(
        "Escap", escap("active"), {"@lifecycle": early}, escap("incomplete"), {"@lifecycle": late}
    )
    assert merged["state"] == "incomplete"
    merged, _ = merge(
        "Escap", escap("incomplete"), {"@lifecycle": early}, escap("active"), {"@lifecycle": late}
    )
    assert merged["state"] == "active"
    merged, _ = merge(
        "Escap", escap("cloturee"), {"@lifecycle": early}, escap("incomplete"), {"@lifecycle": late}
    )
    assert merged["state"] == "cloturee"
