"""The ESCAP domain: entities, rules and services.

Entities and rules import nothing else of ours (no Qt, no SQL, no network) so that they can be
tested exhaustively and reused by the CLI, the GUI and the sync module alike.
"""
