"""Settings, read from ``OGTGRAPH_*`` environment variables at the edge (CLI, app factory), never at import.

| setting          | variable                  | default                                   |
|------------------|---------------------------|-------------------------------------------|
| store            | OGTGRAPH_STORE            | $XDG_DATA_HOME/ogtgraph/store (~/.local/share/ogtgraph/store) |
| max_file_bytes   | OGTGRAPH_MAX_FILE_BYTES   | 5242880 (5 MiB)                           |
| query_timeout    | OGTGRAPH_QUERY_TIMEOUT    | 30 (seconds of wall-clock time per query) |
| max_rows         | OGTGRAPH_MAX_ROWS         | 100000 (rows a SELECT may return)         |
| workers          | OGTGRAPH_WORKERS          | 2 (query worker processes of serve)       |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ogtgraph.errors import ConfigError

PREFIX = "OGTGRAPH_"


def default_store_path(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ogtgraph" / "store"


@dataclass(frozen=True)
class Settings:
    """Everything ogtgraph can be told; build one with :meth:`from_env` or directly in tests."""

    store: Path = field(default_factory=lambda: default_store_path(os.environ))
    max_file_bytes: int = 5 * 1024 * 1024
    query_timeout: float = 30.0
    max_rows: int = 100_000
    workers: int = 2

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from the environment, with explicit overrides (e.g. CLI options) winning."""
        env = os.environ if env is None else env
        values: dict[str, object] = {"store": Path(env[PREFIX + "STORE"]) if env.get(PREFIX + "STORE") else
                                     default_store_path(env)}
        for name, parse in (("MAX_FILE_BYTES", _positive_int), ("QUERY_TIMEOUT", _positive_float),
                            ("MAX_ROWS", _positive_int), ("WORKERS", _positive_int)):
            if env.get(PREFIX + name):
                values[name.lower()] = parse(PREFIX + name, env[PREFIX + name])
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


def _positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} is {raw!r}; it must be a whole number.") from None
    if value <= 0:
        raise ConfigError(f"{name} is {value}; it must be more than 0.")
    return value


def _positive_float(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} is {raw!r}; it must be a number of seconds.") from None
    if not value > 0:
        raise ConfigError(f"{name} is {value}; it must be more than 0.")
    return value
