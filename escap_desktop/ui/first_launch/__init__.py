"""The first-launch wizard: one's own profile, how the data is protected, the demo offer."""
