"""Governance's part of each community's disclosure board and poster (disclosure's extension point
extras["disclosure_sections"]): the topics the committee answered in the last 12 months, the same
rows as governance's own public board, without names, buildings or work-order numbers."""
from __future__ import annotations

from django.urls import reverse

from gongzhi.disclosure.selectors import Section
from gongzhi.governance import selectors

ROWS = 8  # the poster has room for about this many


def answered_topics(community, *, now) -> Section | None:
    topics = list(selectors.board(community, now=now)[:ROWS])
    if not topics:
        return None
    rows = [(t.title, t.answered_at.date() if t.answered_at else None,
             f"{t.get_state_display()}:{t.answer}" if t.answer else t.get_state_display()) for t in topics]
    return Section(title="居民议题答复", rows=rows, order=10,
                   more_url=reverse("governance:board", args=[community.code]))
