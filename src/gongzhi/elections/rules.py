"""The locality's election rules, with the organic laws' defaults.

村民委员会组织法 (2018) 第十三、十四、十五条 and 城市居民委员会组织法 (2018) 第八条, with the
provincial rules most localities follow:

- 年满十八周岁 on election day votes (both laws);
- the roll is published 20 days before election day (村组法 第十四条: "登记参加选举的村民名单应当在
  选举日的二十日以前由村民选举委员会公布"), objections answered within 3 days;
- registered here and living here; registered here, living away (keeps the right unless they confirm
  elsewhere); living here ≥ 1 year without registration, applying and approved (第十三条);
- candidates more than seats (差额, 第十五条), published before the vote (5 days by the provincial rules,
  7 days for the village party branch's candidates, P-GOV-9);
- a proxy holds at most 3 written proxies (the provincial rules' usual limit), of near relatives;
- valid with more than half of the registered voters voting; elected with more than half of the
  ballots cast; a run-off (另行选举) for the seats left elects by most votes, at least one third of
  the ballots cast (第十五条);
- candidates for the residents' committee have lived in the community ≥ 1 year (P-GOV-8);
- a member of the election committee who is nominated leaves it, and the next on the list replaces
  them (第十二条).

A locality overrides any of these in `LOCALITIES`; an election copies its rules when it is opened.
"""
from __future__ import annotations

DEFAULTS = {
    "roll_notice_days": 20,
    "candidate_notice_days": 5,
    "proxy_limit": 3,
    "residence_days": 365,
    "joint_nominators": 10,
    "margin": 1,
    "party_nomination": True,
}

BY_BODY = {
    "residents": {},
    "villagers": {},
    "party": {"candidate_notice_days": 7},  # P-GOV-9: 公示 7 days
}

LOCALITIES = {
    # Yixing (宜兴): the 2019 opinion (002) asks for direct election and one year in the community
    "320282": {"joint_nominators": 10},
}

VALID_SHARE = 0.5  # more than half of the registered voters
ELECT_SHARE = 0.5  # more than half of the ballots cast
RUNOFF_SHARE = 1 / 3  # at least a third of the ballots cast in the run-off


def rules_for(*, body: str, locality_code: str = "") -> dict:
    rules = dict(DEFAULTS)
    rules.update(BY_BODY.get(body, {}))
    for code, override in LOCALITIES.items():
        if locality_code.startswith(code):
            rules.update(override)
    return rules


def seats_for_households(households: int, body: str) -> tuple[int, int, int]:
    """(director, deputies, members): residents' committees 5-9 people (居组法 第七条), villagers' 3-7
    (村组法 第六条), more for larger communities; a party branch committee 3-5."""
    if body == "party":
        return (1, 1, 1 if households < 1000 else 3)
    low, high = (5, 9) if body == "residents" else (3, 7)
    size = low + min(high - low, max(0, households - 1000) // 1000)
    deputies = 1 if size < 7 else 2
    return (1, deputies, size - 1 - deputies)
