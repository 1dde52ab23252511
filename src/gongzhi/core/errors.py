"""The errors every module's services raise for the two things a user can fix,
so pages and the API answer them the same way."""


class ConflictError(Exception):
    """Someone changed the record after the form was loaded (HTTP 409); the message says so in Chinese."""


class RuleError(ValueError):
    """The input breaks a rule of the domain (HTTP 422); the message says which, in Chinese.

    `after_rollback`: what the refusal itself must leave behind once the refused write has rolled back
    (admission counts a refused dispatch for the burden dashboard): callables run by `record_refusal`
    where the page or API catches the error, outside the refused transaction."""

    def __init__(self, *args, after_rollback=()):
        super().__init__(*args)
        self.after_rollback = tuple(after_rollback)


def record_refusal(exc: BaseException) -> None:
    """Run a caught RuleError's `after_rollback` callables, each in its own transaction. Call it where the
    error is caught, after the refused service's transaction has ended."""
    from django.db import transaction

    for write in getattr(exc, "after_rollback", ()):
        with transaction.atomic():
            write()


def lock_version(queryset, pk, version: int, message: str):
    """Re-read row `pk` under a row lock and refuse with ConflictError(message) when its
    `version` is no longer the one the form was loaded with. Call inside a transaction."""
    current = queryset.select_for_update().get(pk=pk)
    if current.version != version:
        raise ConflictError(message)
    return current
