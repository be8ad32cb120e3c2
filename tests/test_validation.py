"""validation: each constraint in shapes/ rejects a matching bad example, with a message a person can act on."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from ogtgraph.formats import read_contribution
from ogtgraph.namespaces import RDF_TYPE
from ogtgraph.validation import Finding, Report, validate

PROJECT = "Project <https://w3id.org/ogtgraph/id/project/adult-social-care-bot>"
LEEDS = "Organisation <https://w3id.org/ogtgraph/id/org/leeds-city-council>"
PHASES = "one of discovery, alpha, beta, live, retired"
SHAPES = "https://w3id.org/ogtgraph/shapes#"

# fixture, the shape that must reject it, the key shown, and what the report line must say
REJECTED = [
    ("phase-unknown.jsonld", "Project-phase-value", "phase", [f'{PROJECT}: "phase" is "beta-ish"', PHASES]),
    ("phase-unknown.ttl", "Project-phase-value", "ogt:phase",
     [f'{PROJECT}: "ogt:phase" is <https://w3id.org/ogtgraph/id/phase/beta-ish>', PHASES]),
    ("sector-unknown.jsonld", "Organisation-sector-value", "sector",
     [f'{LEEDS}: "sector" is "councils"', "local-government, central-government, health, utility"]),
    ("sector-unknown.ttl", "Organisation-sector-value", "org:classification",
     [f'{LEEDS}: "org:classification" is <https://w3id.org/ogtgraph/id/sector/councils>', "local-government"]),
    ("missing-sector.jsonld", "Organisation-sector", "sector", [f'{LEEDS}: Every organisation needs a "sector"']),
    ("missing-name.jsonld", "Project-name", "name", [f'{PROJECT}: Every project needs a "name"']),
    ("missing-description.jsonld", "Project-description", "description",
     [f'{PROJECT}: Every project needs a "description"']),
    ("missing-lead.jsonld", "Project-leadOrganisation", "leadOrganisation",
     [f'{PROJECT}: Every project needs exactly one "leadOrganisation"']),
    ("two-leads.jsonld", "Project-leadOrganisation", "leadOrganisation",
     [f'{PROJECT}: Every project needs exactly one "leadOrganisation"']),
    ("lead-unknown.jsonld", "Project-leadOrganisation", "leadOrganisation",
     [f'{PROJECT}: "leadOrganisation" is <https://w3id.org/ogtgraph/id/org/no-such-council>',
      "described in this file, in a file loaded with it, or already in the store"]),
    ("end-before-start.jsonld", "Project-dates", "startDate",
     [f'{PROJECT}: "startDate" is "2020-03-31"', "cannot end before it starts"]),
    ("date-invalid.jsonld", "Project-startDate", "startDate", [f'{PROJECT}: "startDate" is "2019-13-45"',
                                                               "YYYY-MM-DD"]),
    ("url-not-http.jsonld", "Project-url", "url",
     [f'{PROJECT}: "url" is <ftp://ftp.leeds.gov.uk/adult-social-care>', "https://"]),
    ("jurisdiction-bad.jsonld", "Organisation-jurisdiction", "jurisdiction",
     [f'{LEEDS}: "jurisdiction" is "Leeds"', "GSS code"]),
    ("topic-bogus.jsonld", "Project-topic", "topic",
     [f'{PROJECT}: "topic" is "bogus"', "open-data, open-source", "LGSL"]),
    ("email-not-mailto.jsonld", "Contact-email", "email",
     [f'a Contact of {PROJECT}: "email" is <https://www.leeds.gov.uk/contact-us>', '"mailto:']),
    ("email-not-mailto.ttl", "Contact-email", "vcard:hasEmail",
     [f'a Contact of {PROJECT}: "vcard:hasEmail" is "digital@leeds.gov.uk"', '"mailto:']),
    ("status-update-no-text.jsonld", "StatusUpdate-text", "text",
     [f'a StatusUpdate of {PROJECT}: Every status update needs a "text"']),
]


def report_of(path: Path) -> Report:
    return validate(read_contribution(path))


@pytest.mark.parametrize(("name", "shape", "key", "said"), REJECTED, ids=[r[0] for r in REJECTED])
def test_each_constraint_rejects_its_bad_example(fixtures: Path, name: str, shape: str, key: str,
                                                 said: list[str]) -> None:
    report = report_of(fixtures / "invalid" / name)
    assert not report.conforms
    assert [f.shape for f in report.violations] == [SHAPES + shape], report.lines()
    assert report.violations[0].key == key
    line = next(line for line in report.lines() if not line.startswith("warning: "))
    for text in said:
        assert text in line


def test_the_readable_line_reads_as_the_issue_shows(fixtures: Path) -> None:
    (line,) = report_of(fixtures / "invalid" / "phase-unknown.jsonld").lines()
    assert line == f'{PROJECT}: "phase" is "beta-ish". The "phase" must be {PHASES}.'


@pytest.mark.parametrize("name", ["empty-graph.jsonld", "no-organisation-or-project.jsonld"])
def test_a_file_describing_no_organisation_or_project_is_rejected(fixtures: Path, name: str) -> None:
    path = fixtures / "invalid" / name
    report = report_of(path)
    assert not report.conforms
    assert report.lines() == [f'{path}: describes no Organisation or Project: a contribution must describe at '
                              'least one, with its "type".']


@pytest.mark.parametrize("name", ["council.jsonld", "council.ttl", "topic-lgsl.jsonld"])
def test_valid_fixtures_conform_without_findings(fixtures: Path, name: str) -> None:
    report = report_of(fixtures / "valid" / name)
    assert report.conforms
    assert report.findings == ()


def test_a_full_lgsl_topic_iri_is_accepted_but_a_bare_unknown_code_is_not(fixtures: Path) -> None:
    lgsl = read_contribution(fixtures / "valid" / "topic-lgsl.jsonld")
    assert "http://id.esd.org.uk/service/123" in {t.object.value for t in lgsl.triples}
    assert validate(lgsl).conforms
    assert not report_of(fixtures / "invalid" / "topic-bogus.jsonld").conforms


def test_a_well_formed_but_unknown_gss_code_is_only_a_warning(fixtures: Path) -> None:
    report = report_of(fixtures / "valid" / "unknown-area.jsonld")
    assert report.conforms
    assert report.violations == []
    (warning,) = report.warnings
    assert warning.severity == "warning"
    assert warning.shape == SHAPES + "Organisation-jurisdiction-known"
    assert warning.value == '"E06000014"'
    assert report.lines()[0].startswith('warning: Organisation <https://w3id.org/ogtgraph/id/org/city-of-york-'
                                        'council>: "jurisdiction" is "E06000014".')


def test_a_malformed_jurisdiction_is_a_violation_and_an_unknown_area(fixtures: Path) -> None:
    report = report_of(fixtures / "invalid" / "jurisdiction-bad.jsonld")
    assert [f.severity for f in report.findings] == ["violation", "warning"], "violations come first"


def test_jsonld_and_turtle_reports_differ_only_in_how_key_and_value_are_shown(fixtures: Path) -> None:
    from_jsonld = report_of(fixtures / "invalid" / "phase-unknown.jsonld").violations[0]
    from_turtle = report_of(fixtures / "invalid" / "phase-unknown.ttl").violations[0]
    assert (from_jsonld.resource, from_jsonld.shape, from_jsonld.message) == (
        from_turtle.resource, from_turtle.shape, from_turtle.message)
    assert (from_jsonld.key, from_jsonld.value) == ("phase", '"beta-ish"')
    assert (from_turtle.key, from_turtle.value) == ("ogt:phase", "<https://w3id.org/ogtgraph/id/phase/beta-ish>")


def test_report_as_json_carries_every_finding(fixtures: Path) -> None:
    path = fixtures / "invalid" / "jurisdiction-bad.jsonld"
    report = report_of(path)
    as_json = json.loads(json.dumps(report.as_json()))
    assert as_json["source"] == str(path)
    assert as_json["conforms"] is False
    assert [Finding(**r) for r in as_json["results"]] == list(report.findings)


# ---------------------------------------------------------------- what validation sees besides the file


def _types_of(path: Path) -> list[ox.Triple]:
    return [t for t in read_contribution(path).triples if t.predicate.value == RDF_TYPE]


def test_a_reference_resolved_by_the_caller_satisfies_the_class_check(fixtures: Path) -> None:
    project = read_contribution(fixtures / "batch" / "bradford-project.jsonld")
    assert not validate(project).conforms
    org_types = _types_of(fixtures / "batch" / "bradford-council.ttl")
    asked: list[str] = []

    def references(iris):
        asked.extend(iris)
        return org_types

    assert validate(project, references=references).conforms
    assert "https://w3id.org/ogtgraph/id/org/bradford-council" in asked


def test_resources_only_referred_to_are_not_validated_here(fixtures: Path) -> None:
    # The referenced organisation comes with its type only (no name, no sector): that is for its own file.
    project = read_contribution(fixtures / "batch" / "bradford-project.jsonld")
    report = validate(project, references=lambda iris: _types_of(fixtures / "batch" / "bradford-council.ttl"))
    assert report.findings == ()


def test_a_reference_of_the_wrong_class_still_fails(fixtures: Path) -> None:
    project = read_contribution(fixtures / "batch" / "bradford-project.jsonld")
    wrong = [ox.Triple(ox.NamedNode("https://w3id.org/ogtgraph/id/org/bradford-council"), ox.NamedNode(RDF_TYPE),
                       ox.NamedNode("https://schema.org/Project"))]
    report = validate(project, references=lambda iris: wrong)
    assert [f.key for f in report.violations] == ["leadOrganisation"]


def test_an_ill_formed_start_date_is_reported_only_as_ill_formed(fixtures: Path) -> None:
    report = report_of(fixtures / "invalid" / "date-invalid-with-end.jsonld")
    assert [f.shape for f in report.violations] == [SHAPES + "Project-startDate"], report.lines()
