"""The guided inclusion: identity, clinical situation, grid, result, consent, team, invitations."""
