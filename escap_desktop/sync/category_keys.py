"""One team key per data category, in the team's single key version space.

Each *generation* of a team's keys is three independent random keys, one per category, with
consecutive versions: generation g holds version 3(g-1)+1 (administrative), +2 (social) and
+3 (medical). A record is sealed with the latest key of its category (``core.rules.access``),
and a member's device receives only the keys of the categories that member may read: a social
worker's device never holds a medical key, so it cannot open a medical record even with a copy
of the envelope. A removal starts a new generation (the three keys rotate together).

Encoding the category in the version keeps the relay, the wire format and the store unchanged:
the relay already stores opaque key versions; it learns a record's category from its version,
as it already learns the record's kind.
"""

from __future__ import annotations

from collections.abc import Iterable

from escap_desktop.core.entities import DataCategory
from escap_desktop.sync.crypto import TeamKey

CATEGORY_ORDER: tuple[DataCategory, ...] = (
    DataCategory.ADMINISTRATIVE,
    DataCategory.SOCIAL,
    DataCategory.MEDICAL,
)
PER_GENERATION = len(CATEGORY_ORDER)


def version_for(generation: int, category: DataCategory) -> int:
    return (generation - 1) * PER_GENERATION + CATEGORY_ORDER.index(category) + 1


def category_of_version(version: int) -> DataCategory:
    return CATEGORY_ORDER[(version - 1) % PER_GENERATION]


def generation_of(version: int) -> int:
    return (version - 1) // PER_GENERATION + 1


def generation_end(version: int) -> int:
    """The last version of ``version``'s generation: a departed member's cut-off."""
    return generation_of(version) * PER_GENERATION


def new_generation(keys: Iterable[int]) -> list[TeamKey]:
    """Three fresh random keys, one generation after the latest one in ``keys``."""
    generation = max((generation_of(version) for version in keys), default=0) + 1
    return [TeamKey.generate(version_for(generation, category)) for category in CATEGORY_ORDER]


def latest_key_for(keys: dict[int, bytes], category: DataCategory) -> TeamKey | None:
    """The key a new record of ``category`` is sealed with; None if this device lacks it."""
    versions = [v for v in keys if category_of_version(v) is category]
    if not versions:
        return None
    version = max(versions)
    return TeamKey(version, keys[version])


def readable_versions(keys: Iterable[int], categories: frozenset[DataCategory]) -> list[int]:
    return sorted(v for v in keys if category_of_version(v) in categories)
