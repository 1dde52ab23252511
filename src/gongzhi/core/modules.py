"""The module registry: how a feature app tells the platform what it adds.

Each app (kernel ones included) has a `manifest.py` that builds one `Module`
and hands it to `register`; `CoreConfig.ready` imports every installed app's
manifest, in INSTALLED_APPS order. The kernel reads the registry for the
URLs, the JSON API, the navigation, the template context, the demo builder,
the home page and the place page; it imports no feature app by name.

A capability is something a page or endpoint needs ("view_people"); the
module that owns it says which roles hold it. A user's scope for a
capability holds only the places of the posts whose role grants it
(`Scope.for_capability`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Capability:
    code: str
    label: str
    roles: frozenset[str]

    def __str__(self) -> str:
        return self.code

    def granted_to(self, role: str) -> bool:
        return role in self.roles


def capability(code: str, label: str, *roles: str) -> Capability:
    return Capability(code=code, label=label, roles=frozenset(str(r) for r in roles))


@dataclass(frozen=True)
class NavEntry:
    """A link in the header. Staff see it when any post grants `capability`;
    `audience="resident"` links are what residents without a staff post see,
    `audience="everyone"` links every signed-in user sees."""
    label: str
    url_name: str
    order: int
    capability: Capability | None = None
    audience: str = "staff"  # staff | resident | everyone
    badge: str = ""  # a context variable shown beside the label (e.g. an unread count)
    unless: Capability | None = None  # hidden from those who hold this one (they reach it another way)


@dataclass(frozen=True)
class Panel:
    """A part of a shared page (the home page, a place's page) that a module fills:
    `context(request, scope[, place])` returns the template's context or None to show nothing."""
    template: str
    context: str  # dotted path of the function
    order: int
    capability: Capability | None = None

    def render_context(self, *args):
        return import_string(self.context)(*args)


@dataclass(frozen=True)
class LinkGrant:
    """Rights an account holds by a link a module keeps, not by a post: a relative living elsewhere linked
    to an elder by the community (care); a villager on an open review roll (cadres: the header link shows
    only then, never to town residents). An account may hold one with no post and no registry record at all;
    it is then neither staff nor resident, and reaches only the pages of the grants it holds (its header
    lists them; its home is the first). `holds(user) -> bool` (dotted path) is asked once per request, and
    only for accounts without a staff post. Registered under the extension point "link_grants"."""
    label: str  # the header link
    url_name: str
    holds: str  # dotted path of f(user) -> bool
    order: int
    role_label: str = ""  # what the header calls the account when it holds only this (e.g. 老人家属)


@dataclass(frozen=True)
class DemoPart:
    """One module's share of the demo district, run after every part with a lower `order`.
    `build(ctx)` receives the shared DemoContext and adds to it."""
    order: int
    build: str  # dotted path
    label: str = ""


@dataclass(frozen=True)
class PublicPage:
    """A page anyone may open without signing in (no personal data on it). The login page and
    the public home (/public/) link it; `description` is the public home's line about it."""
    label: str
    url_name: str
    description: str = ""


@dataclass
class Module:
    name: str  # the app label
    label: str  # what users call it
    capabilities: tuple[Capability, ...] = ()
    urls: tuple[tuple[str, str], ...] = ()  # (prefix, dotted urlconf) e.g. ("orders/", "gongzhi.workorders.urls")
    api_routers: tuple[tuple[str, str], ...] = ()  # (prefix, dotted path of a ninja Router)
    nav: tuple[NavEntry, ...] = ()
    context_processors: tuple[str, ...] = ()  # dotted paths of f(request) -> dict, merged into every page
    home_panels: tuple[Panel, ...] = ()
    place_panels: tuple[Panel, ...] = ()
    public_pages: tuple[PublicPage, ...] = ()
    demo: tuple[DemoPart, ...] = ()
    extras: dict = field(default_factory=dict)  # registry points owned by a feature module (e.g. ledger kinds)


_modules: dict[str, Module] = {}


class RegistryError(Exception):
    pass


def register(module: Module) -> Module:
    """Called once by each app's manifest. Capability codes and URL prefixes are unique platform-wide."""
    if module.name in _modules:
        if _modules[module.name] is module:
            return module
        raise RegistryError(f"模块 {module.name} 重复注册")
    codes = {c.code: m.name for m in _modules.values() for c in m.capabilities}
    for c in module.capabilities:
        if c.code in codes:
            raise RegistryError(f"权限 {c.code} 已由模块 {codes[c.code]} 注册")
    prefixes = {p: m.name for m in _modules.values() for p, _ in m.urls}
    for p, _ in module.urls:
        if p in prefixes:
            raise RegistryError(f"网址前缀 {p!r} 已由模块 {prefixes[p]} 使用")
    _modules[module.name] = module
    return module


def version() -> tuple:
    """Changes whenever a module is registered or the registry is replaced (tests do both), so a
    view built from the registry (e.g. the metrics by name) can be kept until it changes."""
    return (id(_modules), *map(id, _modules.values()))


def modules() -> list[Module]:
    """Registered modules in registration (INSTALLED_APPS) order."""
    return list(_modules.values())


def module(name: str) -> Module:
    return _modules[name]


def capabilities() -> list[Capability]:
    return [c for m in _modules.values() for c in m.capabilities]


def nav_entries() -> list[NavEntry]:
    return sorted((e for m in _modules.values() for e in m.nav), key=lambda e: e.order)


def panels(kind: str) -> list[Panel]:
    return sorted((p for m in _modules.values() for p in getattr(m, kind)), key=lambda p: p.order)


def demo_parts() -> list[DemoPart]:
    return sorted((d for m in _modules.values() for d in m.demo), key=lambda d: d.order)


def extras(key: str) -> list:
    """Everything the modules registered under one extension point, e.g. "ledger_kinds"."""
    return [item for m in _modules.values() for item in m.extras.get(key, ())]


def link_grants() -> list[LinkGrant]:
    return sorted(extras("link_grants"), key=lambda g: g.order)


def autodiscover() -> None:
    """Import `<app>.manifest` of every installed app that has one."""
    from django.utils.module_loading import autodiscover_modules
    autodiscover_modules("manifest")

