"""Per-language format overrides (settings.FORMAT_MODULE_PATH).

A date field's widget renders its value in the language's FIRST input format,
and `<input type="date">` accepts only ISO `yyyy-mm-dd`: Django's zh-Hans puts
`%Y/%m/%d` first, so under a Chinese browser every date field showed empty and
saving a form wiped its date. Every language we serve therefore lists ISO
first; the other formats stay accepted for typed and imported input. Dates are
shown in the same ISO shape (`DISPLAY`).
"""
from importlib import import_module


def iso_first(language: str) -> dict:
    """Django's input formats of `language` with the ISO forms moved to the front."""
    module = import_module(f"django.conf.locale.{language}.formats")
    dates = ["%Y-%m-%d"] + [f for f in module.DATE_INPUT_FORMATS if f != "%Y-%m-%d"]
    times = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
    datetimes = times + [f for f in module.DATETIME_INPUT_FORMATS if f not in times]
    return {"DATE_INPUT_FORMATS": dates, "DATETIME_INPUT_FORMATS": datetimes, **DISPLAY}


# Shown dates read the same on every page, in every language: 2026-03-01 and 2026-03-01 14:05
# (Django's zh-Hans default is 2026年3月1日, while the templates write Y-m-d; one shape, not two).
DISPLAY = {"DATE_FORMAT": "Y-m-d", "SHORT_DATE_FORMAT": "Y-m-d", "DATETIME_FORMAT": "Y-m-d H:i",
           "SHORT_DATETIME_FORMAT": "Y-m-d H:i", "YEAR_MONTH_FORMAT": "Y-m", "MONTH_DAY_FORMAT": "m-d"}
