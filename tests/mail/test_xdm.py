"""The IHE XDM archive: its media structure, its metadata, and the checks of ``read_xdm``."""

from __future__ import annotations

import hashlib
import io
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from escap_desktop.core.entities import IdentityStatus, Patient, Sex
from escap_desktop.exports.xdm import (
    DE_PATIENT_ID,
    LCM,
    METADATA,
    RIM,
    XdmDocument,
    XdmError,
    XdmRecipient,
    XdmSubmission,
    build_xdm,
    read_xdm,
)
from escap_desktop.exports.xdm_codes import (
    CARE_PLAN_CLASS,
    CARE_PLAN_TYPE,
    ESCAP_ROOT,
    LOCAL_PATIENT_ROOT,
    author_specialty,
    uuid_oid,
    xcn,
)
from tests.mail.conftest import GP, NURSE, SOCIAL_WORKER
from tests.support.nir import make_nir, nir_of

NOW = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
PDF = b"%PDF-1.4\n% un faux PDF pour les tests de structure\n%%EOF\n"


def _patient(**changes: object) -> Patient:
    birth = date(1940, 3, 12)
    patient = Patient(
        birth_name="D'Almeida",
        first_names="Zoë Marie-Thérèse",
        birth_date=birth,
        sex=Sex.FEMALE,
        ins=make_nir(Sex.FEMALE, birth),
        identity_status=IdentityStatus.QUALIFIED,
    )
    return replace(patient, **changes)  # type: ignore[arg-type]


def _archive(patient: Patient | None = None, content: bytes = PDF) -> bytes:
    document = XdmDocument(
        content=content,
        title="Plan de soins ESCAP du 01/03/2027",
        type_code=CARE_PLAN_TYPE,
        class_code=CARE_PLAN_CLASS,
        created_at=NOW,
        service_start=datetime(2027, 1, 4, 8, 0, tzinfo=UTC),
    )
    return build_xdm(
        XdmSubmission(
            document=document,
            patient=patient or _patient(),
            author=NURSE,
            submitted_at=NOW,
            source_id=uuid_oid(),
            recipient=XdmRecipient(GP, "etienne.lefevre@medecin.mssante.fr"),
        )
    )


def _files(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


def _rezip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_the_archive_has_the_xdm_media_structure() -> None:
    files = _files(_archive())
    assert sorted(files) == [
        "IHE_XDM/SUBSET01/DOC0001.PDF",
        "IHE_XDM/SUBSET01/METADATA.XML",
        "INDEX.HTM",
        "README.TXT",
    ]
    assert files["IHE_XDM/SUBSET01/DOC0001.PDF"] == PDF
    index = files["INDEX.HTM"].decode("utf-8")
    assert 'href="IHE_XDM/SUBSET01/DOC0001.PDF"' in index
    assert 'href="README.TXT"' in index
    ET.fromstring(files["INDEX.HTM"])  # XHTML: well-formed XML
    readme = files["README.TXT"].decode("utf-8")
    assert "ESCAP Desktop" in readme
    assert "Awa N'DIAYE" in readme
    assert "810007654321" in readme


def test_the_metadata_is_an_ebrim_submission_with_one_document_entry() -> None:
    root = ET.fromstring(_files(_archive())[METADATA])
    assert root.tag == f"{{{LCM}}}SubmitObjectsRequest"
    objects = root.find(f"{{{RIM}}}RegistryObjectList")
    assert objects is not None
    [entry] = objects.findall(f"{{{RIM}}}ExtrinsicObject")
    [package] = objects.findall(f"{{{RIM}}}RegistryPackage")
    [association] = objects.findall(f"{{{RIM}}}Association")
    assert entry.get("mimeType") == "application/pdf"
    assert association.get("sourceObject") == package.get("id")
    assert association.get("targetObject") == entry.get("id")
    assert association.get("associationType", "").endswith("AssociationType:HasMember")


def test_read_back_the_entry_states_what_the_french_value_sets_say() -> None:
    content = read_xdm(_archive())
    [subset] = content.subsets
    [entry] = subset.entries
    assert entry.uri == "DOC0001.PDF"
    assert entry.content == PDF
    assert entry.hash == hashlib.sha1(PDF).hexdigest()
    assert entry.size == len(PDF)
    assert entry.mime_type == "application/pdf"
    assert entry.language == "fr-FR"
    assert entry.creation_time == "20270301093000"
    assert entry.slots["serviceStartTime"] == ("20270104080000",)
    assert entry.title == "Plan de soins ESCAP du 01/03/2027"
    codes = {name: (code.code, code.scheme) for name, code in entry.codes.items()}
    assert codes == {
        "typeCode": ("18776-5", "2.16.840.1.113883.6.1"),
        "classCode": ("44", "1.2.250.1.213.1.1.4.1"),
        "formatCode": ("urn:asipSante:modelesHorsProfils:2011", "1.2.250.1.213.1.1.4.2.282"),
        "confidentialityCode": ("N", "2.16.840.1.113883.5.25"),
        "healthcareFacilityTypeCode": ("SA07", "1.2.250.1.71.4.2.4"),
        "practiceSettingCode": ("AMBULATOIRE", "1.2.250.1.213.1.1.4.9"),
    }
    assert entry.unique_id.startswith("2.25.")
    assert subset.submission_unique_id.startswith("2.25.")
    assert subset.intended_recipients == (
        "|810001234567^LEFÈVRE^Étienne^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS"
        "|^^Internet^etienne.lefevre@medecin.mssante.fr",
    )


def test_a_qualified_identity_travels_as_its_ins_with_the_traits() -> None:
    patient = _patient()
    [entry] = read_xdm(_archive(patient)).entries
    expected = f"{patient.ins}^^^&1.2.250.1.213.1.4.8&ISO^NH"
    assert entry.patient_id == expected
    assert entry.source_patient_id == expected
    assert entry.slots["sourcePatientInfo"] == (
        f"PID-3|{expected}",
        "PID-5|D'ALMEIDA^Zoë^Zoë Marie-Thérèse^^^^L",
        "PID-7|19400312",
        "PID-8|F",
    )


def test_a_nia_has_its_own_assigning_authority() -> None:
    patient = _patient(ins=nir_of("8", 1940, 3, "99352", 12))
    [entry] = read_xdm(_archive(patient)).entries
    assert entry.patient_id.endswith("^^^&1.2.250.1.213.1.4.9&ISO^NH")


@pytest.mark.parametrize("status", [IdentityStatus.PROVISIONAL, IdentityStatus.RETRIEVED])
def test_an_ins_not_qualified_stays_home_the_local_id_goes_instead(
    status: IdentityStatus,
) -> None:
    patient = _patient(identity_status=status)
    archive = _archive(patient)
    [entry] = read_xdm(archive).entries
    assert entry.patient_id == f"{patient.id}^^^&{LOCAL_PATIENT_ROOT}&ISO^PI"
    assert LOCAL_PATIENT_ROOT.startswith(ESCAP_ROOT + ".")
    assert patient.ins.encode() not in _files(archive)[METADATA]


def test_the_author_is_named_by_rpps_and_profession() -> None:
    [entry] = read_xdm(_archive()).entries
    metadata = _files(_archive())[METADATA].decode("utf-8")
    author = "810007654321^N'DIAYE^Awa^^^^^^&amp;1.2.250.1.71.4.2.1&amp;ISO^D^^^IDNPS"
    assert author in metadata
    assert "G15_60^Infirmier^1.2.250.1.213.1.1.4.5" in metadata
    assert entry.slots["legalAuthenticator"] == (xcn(NURSE),)
    assert author_specialty(GP.profession).code == "G15_10"
    social = author_specialty(SOCIAL_WORKER.profession)
    assert (social.code, social.scheme) == ("41", "1.2.250.1.213.1.6.1.4")
    assert xcn(SOCIAL_WORKER) == "^GUÉRIN^Hélène"


def test_names_with_hl7_delimiters_are_escaped() -> None:
    patient = _patient(birth_name="Martin^Durand", first_names="Anne&Marie")
    [entry] = read_xdm(_archive(patient)).entries
    assert entry.slots["sourcePatientInfo"][1] == (
        "PID-5|MARTIN\\S\\DURAND^Anne\\T\\Marie^Anne\\T\\Marie^^^^L"
    )


def test_a_changed_document_is_caught_by_its_hash() -> None:
    files = _files(_archive())
    files["IHE_XDM/SUBSET01/DOC0001.PDF"] = PDF.replace(b"faux", b"vrai")
    with pytest.raises(XdmError, match="empreinte SHA-1"):
        read_xdm(_rezip(files))


def test_a_truncated_document_is_caught_by_its_size() -> None:
    files = _files(_archive())
    metadata = files[METADATA].decode("utf-8")
    files[METADATA] = metadata.replace(
        f"<rim:Value>{len(PDF)}</rim:Value>", f"<rim:Value>{len(PDF) + 1}</rim:Value>"
    ).encode("utf-8")
    with pytest.raises(XdmError, match="taille"):
        read_xdm(_rezip(files))


def test_a_missing_document_is_named() -> None:
    files = _files(_archive())
    del files["IHE_XDM/SUBSET01/DOC0001.PDF"]
    with pytest.raises(XdmError, match=r"DOC0001\.PDF annoncé par les métadonnées est absent"):
        read_xdm(_rezip(files))


@pytest.mark.parametrize("root_file", ["INDEX.HTM", "README.TXT"])
def test_the_root_files_are_required(root_file: str) -> None:
    files = _files(_archive())
    del files[root_file]
    with pytest.raises(XdmError, match=root_file):
        read_xdm(_rezip(files))


def test_a_document_entry_without_patient_id_is_refused() -> None:
    files = _files(_archive())
    root = ET.fromstring(files[METADATA])
    for entry in root.iter(f"{{{RIM}}}ExtrinsicObject"):
        for identifier in list(entry):
            if identifier.get("identificationScheme") == DE_PATIENT_ID:
                entry.remove(identifier)
    files[METADATA] = ET.tostring(root, encoding="utf-8")
    with pytest.raises(XdmError, match=r"XDSDocumentEntry\.patientId"):
        read_xdm(_rezip(files))


def test_metadata_that_does_not_parse_or_declares_entities_is_refused() -> None:
    files = _files(_archive())
    files[METADATA] = b"<lcm:SubmitObjectsRequest"
    with pytest.raises(XdmError, match="n'est pas un document XML valide"):
        read_xdm(_rezip(files))
    files[METADATA] = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    with pytest.raises(XdmError, match="DOCTYPE"):
        read_xdm(_rezip(files))


def test_not_a_zip_and_paths_outside_the_archive_are_refused() -> None:
    with pytest.raises(XdmError, match="n'est pas une archive ZIP"):
        read_xdm(b"PK pas vraiment")
    files = _files(_archive())
    files["../../etc/passwd"] = b"root"
    with pytest.raises(XdmError, match="chemin refusé"):
        read_xdm(_rezip(files))


def test_an_empty_document_is_not_archived() -> None:
    with pytest.raises(XdmError, match="vide"):
        _archive(content=b"")
