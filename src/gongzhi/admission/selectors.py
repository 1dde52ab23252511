"""Every read of admission, through the caller's scope.

- Lists: a post reads the lists of the district it lies in (they are public anyway).
- Admission requests: a department post reads its own department's requests filed at or under its
  place; an admin post those of its district. Nobody else.
- Data requests: the department (or street) that asked reads its own; a community reads those
  asked of it (its answer only); an admin those of its district.
"""
from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from gongzhi.accounts.models import Role
from gongzhi.admission.models import (
    AdmissionRequest, Certificate, CertificateKind, DataAnswer, DataRequest, ListItem, ServiceContract,
)
from gongzhi.places.models import Level, Place

NOT_FOUND = "未找到或无权访问"


def district_of(place: Place) -> Place:
    if place.level == Level.DISTRICT:
        return place
    return Place.objects.get(code=place.path.strip("/").split("/")[0])


def localities(scope) -> list[Place]:
    """The districts the caller's posts (for the scope's capability) lie in."""
    seen = []
    for a in scope.assignments:
        d = district_of(a.place)
        if d not in seen:
            seen.append(d)
    return seen


def items(locality: Place, *, with_void: bool = False):
    qs = ListItem.objects.filter(locality=locality)
    if not with_void:
        qs = qs.filter(voided=False)
    return qs.order_by("kind", "number")


# -- admission requests ------------------------------------------------------------------
def _request_q(scope) -> Q:
    q = Q(pk__in=[])
    for a in scope.assignments:
        if a.role == Role.ADMIN:
            q |= Q(locality__path__startswith=a.place.path)
        elif a.role == Role.DEPARTMENT and a.department:
            q |= Q(department=a.department, post_place__path__startswith=a.place.path)
    return q


def requests_in(scope):
    return AdmissionRequest.objects.filter(_request_q(scope)).select_related("locality")


def access_request(scope, pk) -> AdmissionRequest:
    req = requests_in(scope).filter(pk=pk).first()
    if req is None:
        raise Http404(NOT_FOUND)
    return req


def department_posts(scope) -> list:
    return [a for a in scope.assignments if a.role == Role.DEPARTMENT]


# -- data requests -----------------------------------------------------------------------
def _asker_q(scope) -> Q:
    q = Q(pk__in=[])
    for a in scope.assignments:
        if a.role == Role.ADMIN:
            q |= Q(locality__path__startswith=a.place.path)
        elif a.role == Role.DEPARTMENT:
            q |= Q(department=a.department or a.place.name, post_place__path__startswith=a.place.path)
        elif a.role == Role.STREET:
            q |= Q(post_place=a.place)
    return q


def asked_communities(scope) -> list[Place]:
    return [a.place for a in scope.assignments if a.role == Role.COMMUNITY]


def data_requests_asked_by(scope):
    return DataRequest.objects.filter(_asker_q(scope)).select_related("item")


def data_requests_of(scope):
    """Data requests asked of the caller's communities."""
    ids = [c.pk for c in asked_communities(scope)]
    return DataRequest.objects.filter(communities__in=ids).distinct().select_related("item")


def access_data_request(scope, pk) -> tuple[DataRequest, bool]:
    """(request, is_asker): the asker sees every answer, a community only its own."""
    dr = data_requests_asked_by(scope).filter(pk=pk).first()
    if dr is not None:
        return dr, True
    dr = data_requests_of(scope).filter(pk=pk).first()
    if dr is None:
        raise Http404(NOT_FOUND)
    return dr, False


def answers_for(scope, dr: DataRequest, is_asker: bool):
    qs = DataAnswer.objects.filter(request=dr).select_related("community", "answered_by").order_by("community__code")
    if is_asker:
        return qs
    return qs.filter(community__in=asked_communities(scope))


# -- certificates ------------------------------------------------------------------------
def certificate_kinds(locality: Place):
    return CertificateKind.objects.filter(locality=locality, voided=False)


def certificates_in(scope):
    ids = [a.place.pk for a in scope.assignments if a.role == Role.COMMUNITY]
    return Certificate.objects.filter(community_id__in=ids).select_related("kind", "resident", "community")


def contracts_in(scope):
    q = Q(pk__in=[])
    for place in scope.staff_places:
        q |= Q(community__path__startswith=place.path)
    return ServiceContract.objects.filter(q).select_related("community")
