"""Pages for people who never write SPARQL: Jinja2 templates shipped inside the package."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=PackageLoader("ogtgraph", "web/templates"), autoescape=select_autoescape())


def render(template: str, **values: Any) -> str:
    return _environment().get_template(template).render(**values)
