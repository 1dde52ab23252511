"""What the ledgers module adds to shared pages."""
from __future__ import annotations

from gongzhi.places.models import Level


def place_ledgers(request, scope, place):
    """A community's page links to its ledgers. `scope` is already narrowed to
    VIEW_LEDGERS (the panel declares it): a caller who reached the page through
    another post (one that grants no ledgers) gets no link that would only 404."""
    if place.level != Level.COMMUNITY or not scope.contains(place):
        return None
    return {"place": place}
