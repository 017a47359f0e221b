"""Files built for people outside the team: the evaluation CSVs and summary, and FHIR bundles.

Pure functions from core entities to rows, dicts and files; like ``documents/`` this package
imports only ``core`` (the services gather the entities from the store and call it).
"""
