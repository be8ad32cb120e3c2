"""``digital-public-goods``: the projects of the Digital Public Goods Alliance registry (publicgoods-candidates).

PATH is the registry's folder holding ``nominees/`` (one JSON record per project) and ``digitalpublicgoods/``
(the screening records of the approved ones, joined on the file name), or the ``nominees/`` folder itself.

Each nominee becomes a ``schema:Project`` at ``.../id/project/dpga/{file stem}`` with its name, aliases,
description, website, code repositories, licences (``dcterms:license``, the SPDX IRI of the identifier given),
type (``dcterms:type``: software, data, content, standard, aimodel) and stage (a DPG has
``schema:award "Digital Public Good"``; a nominee has none). Its topics (``dcat:theme``) are the Sustainable
Development Goals it names (``http://metadata.un.org/sdg/N``, ontology/sdgs.ttl) and its sectors: a sector with a
``skos:closeMatch`` in ontology/dpga-sectors.ttl becomes that topic (Health is health-and-care), any other stays
a concept of that scheme.

Its organisations become organisations at ``.../id/org/dpga/{slug of the name}`` (legal forms such as Inc, Ltd
and GmbH and accents left out of the slug, so "SanteSuite Inc." and "SantéSuite Inc." are one node), with their
name (other spellings as ``schema:alternateName``) and the first website given (and its domain). The lead
organisation is the first of type owner (else the first); funders are ``schema:funder``, the rest
``ogt:partner``. Jurisdiction: the development countries of the screening records of the organisation's projects
(ISO 3166 alpha-3 country IRIs, described as areas in the graph), funders left out; else ``wd:Q2`` (Earth:
worldwide). Sector, by the first rule that fits the name and website:

- central-government: intergovernmental bodies (UN agencies, World Bank, European Commission, GIZ ...); Government
  of, Ministry, Agency, Statistics, Meteorological;
- higher-education: University, College, Chair of, Institute of Technology, ETH; a .edu or .ac.xx website;
- research-and-innovation: Research, Laboratories;
- central-government: a .gov, .gouv, .gob or .admin.ch website;
- private-sector: Ltd, LLC, Limited, GmbH, Pty, Pvt, SA, AB, Corporation, Consulting, Technologies, and Inc
  unless the website is a .org;
- health: Health; civic-tech: Code for, Code Your Future, Public Code, for Good, Civic, DataKind;
- voluntary-sector: anything else.

Personal data is dropped: ``contact_name`` and ``contact_email`` are never read into the graph, and an
organisation entry that is a person (marked "(person)", or named as its own contact whose e-mail address is
made of that name) is left out with its website; a project left with no organisation is led by a stand-in,
"{project} maintainers" (civic-tech). The screening records' other answers are not imported.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ogtgraph.errors import InputError
from ogtgraph.namespaces import COUNTRY, DCAT, DCTERMS, ID, OGT, RDF_TYPE, SCHEMA, SKOS, WIKIDATA
from ogtgraph.registers.base import MAX_BYTES, Builder, Register, org_iri
from ogtgraph.vocabulary import vocabulary

REGISTER = Register(
    kind="digital-public-goods",
    title="Digital Public Goods Alliance registry",
    keeper="Digital Public Goods Alliance",
    license="https://unlicense.org/",
    attribution="Digital Public Goods Alliance registry (publicgoods-candidates)",
    download="https://github.com/DPGAlliance/publicgoods-candidates",
    file="the folder holding nominees/ and digitalpublicgoods/",
)
MEDIA_TYPE = "application/json"
PROJECT = ID + "project/dpga/"
SDG = "http://metadata.un.org/sdg/"
SPDX = "https://spdx.org/licenses/"
WORLD = WIKIDATA + "Q2"
SECTOR_SCHEME = ID + "dpga-sector"
AREAS = "https://w3id.org/ogtgraph/id/areas"
NOMINEES, SCREENING = "nominees", "digitalpublicgoods"

# ISO 3166-1 alpha-3 code, then the names a record may use (the first is the label), from Debian's iso-codes
# (iso_3166-1.json: common name, name) with the spellings the registry uses and a few common ones.
_COUNTRY_TABLE = """
ABW Aruba; AFG Afghanistan; AGO Angola; AIA Anguilla; ALA Åland Islands; ALB Albania; AND Andorra; ARE United
Arab Emirates; ARG Argentina; ARM Armenia; ASM American Samoa; ATA Antarctica; ATF French Southern Territories;
ATG Antigua and Barbuda; AUS Australia; AUT Austria; AZE Azerbaijan; BDI Burundi; BEL Belgium; BEN Benin; BES
Bonaire, Sint Eustatius and Saba|Caribbean Netherlands; BFA Burkina Faso; BGD Bangladesh; BGR Bulgaria; BHR
Bahrain; BHS Bahamas|The Bahamas; BIH Bosnia and Herzegovina; BLM Saint Barthélemy; BLR Belarus; BLZ Belize; BMU
Bermuda; BOL Bolivia|Bolivia, Plurinational State of; BRA Brazil; BRB Barbados; BRN Brunei Darussalam|Brunei;
BTN Bhutan; BVT Bouvet Island; BWA Botswana; CAF Central African Republic; CAN Canada; CCK Cocos (Keeling)
Islands; CHE Switzerland; CHL Chile; CHN China; CIV Côte d'Ivoire|Ivory Coast; CMR Cameroon; COD Congo, The
Democratic Republic of the|Democratic Republic of the Congo|DR Congo|Congo-Kinshasa; COG Congo|Congo
(Congo-Brazzaville)|Congo-Brazzaville|Republic of the Congo; COK Cook Islands; COL Colombia; COM Comoros; CPV
Cabo Verde|Cape Verde; CRI Costa Rica; CUB Cuba; CUW Curaçao; CXR Christmas Island; CYM Cayman Islands; CYP
Cyprus; CZE Czechia|Czechia (Czech Republic)|Czech Republic; DEU Germany; DJI Djibouti; DMA Dominica; DNK
Denmark; DOM Dominican Republic; DZA Algeria; ECU Ecuador; EGY Egypt; ERI Eritrea; ESH Western Sahara; ESP
Spain; EST Estonia; ETH Ethiopia; FIN Finland; FJI Fiji; FLK Falkland Islands (Malvinas); FRA France; FRO Faroe
Islands; FSM Micronesia, Federated States of|Micronesia; GAB Gabon; GBR United Kingdom|UK|Great Britain; GEO
Georgia; GGY Guernsey; GHA Ghana; GIB Gibraltar; GIN Guinea; GLP Guadeloupe; GMB Gambia|The Gambia; GNB
Guinea-Bissau; GNQ Equatorial Guinea; GRC Greece; GRD Grenada; GRL Greenland; GTM Guatemala; GUF French Guiana;
GUM Guam; GUY Guyana; HKG Hong Kong; HMD Heard Island and McDonald Islands; HND Honduras; HRV Croatia; HTI
Haiti; HUN Hungary; IDN Indonesia; IMN Isle of Man; IND India; IOT British Indian Ocean Territory; IRL Ireland;
IRN Iran|Iran, Islamic Republic of; IRQ Iraq; ISL Iceland; ISR Israel; ITA Italy; JAM Jamaica; JEY Jersey; JOR
Jordan; JPN Japan; KAZ Kazakhstan; KEN Kenya; KGZ Kyrgyzstan; KHM Cambodia; KIR Kiribati; KNA Saint Kitts and
Nevis; KOR South Korea|Korea, Republic of; KWT Kuwait; LAO Laos|Lao People's Democratic Republic; LBN Lebanon;
LBR Liberia; LBY Libya; LCA Saint Lucia; LIE Liechtenstein; LKA Sri Lanka; LSO Lesotho; LTU Lithuania; LUX
Luxembourg; LVA Latvia; MAC Macao|Macau; MAF Saint Martin (French part); MAR Morocco; MCO Monaco; MDA
Moldova|Moldova, Republic of; MDG Madagascar; MDV Maldives; MEX Mexico; MHL Marshall Islands; MKD North
Macedonia|Macedonia; MLI Mali; MLT Malta; MMR Myanmar|Burma; MNE Montenegro; MNG Mongolia; MNP Northern Mariana
Islands; MOZ Mozambique; MRT Mauritania; MSR Montserrat; MTQ Martinique; MUS Mauritius; MWI Malawi; MYS
Malaysia; MYT Mayotte; NAM Namibia; NCL New Caledonia; NER Niger; NFK Norfolk Island; NGA Nigeria; NIC
Nicaragua; NIU Niue; NLD Netherlands|The Netherlands; NOR Norway; NPL Nepal; NRU Nauru; NZL New Zealand; OMN
Oman; PAK Pakistan; PAN Panama; PCN Pitcairn; PER Peru; PHL Philippines; PLW Palau; PNG Papua New Guinea; POL
Poland; PRI Puerto Rico; PRK North Korea|Korea, Democratic People's Republic of; PRT Portugal; PRY Paraguay; PSE
Palestine, State of|Palestine State|State of Palestine|Palestine; PYF French Polynesia; QAT Qatar; REU Réunion;
ROU Romania; RUS Russian Federation|Russia; RWA Rwanda; SAU Saudi Arabia; SDN Sudan; SEN Senegal; SGP Singapore;
SGS South Georgia and the South Sandwich Islands; SHN Saint Helena, Ascension and Tristan da Cunha; SJM Svalbard
and Jan Mayen; SLB Solomon Islands; SLE Sierra Leone; SLV El Salvador; SMR San Marino; SOM Somalia; SPM Saint
Pierre and Miquelon; SRB Serbia; SSD South Sudan; STP Sao Tome and Principe; SUR Suriname; SVK Slovakia; SVN
Slovenia; SWE Sweden; SWZ Eswatini|Eswatini (fmr. 'Swaziland')|Swaziland; SXM Sint Maarten (Dutch part); SYC
Seychelles; SYR Syria|Syrian Arab Republic; TCA Turks and Caicos Islands; TCD Chad; TGO Togo; THA Thailand; TJK
Tajikistan; TKL Tokelau; TKM Turkmenistan; TLS Timor-Leste|East Timor; TON Tonga; TTO Trinidad and Tobago; TUN
Tunisia; TUR Türkiye|Turkey; TUV Tuvalu; TWN Taiwan|Taiwan, Province of China; TZA Tanzania|Tanzania, United
Republic of; UGA Uganda; UKR Ukraine; UMI United States Minor Outlying Islands; URY Uruguay; USA United
States|United States of America|USA|US; UZB Uzbekistan; VAT Holy See (Vatican City State)|Holy See|Vatican
City|Vatican; VCT Saint Vincent and the Grenadines; VEN Venezuela|Venezuela, Bolivarian Republic of; VGB Virgin
Islands, British; VIR Virgin Islands, U.S.; VNM Vietnam|Viet Nam; VUT Vanuatu; WLF Wallis and Futuna; WSM Samoa;
YEM Yemen; ZAF South Africa; ZMB Zambia; ZWE Zimbabwe
"""
_COUNTRIES = [(e[:3], e[4:].split("|")) for e in " ".join(_COUNTRY_TABLE.split()).split("; ")]
COUNTRY_LABEL = {code: names[0] for code, names in _COUNTRIES}
COUNTRY_CODE = {n.casefold(): code for code, names in _COUNTRIES for n in names}

_INTERGOVERNMENTAL = (r"\b(united nations|unicef|undp|unep|unido|fao|gbif|world (bank|health organi[sz]ation|"
                      r"meteorological organi[sz]ation|food programme)|asian development bank|african union|"
                      r"european commission|secretariat of the convention|giz)\b")
SECTOR_RULES: tuple[tuple[str, str], ...] = (  # (sector, pattern on "name website"), the first that fits
    ("central-government", _INTERGOVERNMENTAL),
    ("central-government", r"\b(government of|ministry|agency|statistic(s|al)|meteorological|state secretariat|"
                           r"etalab|norad|kfw)\b"),
    ("higher-education", r"\b(universit(y|ies|é|at)|college|chair of|institute of technology|eth)\b|\.edu\b|"
                         r"\.ac\.[a-z]{2}\b"),
    ("research-and-innovation", r"\b(research|laborator(y|ies))\b"),
    ("central-government", r"\.(gov|gouv|gob)(\.[a-z]{2})?/|\.admin\.ch/"),
    ("private-sector", r"\b(ltd|llc|limited|gmbh|pty|pvt|sa|ab|plc|corporation|consulting|technologies|google|"
                       r"thoughtworks|johnson & johnson|vox media)\b|\binc\b(?!.*\.org/)"),
    ("health", r"\bhealth\b"),
    ("civic-tech", r"\b(code for|code your future|public code|for good|civic|datakind)\b"),
)
TYPES = {"central-government": SCHEMA + "GovernmentOrganization", "higher-education": SCHEMA + "CollegeOrUniversity",
         "private-sector": SCHEMA + "Corporation", "voluntary-sector": SCHEMA + "NGO"}
_LEGAL_FORMS = {"inc", "ltd", "llc", "limited", "gmbh", "pty", "pvt", "private", "npc", "sa", "ab", "plc", "cic",
                "company", "co"}


@dataclass
class _Organisation:
    node: ox.NamedNode
    name: str
    sector: str
    names: set[str] = field(default_factory=set)
    website: str | None = None
    countries: set[str] = field(default_factory=set)


def read(path: Path) -> bytes:
    """The JSON files of the folder, in name order, each framed as ``folder/name<TAB>length<LF>bytes``."""
    nominees, screening = _folders(path)
    parts: list[bytes] = []
    try:
        for folder in (nominees, screening):
            for file in sorted(folder.glob("*.json")) if folder.is_dir() else []:
                body = file.read_bytes()
                parts.append(f"{folder.name}/{file.name}\t{len(body)}\n".encode() + body)
    except OSError as e:
        raise InputError(f"{path}: cannot read the registry folder ({e.strerror or e}).") from e
    data = b"".join(parts)
    if len(data) > MAX_BYTES:
        raise InputError(f"{path}: {len(data):,} bytes is too large for the DPGA registry (limit {MAX_BYTES:,}).")
    return data


def _folders(path: Path) -> tuple[Path, Path]:
    if not path.exists():
        raise InputError(f"{path}: no such folder; give the DPGA registry folder that holds {NOMINEES}/.")
    if not path.is_dir():
        raise InputError(f"{path} is a file; give the DPGA registry folder that holds {NOMINEES}/ (a clone of "
                         f"{REGISTER.download}).")
    nominees = path if path.name == NOMINEES else path / NOMINEES
    if not nominees.is_dir() or not any(nominees.glob("*.json")):
        raise InputError(f"{path}: no {NOMINEES}/*.json in it; give the DPGA registry folder that holds "
                         f"{NOMINEES}/ and {SCREENING}/ (a clone of {REGISTER.download}).")
    return nominees, nominees.parent / SCREENING


def build(data: bytes, path: Path) -> Builder:
    files = _frames(data, path)
    root = path.parent if path.name == NOMINEES else path
    records = {folder: _records(files, folder, root) for folder in (NOMINEES, SCREENING)}
    out = Builder()
    sectors = _sector_concepts()
    organisations: dict[str, _Organisation] = {}
    for stem, record in sorted(records[NOMINEES].items()):
        countries = _countries(records[SCREENING].get(stem), out)
        _project(out, stem, record, countries, organisations, sectors)
    for org in organisations.values():
        jurisdictions = sorted(COUNTRY + c for c in org.countries) or [WORLD]
        out.organisation(org.node, name=org.name, sectors=[org.sector], jurisdictions=jurisdictions,
                         types=[TYPES[org.sector]] if org.sector in TYPES else [], website=org.website)
        for other in sorted(org.names - {org.name}):
            out.text(org.node, SCHEMA + "alternateName", other, language=None)
        for code in org.countries:
            _area(out, COUNTRY + code, COUNTRY_LABEL[code], code, "country")
        if not org.countries:
            _area(out, WORLD, "World", "Q2", "world")
    out.counts.add("screening records without a nominee", len(set(records[SCREENING]) - set(records[NOMINEES])))
    return out


def _project(out: Builder, stem: str, record: dict[str, Any], countries: set[str],
             organisations: dict[str, _Organisation], sectors: dict[str, str]) -> None:
    node = ox.NamedNode(PROJECT + stem)
    name = _text(record.get("name"))
    out.add(node, RDF_TYPE, ox.NamedNode(SCHEMA + "Project"))
    out.text(node, SCHEMA + "name", name, language=None)
    for alias in _list(record.get("aliases")):
        if _text(alias) != name:
            out.text(node, SCHEMA + "alternateName", _text(alias), language=None)
    out.text(node, SCHEMA + "description", _text(record.get("description")))
    _link(out, node, SCHEMA + "url", record.get("website"))
    for repository in _list(record.get("repositories")):
        _link(out, node, SCHEMA + "codeRepository", repository.get("url") if isinstance(repository, dict) else None)
    for licence in _list(record.get("license")):
        spdx = _text(licence.get("spdx")) if isinstance(licence, dict) else ""
        if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.+-]*", spdx):
            out.add(node, DCTERMS + "license", ox.NamedNode(SPDX + spdx))
    for kind in _list(record.get("type")):
        out.text(node, DCTERMS + "type", _text(kind), language=None)
    if _text(record.get("stage")) == "DPG":
        out.text(node, SCHEMA + "award", "Digital Public Good")
        out.counts.add("digital public goods")
    for goal in _list(record.get("SDGs")):
        number = goal.get("SDGNumber") if isinstance(goal, dict) else None
        if str(number).isdigit() and 1 <= int(str(number)) <= 17:
            out.add(node, DCAT + "theme", ox.NamedNode(f"{SDG}{int(str(number))}"))
    for sector in _list(record.get("sectors")):
        _sector(out, node, _text(sector), sectors)
    _roles(out, node, record, countries, organisations)
    out.counts.add("projects")


def _roles(out: Builder, project: ox.NamedNode, record: dict[str, Any], countries: set[str],
           organisations: dict[str, _Organisation]) -> None:
    """Lead (first owner, else first), funders and partners; people left out, and never their contact details."""
    entries = [e for e in _list(record.get("organizations")) if isinstance(e, dict) and _text(e.get("name"))]
    people = [e for e in entries if _is_person(e)]
    out.counts.add("people named as organisations left out", len(people))
    entries = [e for e in entries if e not in people]
    if not entries:
        out.counts.add("stand-in organisations for projects of people")
        name = f"{_text(record.get('name'))} maintainers"
        lead = _organisation(name, _text(record.get("website")), organisations, sector="civic-tech")
    else:
        first = next((e for e in entries if _role(e) == "owner"), entries[0])
        entries.remove(first)
        lead = _organisation(_text(first["name"]), _text(first.get("website")), organisations)
    lead.countries |= countries
    out.add(project, OGT + "leadOrganisation", lead.node)
    for entry in entries:
        org = _organisation(_text(entry["name"]), _text(entry.get("website")), organisations)
        if org is lead:
            continue
        if _role(entry) == "funder":
            out.add(project, SCHEMA + "funder", org.node)
        else:
            org.countries |= countries
            out.add(project, OGT + "partner", org.node)


def _role(entry: dict[str, Any]) -> str:
    return _text(entry.get("org_type")).lower()


def _organisation(name: str, website: str, organisations: dict[str, _Organisation],
                  sector: str | None = None) -> _Organisation:
    """The organisation named ``name`` (one per slug; the first name and website seen are its own)."""
    name = " ".join(name.split())
    slug = _slug(name)
    org = organisations.get(slug)
    if org is None:
        org = _Organisation(org_iri("dpga", slug), name, sector or _sector_of(name, website), website=website or None)
        organisations[slug] = org
    org.names.add(name)
    return org


def _sector_of(name: str, website: str) -> str:
    """The sector an organisation's name and website suggest (the rules are in the module's docstring)."""
    text = f"{name} {website.rstrip('/')}/".lower()
    return next((sector for sector, pattern in SECTOR_RULES if re.search(pattern, text)), "voluntary-sector")


def _is_person(entry: dict[str, Any]) -> bool:
    """Whether an organisation entry is a person: marked "(person)", or named as its own contact whose
    e-mail address is made of that name (juliussweetland@... for Julius Sweetland)."""
    name = _text(entry.get("name"))
    if re.search(r"\(\s*person\s*\)", name, re.IGNORECASE):
        return True
    words = re.findall(r"[a-z]+", _fold(name))
    mailbox = re.sub(r"[^a-z]", "", _fold(_text(entry.get("contact_email")).partition("@")[0]))
    return bool(words) and words == re.findall(r"[a-z]+", _fold(_text(entry.get("contact_name")))) \
        and all(w in mailbox for w in words)


def _sector(out: Builder, project: ox.NamedNode, label: str, concepts: dict[str, str]) -> None:
    """A DPGA sector as a topic: the topic it closely matches, else its concept (minted when it is new)."""
    if not label:
        return
    concept = concepts.get(label.casefold())
    if concept is None:
        concept = f"{SECTOR_SCHEME}/{_slug(label)}"
        out.add(ox.NamedNode(concept), RDF_TYPE, ox.NamedNode(SKOS + "Concept"))
        out.add(ox.NamedNode(concept), SKOS + "inScheme", ox.NamedNode(SECTOR_SCHEME))
        out.text(ox.NamedNode(concept), SKOS + "prefLabel", label)
        out.counts.add("sectors not in ontology/dpga-sectors.ttl")
    out.add(project, DCAT + "theme", ox.NamedNode(concept))


def _sector_concepts() -> dict[str, str]:
    """DPGA sector label (case-folded) → the topic it closely matches, else its own concept."""
    triples = [(str(t.subject.value), t.predicate.value, str(t.object.value)) for t in vocabulary().triples
               if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(SECTOR_SCHEME + "/")
               and isinstance(t.object, (ox.NamedNode, ox.Literal))]
    match = {s: o for s, p, o in triples if p == SKOS + "closeMatch"}
    return {o.casefold(): match.get(s, s) for s, p, o in triples if p == SKOS + "prefLabel"}


def _countries(screening: dict[str, Any] | None, out: Builder) -> set[str]:
    """The alpha-3 codes of a screening record's development countries."""
    if screening is None:
        out.counts.add("projects without a screening record")
        return set()
    locations = screening.get("locations")
    codes: set[str] = set()
    if not isinstance(locations, dict):
        return codes
    for name in _list(locations.get("developmentCountries")):
        code = COUNTRY_CODE.get(" ".join(_text(name).split()).casefold())
        if code is None:
            out.counts.add("development countries not recognised")
        else:
            codes.add(code)
    return codes


def _area(out: Builder, iri: str, label: str, notation: str, kind: str) -> None:
    node = ox.NamedNode(iri)
    out.add(node, RDF_TYPE, ox.NamedNode(OGT + "Area"))
    out.add(node, RDF_TYPE, ox.NamedNode(SKOS + "Concept"))
    out.add(node, SKOS + "inScheme", ox.NamedNode(AREAS))
    out.text(node, SKOS + "prefLabel", label)
    out.add(node, SKOS + "notation", ox.Literal(notation))
    out.add(node, OGT + "areaType", ox.Literal(kind))


def _frames(data: bytes, path: Path) -> dict[str, bytes]:
    """Undo :func:`read`: file name (folder/name) → its bytes."""
    files: dict[str, bytes] = {}
    at = 0
    try:
        while at < len(data):
            end = data.index(b"\n", at)
            name, size = data[at:end].decode("utf-8").split("\t")
            files[name] = data[end + 1:end + 1 + int(size)]
            at = end + 1 + int(size)
    except (ValueError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read the registry folder's files ({e}).") from e
    return files


def _records(files: dict[str, bytes], folder: str, root: Path) -> dict[str, dict[str, Any]]:
    """The JSON records of one folder by file stem; a file holding only another file's name (a symbolic
    link checked out as a file) is that file."""
    records: dict[str, dict[str, Any]] = {}
    for name, body in files.items():
        if not name.startswith(folder + "/"):
            continue
        target = body.strip().decode("utf-8", "replace")
        if re.fullmatch(r"[\w.-]+\.json", target) and f"{folder}/{target}" in files:
            body = files[f"{folder}/{target}"]
        try:
            record = json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise InputError(f"{root / name}: not JSON ({e}); fix or remove the file and import again.") from e
        if folder == NOMINEES and not (isinstance(record, dict) and _text(record.get("name"))
                                       and isinstance(record.get("organizations"), list)):
            raise InputError(f"{root / name}: not a DPGA nominee record (it needs \"name\" and \"organizations\").")
        if isinstance(record, dict):
            records[Path(name).stem] = record
    return records


def _link(out: Builder, node: ox.NamedNode, predicate: str, url: object) -> None:
    url = _text(url)
    if url.startswith(("http://", "https://")) and not re.search(r"\s", url):
        try:
            out.add(node, predicate, ox.NamedNode(url))
        except ValueError:
            out.counts.add("malformed web addresses skipped")


def _slug(name: str) -> str:
    words = re.findall(r"[a-z0-9]+", _fold(name).replace("&", " and "))
    while len(words) > 1 and words[-1] in _LEGAL_FORMS:
        words.pop()
    return "-".join(words) or "name-" + hashlib.sha256(name.encode()).hexdigest()[:12]


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []
