"""Pinyin of names for search ("zs" finds 张三). Cached per character: an
import of a million residents must not run the full phrase segmenter per row."""
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Surnames whose reading differs from the character's most common one.
_SURNAME_READINGS = {"曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "区": "ou", "查": "zha",
                     "朴": "piao", "乐": "yue", "尉": "yu", "覃": "qin", "种": "chong", "盖": "ge",
                     "缪": "miao", "翟": "zhai", "任": "ren", "黑": "he", "长": "chang", "重": "chong"}


@lru_cache(maxsize=20000)
def _char(ch: str) -> str:
    if ch.isascii():
        return ch.lower() if ch.isalnum() else ""
    return lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")[0] if lazy_pinyin(ch, errors="ignore") else ""


def name_pinyin(name: str) -> tuple[str, str]:
    """(full pinyin without spaces, initials) of a personal name."""
    parts = []
    for i, ch in enumerate(name.strip()):
        reading = _SURNAME_READINGS.get(ch) if i == 0 else None
        reading = reading or _char(ch)
        if reading:
            parts.append(reading)
    return "".join(parts), "".join(p[0] for p in parts)
