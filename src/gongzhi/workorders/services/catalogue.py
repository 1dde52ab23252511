"""The admin's edits of the catalogue: a locality's categories and one-window
service items. The default catalogue file is loaded by `workorders.catalogue`."""
from __future__ import annotations

import json
import re

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.module_loading import import_string

from gongzhi.audit import services as audit
from gongzhi.audit.models import AuditAction
from gongzhi.core import modules
from gongzhi.core.errors import RuleError
from gongzhi.core.scope import Scope
from gongzhi.places.models import Place
from gongzhi.workorders import selectors
from gongzhi.workorders.catalogue import CatalogueError, check_attribute
from gongzhi.workorders.manifest import EDIT_CATALOGUE
from gongzhi.workorders.models import Category, RouteLevel
from gongzhi.workorders.services.errors import WorkflowError, lock_row

ERR_CATEGORY_CODE = "代码只能由小写字母、数字、下划线和连字符组成"
# what the audit trail keeps of a category's change (gongzhi.audit)
AUDITED_FIELDS = ("code", "kind", "name", "description", "is_public", "is_dispute", "route_level", "route_department",
                  "window", "accept_days", "handle_days", "verify_days", "active", "sort", "materials", "attributes")
ERR_CATEGORY_CODE_TAKEN = "代码 {code} 已被使用"
ERR_CATEGORY_LOCALITY = "只能维护本地区的工单目录"
ERR_CATEGORY_ATTRIBUTES = "附加字段须为 JSON 列表:{detail}"
ERR_CATEGORY_DEPARTMENT = "派往职能部门的类别须填写默认承办部门"


def catalogue_locality(by) -> Place:
    """The place of the caller's first post granting EDIT_CATALOGUE: the locality they keep."""
    for a in Scope.for_user_capability(by, EDIT_CATALOGUE).assignments:
        return a.place
    raise PermissionDenied(ERR_CATEGORY_LOCALITY)


@transaction.atomic
def category_save(*, by, category: Category | None, version: int | None, fields: dict) -> Category:
    """Create a locality's category or change one (global ones too: the admin of
    the district that uses them keeps them). Bumps `version`, which Open311
    clients see as the discovery changeset."""
    locality = catalogue_locality(by)
    if category is None:
        code = (fields.get("code") or "").strip()
        if not re.fullmatch(r"[a-z0-9_-]{2,40}", code):
            raise WorkflowError(ERR_CATEGORY_CODE)
        if Category.objects.filter(code=code).exists():
            raise WorkflowError(ERR_CATEGORY_CODE_TAKEN.format(code=code))
        category = Category(code=code, kind=fields["kind"], locality=locality)
        before = None
    else:
        # the locality is set when a category is made and never changes: asked before the version
        if category.locality_id and category.locality_id != locality.pk and not category.locality.is_within(locality):
            raise PermissionDenied(ERR_CATEGORY_LOCALITY)
        category = lock_row(Category.objects, category.pk, version)
        before = audit.snapshot(category, AUDITED_FIELDS)
        category.version += 1
    attributes = fields.get("attributes") or "[]"
    try:
        attributes = json.loads(attributes) if isinstance(attributes, str) else attributes
        if not isinstance(attributes, list):
            raise ValueError("不是列表")
        for i, attribute in enumerate(attributes, start=1):
            check_attribute(attribute, f"第 {i} 个")
    except (ValueError, CatalogueError) as exc:
        raise WorkflowError(ERR_CATEGORY_ATTRIBUTES.format(detail=exc)) from None
    for name in ("name", "description", "is_public", "is_dispute", "route_level", "route_department", "window",
                 "accept_days", "handle_days", "verify_days", "active", "sort"):
        if name in fields:
            setattr(category, name, fields[name])
    category.materials = [m.strip() for m in (fields.get("materials") or "").splitlines() if m.strip()]
    category.attributes = attributes
    if category.route_level == RouteLevel.DEPARTMENT and not category.route_department:
        raise WorkflowError(ERR_CATEGORY_DEPARTMENT)
    # modules above may refuse a category (admission: work routed to communities needs a list item)
    for check in modules.extras("category_checks"):
        try:
            import_string(check)(category=category, locality=locality, by=by)
        except RuleError as exc:
            raise WorkflowError(str(exc), after_rollback=exc.after_rollback) from None
    category.save()
    audit.record(by, AuditAction.CATEGORY_EDIT if before else AuditAction.CATEGORY_CREATE, obj=category,
                 before=before, after=audit.snapshot(category, AUDITED_FIELDS))
    selectors.forget_category(category.code)  # Open311 keeps categories a minute
    return category
