"""MSSanté mail: the message a member without the app receives, sent through the professional's
own mailbox (their operator's SMTP submission over TLS).

An adapter layer beside ``sync``: it imports ``core`` and ``store`` only (the SMTP password
lives in the OS keyring under the store's trusted-keyring rules; the outbox is a store table).
The use case that decides what is sent, to whom, and traces it is ``services/mssante.py``.
"""
