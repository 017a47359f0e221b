"""Which tests a date-shifted pass of .ci/run runs, when it runs only a share of them.

Running every date-sensitive test on each of the hard days would put .ci/run over its time
budget, so each pass runs all the tests kept whole (the rules: billing, the clock, the
midnight tests) and one share of the rest (use cases, GUI, sync): an eighth each, four of the
eight per commit, so half of the rest runs at a moved date; which test falls in which share
changes with the commit, so over a few commits every test meets every hard day. Set by .ci/run
through ``ESCAP_TEST_SHARD`` ("k/n", k from 0), with ``ESCAP_TEST_SHARD_KEEP`` (comma-separated
path prefixes never split) and ``ESCAP_TEST_SHARD_SEED``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass

SHARD_ENV = "ESCAP_TEST_SHARD"
KEEP_ENV = "ESCAP_TEST_SHARD_KEEP"
SEED_ENV = "ESCAP_TEST_SHARD_SEED"


@dataclass(frozen=True)
class Shard:
    index: int
    count: int
    keep: tuple[str, ...]
    seed: str

    def runs(self, nodeid: str) -> bool:
        """Whether this pass runs the test ``nodeid`` (its id relative to the project)."""
        if any(nodeid.startswith(prefix) for prefix in self.keep):
            return True
        digest = hashlib.sha256(f"{self.seed}:{nodeid}".encode()).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index


def shard_from_environment(environ: os._Environ[str] | dict[str, str] = os.environ) -> Shard | None:
    """The share asked for by the environment, or None for a whole run."""
    text = environ.get(SHARD_ENV, "").strip()
    if not text:
        return None
    index_text, _, count_text = text.partition("/")
    index, count = int(index_text), int(count_text)
    if not 0 <= index < count:
        raise ValueError(f"{SHARD_ENV}={text} : attendu k/n avec 0 <= k < n")
    keep = _prefixes(environ.get(KEEP_ENV, "").split(","))
    return Shard(index, count, keep, environ.get(SEED_ENV, ""))


def _prefixes(parts: Sequence[str]) -> tuple[str, ...]:
    return tuple(part.strip() for part in parts if part.strip())
