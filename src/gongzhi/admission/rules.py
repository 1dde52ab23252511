"""A locality's admission rules, from its data file `localities/<id>.yaml` (one per shipped policy
pack, same id). The standards packs sit above this module, so admission keeps its own files beside
its code rather than reading the pack; docs/admission.md says why. Errors name the file and what."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

DIR = Path(__file__).with_name("localities")
DEFAULT_RULES = "yixing-2019"


class RulesError(ValueError):
    pass


@dataclass(frozen=True)
class Stage:
    code: str
    label: str
    office: str
    days: int


@dataclass(frozen=True)
class Rules:
    id: str
    locality: str
    source: dict
    lists_in_seed: bool
    lists_note: str
    split: bool
    funding_required: bool
    procedure: tuple[Stage, ...]
    annual_plan: bool = False
    procedure_note: str = ""
    never_on_communities: tuple[str, ...] = ()
    never_clause: str = ""
    certificates_note: str = ""
    text: str = field(default="", repr=False)

    def procedure_json(self) -> list[dict]:
        return [{"code": s.code, "label": s.label, "office": s.office, "days": s.days} for s in self.procedure]


def available() -> list[str]:
    return sorted(p.stem for p in DIR.glob("*.yaml"))


def parse(text: str, name: str) -> Rules:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RulesError(f"{name}:格式错误:{exc}") from None
    if not isinstance(data, dict) or data.get("format") != 1:
        raise RulesError(f"{name}:须为 format: 1 的准入规则文件")
    for key in ("id", "locality", "procedure", "lists_note"):
        if not data.get(key):
            raise RulesError(f"{name}:缺少 {key}")
    stages = []
    for i, s in enumerate(data["procedure"], start=1):
        if not isinstance(s, dict) or not s.get("code") or not s.get("label") or not isinstance(s.get("days"), int) \
                or s["days"] < 1:
            raise RulesError(f"{name}:审批程序第 {i} 个环节须有 code、label 和正整数 days")
        stages.append(Stage(code=s["code"], label=s["label"], office=s.get("office", ""), days=s["days"]))
    never = data.get("never_on_communities") or {}
    return Rules(id=data["id"], locality=data["locality"], source=data.get("source") or {},
                 lists_in_seed=bool(data.get("lists_in_seed")), lists_note=" ".join(str(data["lists_note"]).split()),
                 split=bool(data.get("split")), funding_required=bool(data.get("funding_required")),
                 procedure=tuple(stages), annual_plan=bool(data.get("annual_plan")),
                 procedure_note=data.get("procedure_note", ""),
                 never_on_communities=tuple(never.get("items") or ()), never_clause=never.get("clause", ""),
                 certificates_note=data.get("certificates_note", ""), text=text)


def load(rules_id: str) -> Rules:
    path = DIR / f"{rules_id}.yaml"
    if rules_id not in available():
        raise RulesError(f"没有名为 {rules_id} 的准入规则(可选:{'、'.join(available())})")
    return parse(path.read_text(encoding="utf-8"), path.name)
