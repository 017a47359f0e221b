"""Data access of the relay: one module per table group, each function inside a transaction.

Functions raise :class:`~escap_relay.problems.ProblemError` for what the caller did wrong, so
every route answers the same problem document for the same fault.
"""
