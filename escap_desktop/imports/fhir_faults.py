"""fhir.resources' validation of a file's FHIR, its faults said in French (which field, what
is wrong): the professional reads what to fix in the export, never a pydantic dump."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from fhir.resources.R4B.bundle import Bundle as FhirBundle
from fhir.resources.R4B.patient import Patient as FhirPatient
from pydantic import ValidationError as PydanticValidationError

from escap_desktop.core.rules.wording import plural
from escap_desktop.imports.errors import ImportReadError

_FIELD_NAME = re.compile(r"_?[A-Za-z][A-Za-z0-9_]*")
_EXPECTED_TYPES = {
    "string_type": "du texte",
    "list_type": "une liste [...]",
    "dict_type": "un objet {...}",
    "model_type": "un objet {...}",
    "model_attributes_type": "un objet {...}",
    "bool_type": "true ou false",
    "bool_parsing": "true ou false",
    "int_type": "un nombre entier",
    "int_parsing": "un nombre entier",
    "int_from_float": "un nombre entier",
    "float_type": "un nombre",
    "float_parsing": "un nombre",
    "decimal_type": "un nombre",
    "decimal_parsing": "un nombre",
}


def validate_resource(
    model: type[FhirPatient] | type[FhirBundle], value: Any, subject: str
) -> None:
    """Validates with fhir.resources; the first fault becomes a French sentence naming it."""
    try:
        model.model_validate(dict(value))
    except PydanticValidationError as error:
        faults = error.errors()
        others = len(faults) - 1
        more = (
            f" (et {others} {plural(others, 'autre erreur', 'autres erreurs')})" if others else ""
        )
        detail = _fault(faults[0]) if faults else "contenu incorrect"
        raise ImportReadError(f"{subject} n'est pas valide en FHIR R4 : {detail}{more}.") from None
    except RecursionError:
        raise ImportReadError(f"{subject} est trop profondément imbriqué pour être lu.") from None
    except (ValueError, TypeError) as error:
        raise ImportReadError(f"{subject} n'est pas valide en FHIR R4 ({error}).") from None
    except AttributeError:
        # fhir.resources' own validators assume the shape they check (``_birthDate: true``
        # reaches one that calls ``.get`` on a bool): the file is wrong, not the program.
        raise ImportReadError(
            f"{subject} n'est pas valide en FHIR R4 : un élément n'a pas la forme attendue "
            "(par exemple une extension « _champ » qui n'est pas un objet)."
        ) from None


def _fault(fault: Mapping[str, Any]) -> str:
    """One pydantic error as French words: which field, and what is wrong with it."""
    path = _field_path(fault.get("loc", ()))
    kind = str(fault.get("type", ""))
    where = f"le champ « {path} »" if path else "la ressource"
    if kind == "missing" or kind.endswith(".missing"):
        return f"le champ obligatoire « {path} » manque" if path else "un champ obligatoire manque"
    if kind == "extra_forbidden":
        return f"le champ « {path} » n'existe pas dans une ressource FHIR R4"
    if "got multiple" in str(fault.get("msg", "")):
        return f"{where} donne plusieurs variantes d'un même élément à choix (value[x]...)"
    expected = _EXPECTED_TYPES.get(kind)
    if expected is not None:
        return f"{where} doit contenir {expected}"
    value = fault.get("input")
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return f"{where} a une valeur incorrecte (« {shown(str(value))} »)"
    return f"{where} a une valeur incorrecte"


def _field_path(location: Sequence[Any]) -> str:
    """``("name", 0, "family")`` as FHIR writes it: ``name[0].family``."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif isinstance(part, str) and _FIELD_NAME.fullmatch(part):
            path += f".{part}" if path else part
    return path


def shown(value: str, limit: int = 40) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"
