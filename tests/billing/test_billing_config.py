"""The billing file: the bundled one loads, and every mistake in an edited one is explained."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from escap_desktop.core.entities import BillingKind
from escap_desktop.core.rules.billing import (
    BillingConfigError,
    default_billing_config_path,
    load_billing_config,
)

VALID = """
version = 1
[codes]
entree = "{entry}"
sortie = "{exit}"
provisoires = false
[paiement]
professionnels_requis = 3
[aides.outil]
libelle = "Aide outil"
montant_eur = "{amount}"
escap_requises = 1
[aides.implication]
libelle = "Aide implication"
montant_eur = "100.00"
escap_requises = 5
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "billing.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_file_loads_with_placeholder_codes_flagged() -> None:
    config = load_billing_config()
    raw = tomllib.loads(default_billing_config_path().read_text(encoding="utf-8"))

    assert config.entry_code == raw["codes"]["entree"]
    assert config.exit_code == raw["codes"]["sortie"]
    assert config.codes_are_placeholders is True
    assert config.code_label(BillingKind.ENTRY) == f"{config.entry_code} (code provisoire)"
    assert config.min_billing_professionals == 3
    assert config.tool_allowance.amount == Decimal("100.00")
    assert config.tool_allowance.min_escaps == 1
    assert config.involvement_allowance.amount == Decimal("100.00")
    assert config.involvement_allowance.min_escaps == 5


def test_bundled_file_says_codes_are_placeholders() -> None:
    text = default_billing_config_path().read_text(encoding="utf-8")
    assert "PROVISOIRES" in text


def test_official_codes_configured_in_the_file_are_used(tmp_path: Path) -> None:
    config = load_billing_config(
        write(tmp_path, VALID.format(entry="EX1", exit="EX2", amount="120"))
    )

    assert config.code_for(BillingKind.ENTRY) == "EX1"
    assert config.code_for(BillingKind.EXIT) == "EX2"
    assert config.code_label(BillingKind.EXIT) == "EX2"
    assert config.tool_allowance.amount == Decimal("120.00")


def test_missing_file_is_explained(tmp_path: Path) -> None:
    with pytest.raises(BillingConfigError, match="introuvable"):
        load_billing_config(tmp_path / "absent.toml")


def test_broken_toml_is_explained(tmp_path: Path) -> None:
    with pytest.raises(BillingConfigError, match="n'est pas un fichier TOML valide"):
        load_billing_config(write(tmp_path, "[codes\nentree = 1"))


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = VALID.format(entry="SAME", exit="SAME", amount="-5").replace(
        "professionnels_requis = 3", "professionels_requis = 0"
    )
    with pytest.raises(BillingConfigError) as caught:
        load_billing_config(write(tmp_path, text))

    problems = caught.value.problems
    assert "Les codes d'entrée et de sortie doivent être différents." in problems
    assert any("montant_eur" in p and "-5" in p for p in problems)
    assert any("Clé inconnue « professionels_requis »" in p for p in problems)
    assert any("professionnels_requis" in p and "au moins 1" in p for p in problems)
    assert str(caught.value).startswith("Le fichier de facturation")


@pytest.mark.parametrize("amount", ["abc", "100.005", "1e400000"])
def test_amounts_must_be_euros_to_the_cent(tmp_path: Path, amount: str) -> None:
    with pytest.raises(BillingConfigError, match="montant en euros"):
        load_billing_config(write(tmp_path, VALID.format(entry="A1", exit="A2", amount=amount)))


def test_french_decimal_comma_is_accepted(tmp_path: Path) -> None:
    config = load_billing_config(
        write(tmp_path, VALID.format(entry="A1", exit="A2", amount="99,50"))
    )
    assert config.tool_allowance.amount == Decimal("99.50")


def test_code_with_spaces_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BillingConfigError, match="lettre clé"):
        load_billing_config(write(tmp_path, VALID.format(entry="E S E", exit="A2", amount="1")))


def test_wrong_version_is_refused(tmp_path: Path) -> None:
    text = VALID.format(entry="A1", exit="A2", amount="1").replace("version = 1", "version = 2")
    with pytest.raises(BillingConfigError, match="« version » doit valoir 1"):
        load_billing_config(write(tmp_path, text))
