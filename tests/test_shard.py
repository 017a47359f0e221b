"""The shares of a date-shifted pass: together the whole suite, each test once, kept ones always."""

from __future__ import annotations

from tests.support.shard import shard_from_environment

NODES = [f"tests/ui/test_page.py::test_{n}" for n in range(300)] + [
    f"tests/services/test_rules.py::test_{n}" for n in range(20)
]


def _share(index: int, seed: str, count: int = 4) -> set[str]:
    shard = shard_from_environment(
        {
            "ESCAP_TEST_SHARD": f"{index}/{count}",
            "ESCAP_TEST_SHARD_KEEP": "tests/services, tests/billing",
            "ESCAP_TEST_SHARD_SEED": seed,
        }
    )
    assert shard is not None
    return {node for node in NODES if shard.runs(node)}


def test_eight_shares_cover_every_split_test_once_and_every_kept_test_each_time() -> None:
    # .ci/run's date-shifted passes take four of these eight shares per commit, a half that
    # changes with the commit: over the commits, each split test runs once per set of eight.
    shares = [_share(index, "abc123", count=8) for index in range(8)]
    kept = {node for node in NODES if node.startswith("tests/services")}
    split = set(NODES) - kept
    for share in shares:
        assert kept <= share
        assert 20 < len(share - kept) < 60  # roughly an eighth each
    assert set.union(*(share - kept for share in shares)) == split
    assert sum(len(share - kept) for share in shares) == len(split)


def test_the_shares_change_with_the_commit() -> None:
    assert _share(0, "abc123") != _share(0, "def456")


def test_no_share_asked_means_the_whole_run() -> None:
    assert shard_from_environment({}) is None
