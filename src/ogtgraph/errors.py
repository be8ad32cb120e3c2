"""The one exception tree of ogtgraph.

Failures are exceptions; results (including a contribution that does not conform) are values::

    OgtGraphError                   anything ogtgraph reports to a person; never a traceback
    ├── InputError                  the input cannot be used as given (CLI exit 2, HTTP 400)
    │   ├── ParseError              a file is not well-formed Turtle / JSON / JSON-LD (file, line, column)
    │   ├── RemoteContextError      a JSON-LD file names a context ogtgraph will not fetch
    │   ├── UnknownKeyError         a JSON-LD key that the ogtgraph context does not define
    │   ├── QueryError              a SPARQL query or a query parameter is not usable
    │   ├── ReadOnly                a SPARQL update sent to the read-only endpoint (HTTP 403)
    │   ├── UnsupportedMediaType    a request body of a type the endpoint does not take (HTTP 415)
    │   ├── NotAcceptable           no result format the client accepts (HTTP 406)
    │   └── TooManyRows             a result over the row cap (HTTP 413)
    ├── QueryTimeout                a query stopped at the wall-clock limit (HTTP 503)
    ├── Busy                        every query worker is busy (HTTP 503)
    ├── NotFoundError               a named query, contribution or file that does not exist (exit 2, HTTP 404)
    ├── ConfigError                 a setting has a value that cannot be used (exit 2)
    ├── StoreError                  the store cannot be opened, read or written (exit 3, HTTP 503)
    └── InternalError               a component failed in a way that is our bug (exit 3, HTTP 500)

Each library's errors are translated once, in the module that owns the library (``raise ... from e``).
This module imports nothing of ours.
"""

from __future__ import annotations


class OgtGraphError(Exception):
    """Base class: ``str(error)`` is a message for a person: what failed, where, and what to do."""

    exit_code = 3
    http_status = 500
    code = "error"


class InputError(OgtGraphError):
    exit_code = 2
    http_status = 400
    code = "bad-input"


class ParseError(InputError):
    """A file that is not well-formed; carries where (file, line, column) when the parser says."""

    code = "syntax-error"

    def __init__(self, message: str, *, source: str, line: int | None = None, column: int | None = None):
        self.source = source
        self.line = line
        self.column = column
        where = source if line is None else f"{source}, line {line}" + (f", column {column}" if column else "")
        super().__init__(f"{where}: {message}")


class RemoteContextError(InputError):
    code = "remote-context"


class UnknownKeyError(InputError):
    code = "unknown-key"


class QueryError(InputError):
    code = "bad-query"


class ReadOnly(InputError):
    http_status = 403
    code = "read-only"


class UnsupportedMediaType(InputError):
    http_status = 415
    code = "unsupported-media-type"


class NotAcceptable(InputError):
    http_status = 406
    code = "not-acceptable"


class TooManyRows(InputError):
    http_status = 413
    code = "too-many-rows"


class QueryTimeout(OgtGraphError):
    exit_code = 2
    http_status = 503
    code = "query-timeout"


class Busy(OgtGraphError):
    exit_code = 3
    http_status = 503
    code = "busy"


class NotFoundError(OgtGraphError):
    exit_code = 2
    http_status = 404
    code = "not-found"


class ConfigError(OgtGraphError):
    exit_code = 2
    http_status = 500
    code = "bad-setting"


class StoreError(OgtGraphError):
    exit_code = 3
    http_status = 503
    code = "store-unavailable"


class InternalError(OgtGraphError):
    exit_code = 3
    http_status = 500
    code = "internal-error"
