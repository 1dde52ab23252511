"""Home and place panels: the gaps in the rota ahead (a day or evening the hours promise and nobody on
duty) for the stations a community or street keeps, and a community's or street's own station on
its page."""
from __future__ import annotations

from django.utils import timezone

from gongzhi.desks import selectors
from gongzhi.desks.models import Station
from gongzhi.places.models import Level

SHOWN = 6


def gaps_ahead(request, scope):
    places = selectors.places_in(scope)
    stations = list(Station.objects.filter(place__in=places.values("pk")).select_related("place"))
    if not stations and not places.exists():
        return None
    today = timezone.localdate()
    found = selectors.gaps(stations, today, selectors.AHEAD_DAYS)
    return {"gaps": found[:SHOWN], "count": len(found), "stations": len(stations), "days": selectors.AHEAD_DAYS,
            "places": places.count()}


def place_station(request, scope, place):
    if place.level not in (Level.COMMUNITY, Level.STREET) or not selectors.places_in(scope).filter(pk=place.pk).exists():
        return None
    station = selectors.station_of(place)
    today = timezone.localdate()
    found = selectors.gaps([station], today, selectors.AHEAD_DAYS) if station else []
    return {"place": place, "station": station, "gaps": found[:SHOWN], "count": len(found),
            "days": selectors.AHEAD_DAYS, "on_duty": selectors.on_duty(station, today) if station else []}
