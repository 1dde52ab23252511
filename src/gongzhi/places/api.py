"""The territory in the JSON API (mounted by the site's API from the manifest)."""
from ninja import Router, Schema

from gongzhi.core.permissions import api_requires
from gongzhi.places import selectors
from gongzhi.places.manifest import VIEW_PLACES
from gongzhi.places.models import Level

router = Router(tags=["places"])


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


@router.get("/places", response=list[PlaceOut])
@api_requires(VIEW_PLACES)
def list_places(request, level: Level | None = None):
    qs = request.scope.places().select_related("parent").order_by("code")
    if level:
        qs = qs.filter(level=level)
    return list(qs[:5000])


@router.get("/places/{code}", response=PlaceOut)
@api_requires(VIEW_PLACES)
def get_place(request, code: str):
    return selectors.access_place(request.scope, code)
