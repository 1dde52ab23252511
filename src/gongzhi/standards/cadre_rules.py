"""The policy packs' lines for the village cadres' democratic review and the party-activist review
(`cadre_review`, P-GOV-10/11), handed down to gongzhi.cadres, which sits below the standards engine and may
not read packs itself: it reads this function through its extension point extras["cadre_rules"]."""
from __future__ import annotations

from gongzhi.places.selectors import lineage_names
from gongzhi.standards import packs


def for_village(village) -> dict | None:
    """The `cadre_review` section that applies to `village`: the pack of its own locality (its name or a name
    above it) when that pack has one, else the only shipped pack that has one (the village-organisation
    pack, whose locality is anonymised), else None (the platform default applies)."""
    with_section = [p for p in (packs.load_pack(path) for path in sorted(packs.PACK_DIR.glob("*.yaml")))
                    if p.cadre_review]
    names = lineage_names([village])
    local = [p for p in with_section if p.source.get("locality") in names]
    chosen = local[0] if local else (with_section[0] if len(with_section) == 1 else None)
    if chosen is None:
        return None
    section = chosen.cadre_review
    return {"flag_at_most": section["flag_at_most"], "activist_at_most": section["activist_at_most"],
            "counts_basic": "basic" in section["approval"], "pack_id": chosen.id, "pack_title": chosen.title}
