"""The ESCAP page of a patient: team, action plan, messages, events, billing, exit."""
