"""The few user-facing error types.

Surfaces (CLI, API) turn these into a one-line message / 4xx JSON body; anything else escaping
to a user is a bug.
"""


class YtrecError(Exception):
    """Base class: a problem the user can fix, described in one line."""


class CatalogError(YtrecError):
    """The catalog source cannot be read, or no row in it is usable."""


class ModelUnavailableError(YtrecError):
    """A configured model cannot be loaded (not downloaded, offline, wrong path)."""


class ArtifactError(YtrecError):
    """A bundle is missing, incomplete, corrupt, or was built with something incompatible."""


class ConfigError(YtrecError):
    """An option is invalid or asks for something this machine lacks (e.g. CUDA)."""


class QueryError(YtrecError):
    """A recommendation or search request is invalid (unknown id, bad k, bad weights...)."""


class StoreUnavailableError(YtrecError):
    """A remote vector store (Milvus) cannot be reached right now; the same request may succeed later.

    The API answers 503 (not 4xx: the request was fine); the CLI exits 2 with the message, which
    names the server."""
