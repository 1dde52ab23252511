"""Every date field of every form keeps its value in a browser of any language:
`<input type="date">` takes only yyyy-mm-dd, and a value it rejects is shown
empty and submitted empty (a zh-CN browser lost dates this way)."""
import datetime as dt
import importlib
import pkgutil

import pytest
from django import forms
from django.utils import translation

import gongzhi

DAY = dt.date(2020, 3, 1)


def _all_form_classes():
    for info in pkgutil.walk_packages(gongzhi.__path__, "gongzhi."):
        if ".migrations" in info.name or ".management" in info.name or info.name.endswith(("wsgi", "cli")):
            continue
        importlib.import_module(info.name)
    seen, todo = set(), [forms.Form, forms.ModelForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return sorted((c for c in seen if c.__module__.startswith("gongzhi.")), key=lambda c: c.__qualname__)


def _date_fields():
    return [(f"{cls.__module__}.{cls.__qualname__}.{name}", field)
            for cls in _all_form_classes() for name, field in cls.base_fields.items()
            if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField)]


def test_the_forms_have_date_fields_to_check():
    assert len(_date_fields()) >= 10


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_every_date_field_renders_iso_and_reads_it_back(language):
    with translation.override(language):
        for where, field in _date_fields():
            html = field.widget.render("d", DAY)
            assert 'value="2020-03-01"' in html, (where, html)
            assert field.clean("2020-03-01") == DAY, where
