"""IRIs and prefixes of ogtgraph, used by code and queries alike.

Everything here is a plain string so that both rdflib and pyoxigraph terms can be built from it.
"""

from __future__ import annotations

OGT = "https://w3id.org/ogtgraph/def#"
ID = "https://w3id.org/ogtgraph/id/"
SECTOR = ID + "sector/"
TOPIC = ID + "topic/"
PHASE = ID + "phase/"
COLLABORATION = ID + "collaboration/"
BUDGET = ID + "budget/"
STATUS = ID + "status/"
IDENTIFIER = ID + "identifier/"  # IDENTIFIER + scheme + "/" + value: one node per identifier
IDENTIFIER_SCHEME = ID + "identifier-scheme/"
ORGANISATION = ID + "org/"
GRAPH = "https://w3id.org/ogtgraph/graph/"
META_GRAPH = GRAPH + "_meta"
RECONCILED_GRAPH = GRAPH + "_reconciled"  # derived: which organisation nodes are one organisation
STAGING_GRAPH = "urn:ogtgraph:staging:"
CONTEXT_IRI = "https://w3id.org/ogtgraph/context.jsonld"

GSS = "http://statistics.data.gov.uk/id/statistical-geography/"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
WIKIDATA = "http://www.wikidata.org/entity/"
LGSL = "http://id.esd.org.uk/service/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SH = "http://www.w3.org/ns/shacl#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
PROV = "http://www.w3.org/ns/prov#"
VCARD = "http://www.w3.org/2006/vcard/ns#"
DOAP = "http://usefulinc.com/ns/doap#"
ADMS = "http://www.w3.org/ns/adms#"

RDF_TYPE = RDF + "type"

PREFIXES: dict[str, str] = {
    "ogt": OGT,
    "sector": SECTOR,
    "topic": TOPIC,
    "phase": PHASE,
    "collab": COLLABORATION,
    "budget": BUDGET,
    "status": STATUS,
    "gss": GSS,
    "country": COUNTRY,
    "wd": WIKIDATA,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "sh": SH,
    "org": ORG,
    "schema": SCHEMA,
    "dcterms": DCTERMS,
    "dcat": DCAT,
    "prov": PROV,
    "vcard": VCARD,
    "doap": DOAP,
    "adms": ADMS,
}

# Concept schemes whose values a contributor may write as a bare code.
SCHEMES: dict[str, str] = {
    "sector": SECTOR,
    "topic": TOPIC,
    "phase": PHASE,
    "collaboration": COLLABORATION,
    "budget": BUDGET,
    "status": STATUS,
    "gss": GSS,
    "country": COUNTRY,
}


def graph_iri(name: str) -> str:
    """The named graph of the contribution called ``name`` (a file stem or a given name), or ``name`` itself
    when it is already an absolute IRI."""
    if name.startswith(("http://", "https://", "urn:")):
        return name
    return GRAPH + name


def short(iri: str) -> str:
    """A readable form of an IRI: a bare code for scheme members, a prefixed name, or ``<iri>``."""
    for base in (SECTOR, TOPIC, PHASE, COLLABORATION, BUDGET, GSS):
        if iri.startswith(base) and len(iri) > len(base):
            return iri[len(base):]
    for prefix, base in PREFIXES.items():
        if iri.startswith(base) and len(iri) > len(base) and "/" not in iri[len(base):]:
            return f"{prefix}:{iri[len(base):]}"
    return f"<{iri}>"
