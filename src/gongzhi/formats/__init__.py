"""Per-language format overrides (settings.FORMAT_MODULE_PATH).

A date field's widget renders its value in the language's FIRST input format,
and `<input type="date">` accepts only ISO `yyyy-mm-dd`: Django's zh-Hans puts
`%Y/%m/%d` first, so under a Chinese browser every date field showed empty and
saving a form wiped its date. Every language we serve therefore lists ISO
first; the other formats stay accepted for typed and imported input.
"""
from importlib import import_module


def iso_first(language: str) -> dict:
    """Django's input formats of `language` with the ISO forms moved to the front."""
    module = import_module(f"django.conf.locale.{language}.formats")
    dates = ["%Y-%m-%d"] + [f for f in module.DATE_INPUT_FORMATS if f != "%Y-%m-%d"]
    times = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
    datetimes = times + [f for f in module.DATETIME_INPUT_FORMATS if f not in times]
    return {"DATE_INPUT_FORMATS": dates, "DATETIME_INPUT_FORMATS": datetimes}
