"""The metrics a policy pack may name. Each is computed from live data by the
database for all communities at once (the computations come with the
assessment engine); a pack naming anything else is refused when it loads."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    name: str
    title: str
    unit: str
    level: str = "community"  # community | street | district


METRICS = {m.name: m for m in [
    Metric("households", "户数", "户"),
    Metric("residents", "居民人数", "人"),
    Metric("facility_area_per_100_households", "综合服务设施面积(每百户)", "m²"),
    Metric("facility_area", "综合服务设施面积", "m²"),
    Metric("street_centre_area", "街道(镇)综合服务中心面积", "m²", level="street"),
    Metric("publicity_boards", "宣传栏", "块"),
    Metric("disclosure_boards", "居务公开栏", "块"),
    Metric("committee_members", "居委会成员", "人"),
    Metric("committee_full_time_share", "居委会专职成员占比", "%"),
    Metric("households_per_full_time_worker", "每名专职社区工作者服务户数", "户"),
    Metric("certified_social_workers_per_10k", "持证社工(每万人)", "人"),
    Metric("certified_worker_share", "持证社区工作者占比", "%"),
    Metric("grid_coverage", "网格覆盖率", "%"),
    Metric("grids_staffed_share", "网格配齐网格长和专职网格员的比例", "%"),
    Metric("social_orgs", "社区社会组织数", "个"),
    Metric("social_orgs_per_10k", "社会组织(每万人)", "个"),
    Metric("volunteer_registration_rate", "注册志愿者占居民比例", "%"),
    Metric("volunteer_activities_per_year", "志愿/互助活动(每年)", "次"),
    Metric("residents_meetings_per_year", "居民会议(每年)", "次"),
    Metric("disclosure_age_days", "居务公开距今天数", "天"),
    Metric("work_order_closure_rate", "工单结案率", "%"),
    Metric("work_order_on_time_rate", "工单按期结案率", "%"),
    Metric("work_order_satisfaction_rate", "工单满意率", "%"),
    Metric("satisfaction_rate", "居民满意度(问卷)", "%"),
    Metric("sense_of_security_rate", "群众安全感(问卷)", "%"),
]}
