"""Notice kinds and followable things: what the modules register so notices can be chosen per kind.

A module registers each kind of notice it sends under `extras["notice_kinds"]` (a `NoticeKind`: its
key, the Chinese label users choose by, the capability a reader must still hold, and optionally a
function `(user, notice) -> bool` saying whether the user may still see the notice's subject), and each
kind of thing residents may follow under `extras["followables"]` (a `Followable`). The kernel only
keeps the lists; the digests module (gongzhi.digests) reads them to offer the choices, to hold a
notice for a digest and to re-check a held notice when the digest is sent. `workorders.notify` asks
every `extras["notice_routes"]` function which recipients are held back from the instant senders.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.utils.module_loading import import_string

from gongzhi.core import modules
from gongzhi.core.modules import Capability

NOTICE_KINDS = "notice_kinds"
FOLLOWABLES = "followables"
NOTICE_ROUTES = "notice_routes"


@dataclass(frozen=True)
class NoticeKind:
    key: str  # Notification.kind (at most 12 characters)
    label: str  # 中文, what the preferences page shows
    capability: Capability | None = None  # the reader must still hold a post granting it (None: any account)
    # dotted path of f(user, notice) -> bool, where notice has .order_id, .subject_type, .subject_id;
    # None: the capability check alone decides
    visible: str = ""
    order: int = 50


@dataclass(frozen=True)
class Followable:
    key: str  # "topic", "project", "election": the URL part and Follow.target
    label: str  # 议题
    kind: str  # the notice kind its steps go out under
    subject_type: str  # "governance.topic": what notify(subject=...) records for it
    access: str  # dotted path of f(user, pk) -> the object if the user may see it now, else None


def kinds() -> dict[str, NoticeKind]:
    """Every registered kind by key, in the order the modules ask for."""
    found = sorted(modules.extras(NOTICE_KINDS), key=lambda k: (k.order, k.key))
    return {k.key: k for k in found}


def kinds_for(user) -> list[NoticeKind]:
    """The kinds `user` can receive now: those without a capability, and those whose capability a post
    of theirs grants (a resident is not offered the district's blacklist appeals)."""
    from gongzhi.core.scope import Scope
    scope = Scope.for_user(user)
    return [k for k in kinds().values() if k.capability is None or scope.can(k.capability)]


def followables() -> dict[str, Followable]:
    return {f.key: f for f in modules.extras(FOLLOWABLES)}


def subject_type_of(obj) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


@cache
def _function(path: str):
    return import_string(path)


def may_see(kind: NoticeKind | None, user, notice) -> bool:
    """May `user` still see `notice` now? A deactivated account sees nothing; an unknown kind nothing."""
    if kind is None or user is None or not user.is_active:
        return False
    if kind.capability is not None:
        from gongzhi.core.scope import Scope
        if not Scope.for_user_capability(user, kind.capability).assignments:
            return False
    if kind.visible:
        return bool(_function(kind.visible)(user, notice))
    return True


def capability_named(code: str) -> Capability:
    """A registered capability by its code: a module's notice functions name their own capability
    this way instead of importing their manifest (which imports them)."""
    return next(c for c in modules.capabilities() if c.code == code)


def access_followable(followable: Followable, user, pk):
    return _function(followable.access)(user, pk)


def routes() -> list:
    return [_function(path) for path in modules.extras(NOTICE_ROUTES)]
