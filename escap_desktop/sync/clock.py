"""Hybrid logical clocks: the order in which concurrent edits of one field are merged.

A reading is (wall milliseconds, counter, node id). It follows the wall clock when clocks agree,
and never goes backwards or repeats when they do not: a store that received a reading from the
future keeps counting from it. The node id (one per store) breaks the remaining ties, so every
store orders any two edits the same way, whatever order it received them in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

WallClock = Callable[[], float]
"""Seconds since the epoch, from the practice's clock (``Clock.timestamp``)."""


@dataclass(frozen=True, order=True, slots=True)
class Hlc:
    ms: int
    counter: int
    node: str

    def to_json(self) -> list[Any]:
        return [self.ms, self.counter, self.node]

    @classmethod
    def from_json(cls, value: Any) -> Hlc:
        if (
            not isinstance(value, list)
            or len(value) != 3
            or not isinstance(value[0], int)
            or not isinstance(value[1], int)
            or not isinstance(value[2], str)
            or isinstance(value[0], bool)
            or isinstance(value[1], bool)
        ):
            raise ValueError("horloge invalide")
        return cls(value[0], value[1], value[2])


ZERO = Hlc(0, 0, "")
"""Older than any reading: the clock of a group nobody has written yet."""


@dataclass(slots=True)
class HlcState:
    """The last reading issued or seen by this store (persisted in ``sync_state``)."""

    ms: int
    counter: int
    node: str

    def tick(self, wall: WallClock) -> Hlc:
        """A new reading for a local write, later than anything issued or seen so far."""
        now = int(wall() * 1000)
        if now > self.ms:
            self.ms, self.counter = now, 0
        else:
            self.counter += 1
        return Hlc(self.ms, self.counter, self.node)

    def observe(self, seen: Hlc) -> None:
        """Moves past a reading received from another store, so later local writes win over it."""
        if (seen.ms, seen.counter) > (self.ms, self.counter):
            self.ms, self.counter = seen.ms, seen.counter
