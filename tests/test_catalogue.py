"""Finding organisations and projects by sector, topic, area, phase and words (the index behind /api)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ogtgraph import catalogue
from ogtgraph.collaborators import Index, load_index
from ogtgraph.errors import NotFoundError
from ogtgraph.publishing import load
from ogtgraph.store import GraphStore

DATA = Path(__file__).resolve().parents[1] / "data"
ORG = "https://w3id.org/ogtgraph/id/org/"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    store = GraphStore(tmp_path_factory.mktemp("catalogue") / "store")
    load(sorted(DATA.iterdir()), store=store)
    return load_index(store)


def names(items: list[object]) -> set[str]:
    return {item.name for item in items}  # type: ignore[attr-defined]


def test_organisations_by_sector(index: Index) -> None:
    found = catalogue.organisations(index, catalogue.Filters(sector="utility"))
    assert names(found) == {"Yorkshire Water", "Northern Powergrid"}


def test_organisations_inside_an_area_include_its_districts(index: Index) -> None:
    found = names(catalogue.organisations(index, catalogue.Filters(jurisdiction="E47000003")))
    assert {"Leeds City Council", "City of Bradford Metropolitan District Council", "Kirklees Council",
            "Wakefield Metropolitan District Council", "West Yorkshire Combined Authority"} <= found
    assert "Essex County Council" not in found


def test_words_and_topic_narrow_the_list(index: Index) -> None:
    found = catalogue.organisations(index, catalogue.Filters(q="council leeds"))
    assert names(found) == {"Leeds City Council"}
    topical = names(catalogue.organisations(index, catalogue.Filters(topic="procurement")))
    assert "Open Contracting Partnership" in topical and "Yorkshire Water" not in topical


def test_projects_by_phase_topic_and_words(index: Index) -> None:
    live = catalogue.projects(index, catalogue.Filters(topic="open-data", phase="live"))
    assert "Data Mill North" in names(live)
    assert all(p.phase and p.phase.endswith("/live") for p in live)
    discovery = catalogue.projects(index, catalogue.Filters(phase="discovery", q="open-source"))
    assert len(discovery) == 1 and "reuse" in discovery[0].name.casefold() + discovery[0].description.casefold()


def test_projects_by_the_sector_of_an_organisation_on_them(index: Index) -> None:
    found = catalogue.projects(index, catalogue.Filters(sector="utility"))
    assert found and all(any(o in {ORG + "yorkshire-water", ORG + "northern-powergrid"} for o in p.members)
                         for p in found)


def test_one_organisation_with_links(index: Index) -> None:
    leeds = catalogue.organisation_json(index, catalogue.organisation(index, ORG + "leeds-city-council"))
    assert leeds["name"] == "Leeds City Council" and leeds["jurisdiction"] == ["E08000035"]
    assert leeds["projects"] and leeds["links"]["collaborators"].startswith("/api/collaborators?organisation=https%3A")
    with pytest.raises(NotFoundError):
        catalogue.organisation(index, ORG + "nobody")
