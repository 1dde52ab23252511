"""Writes that make the work orders' shared caches stale, wherever they are made (a service, the
admin, an import, a demo part): each sets a new mark or drops an entry in the shared cache, so every
process of every node reads afresh (core/caching.py). Connected in apps.WorkordersConfig.ready."""
from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from gongzhi.core import caching


def _staff_changed(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return  # a sign-in changes nobody's posts
    caching.bump("staff")


def _calendar_changed(sender, instance, **kwargs):
    from gongzhi.workorders import calendar
    calendar.forget()


def _place_changed(sender, instance, **kwargs):
    from gongzhi.places.models import Level
    if instance.level == Level.GRID:
        from gongzhi.workorders import locate
        locate.forget()


def _category_changed(sender, instance, **kwargs):
    from gongzhi.workorders import selectors
    selectors.forget_category(instance.code)


def connect() -> None:
    from gongzhi.accounts.models import RoleAssignment, User
    from gongzhi.places.models import Place
    from gongzhi.workorders.models import CalendarDay, Category

    for signal in (post_save, post_delete):
        for model, handler in ((RoleAssignment, _staff_changed), (User, _staff_changed),
                               (CalendarDay, _calendar_changed), (Place, _place_changed),
                               (Category, _category_changed)):
            signal.connect(handler, sender=model, dispatch_uid=f"gongzhi.workorders.cache.{model.__name__}")
