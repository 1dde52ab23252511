"""JSON API (django-ninja; OpenAPI document at /api/openapi.json, docs at /api/docs).
Session authentication; every endpoint reads through the caller's scope."""
import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI, Query, Schema
from ninja.security import django_auth

from gongzhi.accounts.models import Capability
from gongzhi.core.permissions import ERR_NO_PERMISSION
from gongzhi.people import selectors as people_selectors
from gongzhi.people import services as people_services
from gongzhi.places import selectors as place_selectors
from gongzhi.places.models import Level

api = NinjaAPI(title="共治 gongzhi API", version="1", urls_namespace="api", auth=django_auth)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or ERR_NO_PERMISSION}, status=403)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": "未找到或无权访问"}, status=404)


@api.exception_handler(people_services.ConflictError)
def _conflict(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(people_services.RegistryError)
def _invalid(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=422)


def _require(request, capability: str, place=None):
    if not request.scope.can(capability, place):
        raise PermissionDenied(ERR_NO_PERMISSION)


class PlaceOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None = None
    area_kind: str = ""
    community_type: str = ""
    grid_kind: str = ""

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None


@api.get("/places", response=list[PlaceOut], tags=["places"])
def list_places(request, level: Level | None = None):
    qs = request.scope.places().select_related("parent").order_by("code")
    if level:
        qs = qs.filter(level=level)
    return list(qs[:5000])


@api.get("/places/{code}", response=PlaceOut, tags=["places"])
def get_place(request, code: str):
    return place_selectors.access_place(request.scope, code)


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
    birth_date: dt.date | None
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


@api.get("/residents", response=ResidentPage, tags=["people"])
def list_residents(request, filters: Query[ResidentFilters]):
    _require(request, Capability.VIEW_PEOPLE)
    grid_id = None
    if filters.grid:
        grid_id = place_selectors.access_place(request.scope, filters.grid).id
    qs = people_selectors.resident_list(scope=request.scope, q=filters.q, status=filters.status, grid_id=grid_id,
                                        tag=filters.tag)
    page = people_selectors.resident_page(qs, max(1, filters.page), max(1, min(filters.page_size, 200)),
                                          with_tags=True)
    return {"count": page.paginator.count, "page": page.number, "results": page.object_list}


@api.get("/residents/{resident_id}", response=ResidentOut, tags=["people"])
def get_resident(request, resident_id: int):
    _require(request, Capability.VIEW_PEOPLE)
    return people_selectors.access_resident(request.scope, resident_id)


class ResidentPatch(Schema):
    version: int
    name: str | None = None
    phone: str | None = None
    residence_status: str | None = None
    relation: str | None = None
    party_member: bool | None = None
    moved_in_on: dt.date | None = None


@api.patch("/residents/{resident_id}", response=ResidentOut, tags=["people"])
def patch_resident(request, resident_id: int, payload: ResidentPatch):
    _require(request, Capability.VIEW_PEOPLE)
    resident = people_selectors.access_resident(request.scope, resident_id)
    _require(request, Capability.EDIT_PEOPLE, resident.grid)
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


@api.get("/households/{household_id}", response=HouseholdOut, tags=["people"])
def get_household(request, household_id: int):
    _require(request, Capability.VIEW_PEOPLE)
    return people_selectors.access_household(request.scope, household_id)
