"""The ESCAP relay: stores and routes encrypted envelopes between the team members' devices.

It never sees plaintext: it keeps envelopes as opaque bytes, public keys and routing data
(which device belongs to which opaque team id). Of our code it imports only
``escap_desktop.sync.wire``.
"""

__version__ = "0.1.0"
