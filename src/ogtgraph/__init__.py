"""ogtgraph: an open knowledge graph of open-government technology.

The public surface::

    from ogtgraph import GraphStore, Settings, read_contribution, validate, check, load
"""

from ogtgraph.config import Settings
from ogtgraph.errors import InputError, NotFoundError, OgtGraphError, ParseError, QueryError, StoreError
from ogtgraph.formats import Contribution, parse_contribution, read_contribution
from ogtgraph.publishing import Outcome, check, load
from ogtgraph.store import GraphStore, Provenance
from ogtgraph.validation import Finding, Report, validate

__all__ = [
    "Contribution", "Finding", "GraphStore", "InputError", "NotFoundError", "OgtGraphError", "Outcome",
    "ParseError", "Provenance", "QueryError", "Report", "Settings", "StoreError", "check", "load",
    "parse_contribution", "read_contribution", "validate",
]
