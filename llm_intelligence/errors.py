"""One exception tree for the whole package.

LLMIntelError
├── ConfigError            bad or missing settings
├── DatabaseError          the database refused or could not be reached
│   ├── MigrationError     a migration file failed to apply (names the file)
│   └── EmbeddedServerError  the bundled Postgres could not start/stop
├── SourceError            a collector's upstream misbehaved (names the source)
│   ├── FetchError         HTTP/file transport failed after retries
│   ├── AuthError          401/403 from the upstream
│   └── PayloadError       the body is not the documented format
├── SizeGuardError         a run far from the last good run's size was refused
│   ├── ShrinkGuardError   upstream returned far fewer rows than the last good run
│   └── GrowGuardError     upstream returned far more rows than the last good run
├── SyncLockedError        another sync holds the sync lock
├── UnknownModelError      a model name or alias that is not in the catalog
└── NoRouteError           no (model, provider) satisfies a request's constraints
"""


class LLMIntelError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigError(LLMIntelError):
    """A setting is missing or malformed."""


class DatabaseError(LLMIntelError):
    """The database refused an operation or could not be reached."""


class MigrationError(DatabaseError):
    """A migration file failed to apply."""


class EmbeddedServerError(DatabaseError):
    """The embedded Postgres server could not be started or stopped."""


class SourceError(LLMIntelError):
    """A data source failed; the message names the source."""


class FetchError(SourceError):
    """The source could not be fetched (network, timeout, HTTP error after retries)."""


class AuthError(SourceError):
    """The source answered 401/403: the API key is missing or wrong."""


class PayloadError(SourceError):
    """The source's body is not in the documented format (truncated, not JSON, wrong shape)."""


class SizeGuardError(LLMIntelError):
    """A run's size is far from the last good run's: refused (`--force` accepts it)."""


class ShrinkGuardError(SizeGuardError):
    """A run returned far fewer entries than the last good run and was refused."""


class GrowGuardError(SizeGuardError):
    """A run returned far more entries than the last good run and was refused."""


class SyncLockedError(LLMIntelError):
    """Another sync holds the sync lock; the message names it."""


class UnknownModelError(LLMIntelError):
    """The model name or alias is not known."""


class NoRouteError(LLMIntelError):
    """No (model, provider) satisfies the constraints; the message says which constraint
    excluded how many candidates (also in `excluded`)."""

    def __init__(self, message: str, *, excluded: dict[str, int] | None = None) -> None:
        super().__init__(message)
        self.excluded: dict[str, int] = dict(excluded or {})
