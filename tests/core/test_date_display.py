"""Dates read one way on every page: 2026-03-01 and 2026-03-01 14:05, in every language served."""
import datetime as dt
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "gongzhi" / "templates"


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_bare_dates_and_the_date_filter_read_iso(language):
    t = Template("{{ d }}|{{ d|date }}|{{ t|date:'DATETIME_FORMAT' }}|{{ d|date:'SHORT_DATE_FORMAT' }}")
    with translation.override(language):
        out = t.render(Context({"d": dt.date(2026, 3, 1), "t": dt.datetime(2026, 3, 1, 14, 5)}))
    assert out == "2026-03-01|2026-03-01|2026-03-01 14:05|2026-03-01"


def test_no_template_prints_a_date_without_its_year():
    """Month-day shapes (03-01, 3月1日) are ambiguous on paper and across years."""
    import re
    shapes = re.compile(r"""\|date:["'](m-d|n-j|m/d|n月j日|m月d日)""")
    found = [f"{p.relative_to(TEMPLATES)}: {m.group(0)}" for p in TEMPLATES.rglob("*.html")
             for m in shapes.finditer(p.read_text())]
    assert not found, found
