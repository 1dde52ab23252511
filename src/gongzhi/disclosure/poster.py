"""The board as an A3 poster (WeasyPrint, Noto CJK embedded) for the physical boards: the same
live items and sections as the public page, no personal data."""
from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string

from gongzhi.core.templatetags.gongzhi_print import PLATFORM
from gongzhi.disclosure import selectors
from gongzhi.places.models import Place

POSTER_BODY_CHARS = 400  # each item's text on paper; the page online has the whole text


def render(community: Place, *, now: dt.datetime) -> bytes:
    from weasyprint import HTML

    html = render_to_string("disclosure/poster.html", {
        "community": community, "columns": selectors.board(community, now=now),
        "sections": selectors.sections(community, now=now), "platform": PLATFORM, "now": now,
        "body_chars": POSTER_BODY_CHARS})
    return HTML(string=html).write_pdf()
