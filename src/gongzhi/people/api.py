"""Residents and households in the JSON API (mounted by the site's API from the manifest)."""
import datetime as dt

from django.core.exceptions import PermissionDenied
from ninja import Query, Router, Schema

from gongzhi.core.access_log import access_log_write
from gongzhi.core.models import AccessAction
from gongzhi.core.permissions import ERR_NO_PERMISSION, api_requires
from gongzhi.people import selectors as people_selectors
from gongzhi.people import services as people_services
from gongzhi.people.manifest import EDIT_PEOPLE, UNMASK, VIEW_PEOPLE
from gongzhi.places.selectors import access_place

router = Router(tags=["people"])


class _PlacedOut(Schema):
    """Community, grid and address of anything that lives in a dwelling."""

    community_code: str
    grid_code: str
    address: str

    @staticmethod
    def resolve_community_code(obj):
        return obj.community.code

    @staticmethod
    def resolve_grid_code(obj):
        return obj.grid.code

    @staticmethod
    def resolve_address(obj):
        return obj.dwelling.address if obj.dwelling_id else ""


class ResidentOut(_PlacedOut):
    id: int
    name: str
    id_number_masked: str
    phone_masked: str
    sex: str
    birth_date: dt.date | None  # only where the caller may unmask (a full date completes a masked number)
    birth_year: int | None
    ethnicity: str
    residence_status: str
    status: str
    household_id: int
    household_number: str
    relation: str
    care_tags: list[str]
    party_member: bool
    moved_in_on: dt.date | None
    version: int

    @staticmethod
    def resolve_household_number(obj):
        return obj.household.number

    @staticmethod
    def resolve_birth_date(obj, context):
        return obj.birth_date if context["request"].scope.can(UNMASK, obj.community) else None

    @staticmethod
    def resolve_birth_year(obj):
        return obj.birth_date.year if obj.birth_date else None

    @staticmethod
    def resolve_care_tags(obj):
        return [t.code for t in obj.care_tags.all()]


class ResidentPage(Schema):
    count: int
    page: int
    results: list[ResidentOut]


class ResidentFilters(Schema):
    q: str = ""
    status: str = "active"
    grid: str = ""
    tag: str = ""
    page: int = 1
    page_size: int = 50


@router.get("/residents", response=ResidentPage)
@api_requires(VIEW_PEOPLE)
def list_residents(request, filters: Query[ResidentFilters]):
    grid_id = None
    if filters.grid:
        grid_id = access_place(request.scope, filters.grid).id
    if people_selectors.is_exact_lookup(filters.q):  # logged like the page's search
        access_log_write(user=request.user, action=AccessAction.LOOKUP, target="居民查找(API)",
                         detail="按完整号码查找", request=request)
    qs = people_selectors.resident_list(scope=request.scope, q=filters.q, status=filters.status, grid_id=grid_id,
                                        tag=filters.tag)
    page = people_selectors.resident_page(qs, max(1, filters.page), max(1, min(filters.page_size, 200)),
                                          with_tags=True)
    return {"count": page.paginator.count, "page": page.number, "results": page.object_list}


@router.get("/residents/{resident_id}", response=ResidentOut)
@api_requires(VIEW_PEOPLE)
def get_resident(request, resident_id: int):
    return people_selectors.access_resident(request.scope, resident_id)


class ResidentPatch(Schema):
    version: int
    name: str | None = None
    phone: str | None = None
    residence_status: str | None = None
    relation: str | None = None
    party_member: bool | None = None
    moved_in_on: dt.date | None = None


@router.patch("/residents/{resident_id}", response=ResidentOut)
@api_requires(EDIT_PEOPLE)
def patch_resident(request, resident_id: int, payload: ResidentPatch):
    resident = people_selectors.access_resident(request.scope, resident_id)
    if not request.scope.can(EDIT_PEOPLE, resident.grid):
        raise PermissionDenied(ERR_NO_PERMISSION)
    people_services.resident_update(resident=resident, by=request.user, **payload.dict())
    return people_selectors.access_resident(request.scope, resident_id)


class HouseholdOut(_PlacedOut):
    id: int
    number: str
    status: str
    members: list[ResidentOut]

    @staticmethod
    def resolve_members(obj):
        return list(people_selectors.household_members(obj).select_related("household", "community", "grid",
                                                                             "dwelling"))


@router.get("/households/{household_id}", response=HouseholdOut)
@api_requires(VIEW_PEOPLE)
def get_household(request, household_id: int):
    return people_selectors.access_household(request.scope, household_id)
