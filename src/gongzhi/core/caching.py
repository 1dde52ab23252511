"""Caches that stay right when there are many processes and many nodes.

Everything cached goes through Django's cache (settings.CACHES, from GONGZHI_CACHE_URL: Redis or
the database for many nodes, files for one). Two patterns:

- `remember(key, load, ttl)` / `forget(key)`: a value kept in the shared cache. `forget` deletes
  it at once and again when the transaction commits, and `remember` stores a freshly loaded value
  only if nothing is there (`cache.add`), so a reader that loaded the old row just before an
  edit cannot put it back after the edit's `forget`.
- `SharedMemo(name, load)`: a larger value (the calendar, the grids' polygons) kept in each
  process, with a change mark in the shared cache. Every read compares the mark (one small cache
  read); `memo.forget()` sets a new mark after commit, so every process of every node loads
  afresh on its next read. A local copy is also dropped after `max_age` seconds, for edits made
  outside the application.
"""
from __future__ import annotations

import secrets
import threading
import time
from typing import Any, Callable

from django.core.cache import cache
from django.db import connection, transaction

MISSING = object()


def _after_commit_too(func) -> None:
    """Run `func` now and, inside a transaction, again when it commits."""
    func()
    if connection.in_atomic_block:
        transaction.on_commit(func)


def remember(key: str, load: Callable[[], Any], ttl: int = 60) -> Any:
    """The cached value of `key`, or `load()` stored for `ttl` seconds. None is stored as a
    miss marker, so a look-up that finds nothing is cached too."""
    value = cache.get(key, MISSING)
    if value is MISSING:
        value = load()
        cache.add(key, value, ttl)
    return value


def put_tombstone(key: str, value: Any, ttl: int = 60) -> None:
    """Store `value` (e.g. "no such key") now and after commit: a reader racing with the write
    cannot replace it, since readers only `add`."""
    _after_commit_too(lambda: cache.set(key, value, ttl))


def forget(key: str) -> None:
    _after_commit_too(lambda: cache.delete(key))


def generation(name: str) -> str:
    """The current change mark of `name` (made on first use)."""
    key = f"gongzhi:gen:{name}"
    mark = cache.get(key)
    if mark is None:
        cache.add(key, secrets.token_hex(8), None)
        mark = cache.get(key) or "0"
    return mark


def bump(name: str) -> None:
    """A new change mark for `name`, now and after commit: readers on every node load afresh."""
    def _set():
        cache.set(f"gongzhi:gen:{name}", secrets.token_hex(8), None)
    _after_commit_too(_set)


class SharedMemo:
    def __init__(self, name: str, load: Callable[[], Any], *, max_age: float = 600):
        self.name, self.load, self.max_age = name, load, max_age
        self._lock = threading.Lock()
        self._mark: str | None = None
        self._at = 0.0
        self._value: Any = None

    def get(self) -> Any:
        mark = generation(self.name)
        with self._lock:
            if mark != self._mark or time.monotonic() - self._at > self.max_age:
                self._value = self.load()
                self._mark, self._at = mark, time.monotonic()
            return self._value

    def forget(self) -> None:
        """After an edit: every process of every node reads afresh."""
        with self._lock:
            self._mark = None
        bump(self.name)

    def drop_local(self) -> None:
        """This process only (tests: each starts from its own database)."""
        with self._lock:
            self._mark = None
