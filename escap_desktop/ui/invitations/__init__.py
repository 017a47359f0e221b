"""Invitations received from colleagues: who invites, for which patient, accept or decline."""
