"""Practice-wide actions: evaluation and FHIR exports, the access journal, forgetting this PC."""
