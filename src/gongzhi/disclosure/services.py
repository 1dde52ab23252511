"""Every write of the disclosure board: publish and withdraw. Plain functions, one transaction
each; a rule broken raises `RuleError` with a Chinese message naming the field, and writes nothing.

Other modules (governance, projects, elections) publish through `publish(...)` with their record as
`source` / `source_pk`: the item is written once, with its ledger row; publishing the same record
again while its item is on the board returns that item."""
from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from gongzhi.core import uploads
from gongzhi.core.errors import RuleError
from gongzhi.core.validators import has_control_characters
from gongzhi.disclosure import freshness
from gongzhi.disclosure.models import BODY_MAX, LEDGER_SOURCE, REASON_MAX, TITLE_MAX, Category, Item
from gongzhi.ledgers import services as ledgers
from gongzhi.ledgers.models import Disclosure
from gongzhi.places.models import Level, Place

ERR_COMMUNITY = "居务公开只能发布在社区(村)的公开栏上"
ERR_CATEGORY = "请选择公开类别(工作计划、工作成果、财务收支或重大事项)"
ERR_TITLE = "请填写标题(不超过 {n} 个字)"
ERR_TITLE_LONG = "标题不能超过 {n} 个字(现有 {m} 个字)"
ERR_BODY = "请填写公开内容"
ERR_BODY_LONG = "公开内容不能超过 {n} 个字(现有 {m} 个字)"
ERR_CONTROL = "{field}含有不可见的控制字符,请删除后重新输入"
ERR_PERIOD = "公开期间的结束日期不能早于开始日期"
ERR_PERIOD_FAR = "公开期间不能超过 1 年"
ERR_SOURCE = "来源须同时写明模块和记录编号"
ERR_REASON = "请填写撤下原因(不超过 {n} 个字)"
ERR_WITHDRAWN = "该事项已于 {date} 撤下"


def _text(value, field: str, *, limit: int, required: str, too_long: str) -> str:
    value = (value or "").strip()
    if not value:
        raise RuleError(required)
    if len(value) > limit:
        raise RuleError(too_long.format(n=limit, m=len(value)))
    if has_control_characters(value):
        raise RuleError(ERR_CONTROL.format(field=field))
    return value


def default_period(category: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The period the category is refreshed for, holding `day` (a quarter unless set otherwise)."""
    return freshness.period_bounds(day, freshness.refresh_months()[category])


def publish(*, community: Place, category: str, title: str, body: str, by,
            period_start: dt.date | None = None, period_end: dt.date | None = None, attachment=None,
            source: str = "", source_pk: int | None = None, now: dt.datetime | None = None) -> Item:
    """Put an item on `community`'s board and write its ledger row. `by` is the user who publishes
    (the caller checks they may: a view through its scope, a module through its own rules).
    `attachment` is one uploaded PDF or image, checked by its first bytes."""
    now = now or timezone.now()
    if community is None or community.level != Level.COMMUNITY:
        raise RuleError(ERR_COMMUNITY)
    if category not in Category.values:
        raise RuleError(ERR_CATEGORY)
    title = _text(title, "标题", limit=TITLE_MAX, required=ERR_TITLE.format(n=TITLE_MAX), too_long=ERR_TITLE_LONG)
    body = _text(body, "内容", limit=BODY_MAX, required=ERR_BODY, too_long=ERR_BODY_LONG)
    source = (source or "").strip()
    if bool(source) != (source_pk is not None) or len(source) > 40 or has_control_characters(source):
        raise RuleError(ERR_SOURCE)
    today = timezone.localdate(now)
    start, end = default_period(category, today)
    period_start, period_end = period_start or start, period_end or end
    if period_end < period_start:
        raise RuleError(ERR_PERIOD)
    if (period_end - period_start).days > 366:
        raise RuleError(ERR_PERIOD_FAR)
    try:
        checked = uploads.check_files([attachment] if attachment else [], max_count=1)
    except uploads.UploadError as exc:
        raise RuleError(str(exc)) from None
    if source:
        existing = Item.objects.live().filter(source=source, source_pk=source_pk).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            item = Item(community=community, category=category, title=title, body=body,
                        period_start=period_start, period_end=period_end, published_at=now, published_by=by,
                        source=source, source_pk=source_pk)
            for f, content_type in checked:
                item.attachment = f
                item.attachment_name = f.name[:120]
                item.attachment_type = content_type
            item._history_user = by
            item.save()
            _write_ledger(item, by)
    except IntegrityError:  # the same record published by a concurrent call a moment ago
        existing = Item.objects.live().filter(source=source, source_pk=source_pk).first() if source else None
        if existing is None:
            raise
        return existing
    return item


def _write_ledger(item: Item, by) -> None:
    """The item's row in the community's ledger of disclosures: one record, never retyped."""
    ledgers.write_from(model=Disclosure, source=LEDGER_SOURCE, source_pk=item.pk, community=item.community, by=by,
                       kind=item.category, published_on=timezone.localdate(item.published_at),
                       title=item.title[:200], content=item.body)


def withdraw(*, item: Item, reason: str, by, now: dt.datetime | None = None) -> Item:
    """Take an item off the board (it stays in the record, with the reason); its ledger row is voided."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise RuleError(ERR_REASON.format(n=REASON_MAX))
    if has_control_characters(reason):
        raise RuleError(ERR_CONTROL.format(field="撤下原因"))
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        if item.withdrawn_at is not None:
            raise RuleError(ERR_WITHDRAWN.format(date=f"{timezone.localtime(item.withdrawn_at):%Y-%m-%d}"))
        item.withdrawn_at, item.withdrawn_by, item.withdraw_reason = now, by, reason
        item._history_user = by
        item.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
        ledgers.void_from(model=Disclosure, source=LEDGER_SOURCE, source_pk=item.pk, reason=f"撤下:{reason}"[:100],
                          by=by)
    return item
