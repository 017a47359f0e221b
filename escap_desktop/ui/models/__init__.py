"""Qt item models, one per list shown in the interface."""
