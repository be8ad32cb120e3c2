"""The HTTP adapters: the SPARQL endpoint and the JSON API, built by :func:`create_app`."""

from ogtgraph.api.app import create_app

__all__ = ["create_app"]
