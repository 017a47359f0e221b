"""IHE XDM: one document and its XDS metadata in the ``IHE_XDM.ZIP`` an MSSanté message carries.

The archive follows the XDM media structure (IHE ITI TF-2b §3.32 "Distribute Document Set on
Media", TF-3 §4.2.3 and its ZIP over e-mail option), which French practice software reads to
file a document received by MSSanté in the patient's record::

    INDEX.HTM                    what the archive holds, for a person opening it
    README.TXT                   who made it, with which application
    IHE_XDM/SUBSET01/METADATA.XML  ebRIM 3.0 lcm:SubmitObjectsRequest (the XDS metadata)
    IHE_XDM/SUBSET01/DOC0001.PDF   the document

``METADATA.XML`` holds one SubmissionSet (RegistryPackage), one DocumentEntry
(ExtrinsicObject) with its URI, SHA-1 hash, size, creation time, MIME type, language (fr-FR),
patient ids and identity traits, author, codes, and the HasMember association between them.
The codes and identifiers, and the French value sets they come from, are in
:mod:`escap_desktop.exports.xdm_codes`.

:func:`read_xdm` is the receiving side's check (and the tests'): the structure is there,
METADATA.XML parses, each DocumentEntry's file exists with the SHA-1 and size the metadata
states, and the patient is identified.

Pure code over core entities and the standard library: the XML is written and read with
``xml.etree.ElementTree``; a METADATA.XML with a DOCTYPE (entities) is refused before parsing.
"""

from __future__ import annotations

import hashlib
import html
import io
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from escap_desktop import __version__
from escap_desktop.core.entities import Patient, Professional, Sex
from escap_desktop.exports.errors import ExportError
from escap_desktop.exports.xdm_codes import (
    AMBULATOIRE,
    CABINET_INDIVIDUEL,
    CONFIDENTIALITY_NORMAL,
    FORMAT_NOT_IN_A_PROFILE,
    XdmCode,
    author_specialty,
    coded,
    hl7_escape,
    patient_ids,
    uuid_oid,
    xcn,
)

LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
ET.register_namespace("lcm", LCM)
ET.register_namespace("rim", RIM)

# The XDS metadata's fixed UUIDs (IHE ITI TF-3 §4.2.5).
DOCUMENT_ENTRY = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"
SUBMISSION_SET_NODE = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
DE_AUTHOR = "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d"
DE_CLASS = "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a"
DE_CONFIDENTIALITY = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f"
DE_FORMAT = "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d"
DE_FACILITY = "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1"
DE_PRACTICE = "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead"
DE_TYPE = "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"
DE_PATIENT_ID = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"
DE_UNIQUE_ID = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
SS_AUTHOR = "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d"
SS_CONTENT_TYPE = "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500"
SS_UNIQUE_ID = "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8"
SS_SOURCE_ID = "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832"
SS_PATIENT_ID = "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"
HAS_MEMBER = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"

ARCHIVE_NAME = "IHE_XDM.ZIP"
SUBSET = "IHE_XDM/SUBSET01"
METADATA = f"{SUBSET}/METADATA.XML"
LANGUAGE = "fr-FR"

MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
"""What :func:`read_xdm` unpacks at most (a ZIP bomb is refused, not inflated)."""
MAX_MEMBERS = 1000

_EXTENSIONS = {"application/pdf": "PDF", "text/plain": "TXT", "application/xml": "XML"}
_SEX = {Sex.MALE: "M", Sex.FEMALE: "F", Sex.INDETERMINATE: "U"}


class XdmError(ExportError):
    """An XDM archive that cannot be built, or one that does not have the XDM structure."""


@dataclass(frozen=True, slots=True)
class XdmDocument:
    """One document of the archive and what its DocumentEntry says about it.

    ``created_at`` is the document's creation (aware); ``service_start`` the start of the care it
    documents (the ESCAP's start for a care plan), when known. ``unique_id`` is an OID (a fresh
    UUID-based one by default).
    """

    content: bytes
    title: str
    type_code: XdmCode
    class_code: XdmCode
    created_at: datetime
    mime_type: str = "application/pdf"
    format_code: XdmCode = FORMAT_NOT_IN_A_PROFILE
    confidentiality: XdmCode = CONFIDENTIALITY_NORMAL
    facility_type: XdmCode = CABINET_INDIVIDUEL
    practice_setting: XdmCode = AMBULATOIRE
    service_start: datetime | None = None
    comments: str = ""
    unique_id: str = field(default_factory=uuid_oid)


@dataclass(frozen=True, slots=True)
class XdmRecipient:
    """Who the archive is meant for (SubmissionSet intendedRecipient): the professional and the
    MSSanté address it is sent to."""

    professional: Professional
    address: str


@dataclass(frozen=True, slots=True)
class XdmSubmission:
    """Everything one archive holds: one document, its patient, its author, and the set.

    ``source_id`` is the OID of the sending system (the local professional's installation);
    ``organisation`` is named in README.TXT.
    """

    document: XdmDocument
    patient: Patient
    author: Professional
    submitted_at: datetime
    source_id: str
    recipient: XdmRecipient | None = None
    organisation: str = ""
    unique_id: str = field(default_factory=uuid_oid)


# --- writing --------------------------------------------------------------------------------


def build_xdm(submission: XdmSubmission) -> bytes:
    """The ``IHE_XDM.ZIP`` of one document (see the module's note for its layout)."""
    document = submission.document
    if not document.content:
        raise XdmError("Le document à envoyer est vide : l'archive IHE XDM n'est pas construite.")
    for instant in (document.created_at, submission.submitted_at, document.service_start):
        if instant is not None and instant.tzinfo is None:
            raise ValueError("XDM instants must be timezone-aware")
    file_name = f"DOC0001.{_EXTENSIONS.get(document.mime_type, 'BIN')}"
    metadata = metadata_xml(submission, file_name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        stamp = _zip_time(submission.submitted_at)
        for name, content in (
            ("INDEX.HTM", _index_htm(submission, file_name).encode("utf-8")),
            ("README.TXT", _readme_txt(submission).encode("utf-8")),
            (METADATA, metadata),
            (f"{SUBSET}/{file_name}", document.content),
        ):
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def metadata_xml(submission: XdmSubmission, file_name: str) -> bytes:
    """METADATA.XML: the lcm:SubmitObjectsRequest of the submission (UTF-8 bytes)."""
    document, patient = submission.document, submission.patient
    patient_id, source_patient_id, _ = patient_ids(patient)
    doc_id = f"urn:uuid:{uuid.uuid4()}"
    set_id = f"urn:uuid:{uuid.uuid4()}"
    ids = _Ids()

    root = ET.Element(f"{{{LCM}}}SubmitObjectsRequest")
    objects = ET.SubElement(root, _rim("RegistryObjectList"))

    entry = ET.SubElement(
        objects,
        _rim("ExtrinsicObject"),
        id=doc_id,
        mimeType=document.mime_type,
        objectType=DOCUMENT_ENTRY,
        status=APPROVED,
    )
    _slot(entry, "creationTime", _dtm(document.created_at))
    _slot(entry, "hash", hashlib.sha1(document.content, usedforsecurity=False).hexdigest())
    _slot(entry, "languageCode", LANGUAGE)
    _slot(entry, "legalAuthenticator", xcn(submission.author))
    if document.service_start is not None:
        _slot(entry, "serviceStartTime", _dtm(document.service_start))
    _slot(entry, "size", str(len(document.content)))
    _slot(entry, "sourcePatientId", source_patient_id)
    _slot(entry, "sourcePatientInfo", *_source_patient_info(patient, source_patient_id))
    _slot(entry, "URI", file_name)
    _localized(entry, "Name", document.title)
    if document.comments:
        _localized(entry, "Description", document.comments)
    _author(entry, DE_AUTHOR, doc_id, submission.author, ids)
    for scheme, code in (
        (DE_CLASS, document.class_code),
        (DE_CONFIDENTIALITY, document.confidentiality),
        (DE_FORMAT, document.format_code),
        (DE_FACILITY, document.facility_type),
        (DE_PRACTICE, document.practice_setting),
        (DE_TYPE, document.type_code),
    ):
        _classification(entry, scheme, doc_id, code, ids)
    _external_id(entry, DE_PATIENT_ID, doc_id, patient_id, "XDSDocumentEntry.patientId", ids)
    _external_id(entry, DE_UNIQUE_ID, doc_id, document.unique_id, "XDSDocumentEntry.uniqueId", ids)

    package = ET.SubElement(objects, _rim("RegistryPackage"), id=set_id, status=APPROVED)
    _slot(package, "submissionTime", _dtm(submission.submitted_at))
    if submission.recipient is not None:
        recipient = submission.recipient
        _slot(
            package,
            "intendedRecipient",
            f"|{xcn(recipient.professional)}|^^Internet^{recipient.address}",
        )
    _localized(package, "Name", document.title)
    _author(package, SS_AUTHOR, set_id, submission.author, ids)
    _classification(package, SS_CONTENT_TYPE, set_id, document.facility_type, ids)
    _external_id(
        package, SS_UNIQUE_ID, set_id, submission.unique_id, "XDSSubmissionSet.uniqueId", ids
    )
    _external_id(
        package, SS_SOURCE_ID, set_id, submission.source_id, "XDSSubmissionSet.sourceId", ids
    )
    _external_id(package, SS_PATIENT_ID, set_id, patient_id, "XDSSubmissionSet.patientId", ids)

    ET.SubElement(
        objects,
        _rim("Classification"),
        id=ids.next(),
        classifiedObject=set_id,
        classificationNode=SUBMISSION_SET_NODE,
    )
    association = ET.SubElement(
        objects,
        _rim("Association"),
        id=ids.next(),
        associationType=HAS_MEMBER,
        sourceObject=set_id,
        targetObject=doc_id,
    )
    _slot(association, "SubmissionSetStatus", "Original")
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(
        root, encoding="unicode"
    ).encode("utf-8")


class _Ids:
    """Fresh entryUUIDs for the metadata's own objects (classifications, identifiers)."""

    def next(self) -> str:
        return f"urn:uuid:{uuid.uuid4()}"


def _rim(tag: str) -> str:
    return f"{{{RIM}}}{tag}"


def _slot(parent: ET.Element, name: str, *values: str) -> None:
    slot = ET.SubElement(parent, _rim("Slot"), name=name)
    value_list = ET.SubElement(slot, _rim("ValueList"))
    for value in values:
        ET.SubElement(value_list, _rim("Value")).text = value


def _localized(parent: ET.Element, tag: str, text: str) -> None:
    holder = ET.SubElement(parent, _rim(tag))
    ET.SubElement(
        holder,
        _rim("LocalizedString"),
        {"value": text, "charset": "UTF-8", "{http://www.w3.org/XML/1998/namespace}lang": LANGUAGE},
    )


def _classification(
    parent: ET.Element, scheme: str, classified: str, code: XdmCode, ids: _Ids
) -> None:
    element = _classification_element(parent, scheme, classified, code.code, ids)
    _slot(element, "codingScheme", code.scheme)
    _localized(element, "Name", code.display)


def _author(
    parent: ET.Element, scheme: str, classified: str, author: Professional, ids: _Ids
) -> None:
    """An author is a classification without a code (ITI TF-3 4.2.3.1.4): its slots say who."""
    element = _classification_element(parent, scheme, classified, "", ids)
    _slot(element, "authorPerson", xcn(author))
    _slot(element, "authorSpecialty", coded(author_specialty(author.profession)))


def _classification_element(
    parent: ET.Element, scheme: str, classified: str, node: str, ids: _Ids
) -> ET.Element:
    return ET.SubElement(
        parent,
        _rim("Classification"),
        id=ids.next(),
        classificationScheme=scheme,
        classifiedObject=classified,
        nodeRepresentation=node,
    )


def _external_id(
    parent: ET.Element, scheme: str, registry_object: str, value: str, name: str, ids: _Ids
) -> None:
    element = ET.SubElement(
        parent,
        _rim("ExternalIdentifier"),
        id=ids.next(),
        registryObject=registry_object,
        identificationScheme=scheme,
        value=value,
    )
    _localized(element, "Name", name)


def _source_patient_info(patient: Patient, source_patient_id: str) -> list[str]:
    """PID-3, PID-5, PID-7, PID-8 as French software writes them (IHE PAM France): the birth
    name (type L) with the first birth first name, then the list of every birth first name; the
    used name (type D) when there is one."""
    first_names = patient.first_names.split()
    first = hl7_escape(first_names[0]) if first_names else ""
    every = hl7_escape(" ".join(first_names))
    names = [f"{hl7_escape(patient.birth_name.upper())}^{first}^{every}^^^^L"]
    if patient.used_name and patient.used_name.upper() != patient.birth_name.upper():
        used_first = hl7_escape(patient.used_first_name or (first_names[:1] or [""])[0])
        names.append(f"{hl7_escape(patient.used_name.upper())}^{used_first}^^^^^D")
    return [
        f"PID-3|{source_patient_id}",
        f"PID-5|{'~'.join(names)}",
        f"PID-7|{patient.birth_date:%Y%m%d}",
        f"PID-8|{_SEX[patient.sex]}",
    ]


def _dtm(instant: datetime) -> str:
    """An XDS date-time: UTC, ``YYYYMMDDHHMMSS``."""
    return instant.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def _zip_time(instant: datetime) -> tuple[int, int, int, int, int, int]:
    utc = instant.astimezone(UTC)
    return (max(utc.year, 1980), utc.month, utc.day, utc.hour, utc.minute, utc.second)


def _index_htm(submission: XdmSubmission, file_name: str) -> str:
    document = submission.document
    title = html.escape(document.title)
    author = html.escape(submission.author.display_name)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="fr" lang="fr">\n'
        f'<head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"/>'
        f"<title>{title}</title></head>\n<body>\n"
        f"<h1>{title}</h1>\n"
        f"<p>Envoyé par {author} avec ESCAP Desktop.</p>\n"
        "<ul>\n"
        f'<li><a href="{SUBSET}/{file_name}">{title}</a> ({html.escape(document.mime_type)}, '
        f"{len(document.content)} octets)</li>\n"
        f'<li><a href="{METADATA}">Métadonnées IHE XDM</a></li>\n'
        '<li><a href="README.TXT">README.TXT</a></li>\n'
        "</ul>\n</body>\n</html>\n"
    )


def _readme_txt(submission: XdmSubmission) -> str:
    author = submission.author
    lines = [
        "Archive IHE XDM (IHE ITI-32, Distribute Document Set on Media, option ZIP par courriel).",
        "",
        f"Émetteur : {author.display_name} ({author.profession.label})",
    ]
    if author.national_id:
        lines.append(f"Identifiant national : {author.national_id}")
    if submission.organisation:
        lines.append(f"Structure : {submission.organisation}")
    lines += [
        f"Créée le : {submission.submitted_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC",
        "",
        f"Application : ESCAP Desktop {__version__}",
        "Équipes de Soins Coordonnés avec le Patient (ESCAP).",
        "",
        f"Contenu : {SUBSET}/METADATA.XML (métadonnées XDS, ebRIM 3.0) et le document décrit.",
        "Les situations d'urgence ne relèvent pas de l'ESCAP : appelez le 15.",
    ]
    return "\r\n".join(lines) + "\r\n"


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class XdmEntry:
    """One DocumentEntry as read back, with its file's bytes (already checked against the
    stated hash and size)."""

    entry_uuid: str
    uri: str
    mime_type: str
    hash: str
    size: int
    content: bytes
    patient_id: str
    source_patient_id: str
    unique_id: str
    title: str
    creation_time: str
    language: str
    codes: dict[str, XdmCode]
    slots: dict[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class XdmSubset:
    """One ``IHE_XDM/<subset>`` folder: its SubmissionSet and its documents."""

    name: str
    submission_unique_id: str
    source_id: str
    patient_id: str
    submission_time: str
    intended_recipients: tuple[str, ...]
    entries: tuple[XdmEntry, ...]


@dataclass(frozen=True, slots=True)
class XdmContent:
    """What :func:`read_xdm` found: the subsets, the root files' text."""

    subsets: tuple[XdmSubset, ...]
    index_htm: str
    readme_txt: str

    @property
    def entries(self) -> tuple[XdmEntry, ...]:
        return tuple(entry for subset in self.subsets for entry in subset.entries)


def read_xdm(zip_bytes: bytes) -> XdmContent:
    """Reads an XDM archive and checks its structure; XdmError (French) at the first fault."""
    files = _unzip(zip_bytes)
    by_name = {name.upper(): name for name in files}
    for required in ("INDEX.HTM", "README.TXT"):
        if required not in by_name:
            raise XdmError(f"L'archive IHE XDM n'a pas de fichier {required} à sa racine.")
    subsets = sorted(
        name.rsplit("/", 1)[0]
        for name in files
        if name.upper().startswith("IHE_XDM/")
        and name.upper().endswith("/METADATA.XML")
        and name.count("/") == 2
    )
    if not subsets:
        raise XdmError("L'archive IHE XDM n'a pas de dossier IHE_XDM/<lot>/METADATA.XML.")
    return XdmContent(
        subsets=tuple(_read_subset(folder, files) for folder in subsets),
        index_htm=_text(files[by_name["INDEX.HTM"]]),
        readme_txt=_text(files[by_name["README.TXT"]]),
    )


def _unzip(zip_bytes: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(zip_bytes))
    except (zipfile.BadZipFile, ValueError) as error:
        raise XdmError("La pièce jointe IHE_XDM.ZIP n'est pas une archive ZIP lisible.") from error
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise XdmError("L'archive IHE XDM contient trop de fichiers pour être lue.")
        if sum(info.file_size for info in infos) > MAX_ARCHIVE_BYTES:
            raise XdmError("L'archive IHE XDM est trop volumineuse pour être lue.")
        files: dict[str, bytes] = {}
        for info in infos:
            name = info.filename.replace("\\", "/")
            if name.startswith("/") or ".." in name.split("/"):
                raise XdmError(f"L'archive IHE XDM contient un chemin refusé : {name}")
            try:
                files[name] = archive.read(info)
            except (zipfile.BadZipFile, OSError, ValueError) as error:
                raise XdmError(f"Le fichier {name} de l'archive IHE XDM est illisible.") from error
        return files


def _text(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("latin-1")


def _read_subset(folder: str, files: dict[str, bytes]) -> XdmSubset:
    metadata_name = next(n for n in files if n.upper() == f"{folder}/METADATA.XML".upper())
    raw = files[metadata_name]
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise XdmError(f"{metadata_name} déclare un DOCTYPE : il est refusé.")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as error:
        raise XdmError(f"{metadata_name} n'est pas un document XML valide ({error}).") from error
    if root.tag != f"{{{LCM}}}SubmitObjectsRequest":
        raise XdmError(f"{metadata_name} n'est pas un lcm:SubmitObjectsRequest (ebRIM 3.0).")
    objects = root.find(_rim("RegistryObjectList"))
    if objects is None:
        raise XdmError(f"{metadata_name} n'a pas de RegistryObjectList.")
    packages = objects.findall(_rim("RegistryPackage"))
    set_ids = {
        c.get("classifiedObject")
        for c in objects.findall(_rim("Classification"))
        if c.get("classificationNode") == SUBMISSION_SET_NODE
    }
    sets = [p for p in packages if p.get("id") in set_ids or _external(p, SS_SOURCE_ID)]
    if len(sets) != 1:
        raise XdmError(f"{metadata_name} doit décrire un lot de soumission (SubmissionSet).")
    package = sets[0]
    set_id = package.get("id", "")
    members = {
        a.get("targetObject")
        for a in objects.findall(_rim("Association"))
        if a.get("associationType") == HAS_MEMBER and a.get("sourceObject") == set_id
    }
    set_patient = _required_external(package, SS_PATIENT_ID, "XDSSubmissionSet.patientId")
    entries = []
    for element in objects.findall(_rim("ExtrinsicObject")):
        entry = _read_entry(element, folder, files)
        if entry.entry_uuid not in members:
            raise XdmError(
                f"Le document {entry.uri} n'est pas rattaché au lot de soumission "
                "(association HasMember absente)."
            )
        if entry.patient_id != set_patient:
            raise XdmError(
                f"Le document {entry.uri} ne concerne pas le patient du lot de soumission."
            )
        entries.append(entry)
    if not entries:
        raise XdmError(f"{metadata_name} ne décrit aucun document (ExtrinsicObject).")
    return XdmSubset(
        name=folder.rsplit("/", 1)[-1],
        submission_unique_id=_required_external(package, SS_UNIQUE_ID, "XDSSubmissionSet.uniqueId"),
        source_id=_required_external(package, SS_SOURCE_ID, "XDSSubmissionSet.sourceId"),
        patient_id=set_patient,
        submission_time=_first(_slots(package).get("submissionTime", ())),
        intended_recipients=_slots(package).get("intendedRecipient", ()),
        entries=tuple(entries),
    )


def _read_entry(element: ET.Element, folder: str, files: dict[str, bytes]) -> XdmEntry:
    slots = _slots(element)
    uri = _first(slots.get("URI", ()))
    if not uri:
        raise XdmError("Une fiche de document (DocumentEntry) n'indique pas son fichier (URI).")
    name = next((n for n in files if n.upper() == f"{folder}/{uri}".upper()), None)
    if name is None:
        raise XdmError(f"Le fichier {uri} annoncé par les métadonnées est absent de l'archive.")
    content = files[name]
    stated_hash = _first(slots.get("hash", ())).lower()
    actual_hash = hashlib.sha1(content, usedforsecurity=False).hexdigest()
    if stated_hash != actual_hash:
        raise XdmError(f"L'empreinte SHA-1 du fichier {uri} ne correspond pas aux métadonnées.")
    stated_size = _first(slots.get("size", ()))
    if not stated_size.isdigit() or int(stated_size) != len(content):
        raise XdmError(f"La taille du fichier {uri} ne correspond pas aux métadonnées.")
    patient_id = _required_external(element, DE_PATIENT_ID, "XDSDocumentEntry.patientId")
    codes = {
        label: code
        for label, scheme in (
            ("classCode", DE_CLASS),
            ("confidentialityCode", DE_CONFIDENTIALITY),
            ("formatCode", DE_FORMAT),
            ("healthcareFacilityTypeCode", DE_FACILITY),
            ("practiceSettingCode", DE_PRACTICE),
            ("typeCode", DE_TYPE),
        )
        if (code := _code(element, scheme)) is not None
    }
    return XdmEntry(
        entry_uuid=element.get("id", ""),
        uri=uri,
        mime_type=element.get("mimeType", ""),
        hash=stated_hash,
        size=len(content),
        content=content,
        patient_id=patient_id,
        source_patient_id=_first(slots.get("sourcePatientId", ())),
        unique_id=_required_external(element, DE_UNIQUE_ID, "XDSDocumentEntry.uniqueId"),
        title=_name(element),
        creation_time=_first(slots.get("creationTime", ())),
        language=_first(slots.get("languageCode", ())),
        codes=codes,
        slots=slots,
    )


def _slots(element: ET.Element) -> dict[str, tuple[str, ...]]:
    return {
        slot.get("name", ""): tuple(v.text or "" for v in slot.iter(_rim("Value")))
        for slot in element.findall(_rim("Slot"))
    }


def _first(values: Sequence[str]) -> str:
    return values[0].strip() if values else ""


def _name(element: ET.Element) -> str:
    localized = element.find(f"{_rim('Name')}/{_rim('LocalizedString')}")
    return "" if localized is None else localized.get("value", "")


def _external(element: ET.Element, scheme: str) -> str:
    for identifier in element.findall(_rim("ExternalIdentifier")):
        if identifier.get("identificationScheme") == scheme:
            return identifier.get("value", "").strip()
    return ""


def _required_external(element: ET.Element, scheme: str, label: str) -> str:
    value = _external(element, scheme)
    if not value:
        raise XdmError(f"Les métadonnées IHE XDM n'ont pas d'identifiant {label}.")
    return value


def _code(element: ET.Element, scheme: str) -> XdmCode | None:
    for classification in element.findall(_rim("Classification")):
        if classification.get("classificationScheme") == scheme:
            return XdmCode(
                classification.get("nodeRepresentation", ""),
                _first(_slots(classification).get("codingScheme", ())),
                _name(classification),
            )
    return None


def issued_title(kind_title: str, day: date) -> str:
    """A document title with its French date: "Plan de soins ESCAP du 12/03/2027"."""
    return f"{kind_title} du {day:%d/%m/%Y}"
