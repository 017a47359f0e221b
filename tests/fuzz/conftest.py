"""Shared settings of the fuzz tests: bounded so the whole folder stays well under a minute.

``ESCAP_FUZZ_EXAMPLES`` raises the number of examples for a longer local run (the examples are
random each run; hypothesis prints the seed to replay a failure).
"""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("ESCAP_FUZZ_EXAMPLES", "150"))

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=timedelta(milliseconds=800),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=12,
)
"""Any JSON document (what a hostile peer can put in a body)."""


def mutate(data: bytes, draw: st.DrawFn) -> bytes:
    """A few random byte-level edits of ``data``: flips, cuts, insertions, duplications."""
    result = bytearray(data)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        if not result:
            result += draw(st.binary(min_size=1, max_size=8))
            continue
        where = draw(st.integers(min_value=0, max_value=len(result) - 1))
        operation = draw(st.sampled_from(["flip", "cut", "insert", "repeat", "byte"]))
        if operation == "flip":
            result[where] ^= 1 << draw(st.integers(min_value=0, max_value=7))
        elif operation == "cut":
            end = where + draw(st.integers(min_value=1, max_value=16))
            del result[where:end]
        elif operation == "insert":
            result[where:where] = draw(st.binary(min_size=1, max_size=16))
        elif operation == "repeat":
            end = where + draw(st.integers(min_value=1, max_value=32))
            result[where:where] = result[where:end]
        else:
            result[where] = draw(st.sampled_from(b'{}[]",:\\0aZ-_\x00\xff'))
    return bytes(result)
