"""The ESCAP domain: entities, rules, errors and the clock.

Nothing here imports anything outside core (no Qt, no SQL, no network, no file), so that it can
be tested exhaustively and reused by the use cases, the sync module and the relay alike
(tests/test_layers.py).
"""
