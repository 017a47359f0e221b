"""Identities read from what the practice already has: an INS datamatrix, a FHIR Patient, the
practice software's CSV patient list. Each reader turns a file into core ``Patient`` drafts (never
saved here: the patient service checks, looks for duplicates and records them) or raises
:class:`~escap_desktop.imports.errors.ImportReadError` with a French sentence. Imports core only.
"""
