"""The errors every module's services raise for the two things a user can fix,
so pages and the API answer them the same way."""


class ConflictError(Exception):
    """Someone changed the record after the form was loaded (HTTP 409); the message says so in Chinese."""


class RuleError(ValueError):
    """The input breaks a rule of the domain (HTTP 422); the message says which, in Chinese."""


def lock_version(queryset, pk, version: int, message: str):
    """Re-read row `pk` under a row lock and refuse with ConflictError(message) when its
    `version` is no longer the one the form was loaded with. Call inside a transaction."""
    current = queryset.select_for_update().get(pk=pk)
    if current.version != version:
        raise ConflictError(message)
    return current
