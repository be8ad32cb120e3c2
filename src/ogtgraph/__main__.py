"""``python -m ogtgraph`` runs the ogtgraph command."""

from ogtgraph.cli import main

main()
