"""The metrics a policy pack may name. Each is computed from live data by the
database for all communities at once (gongzhi/standards/compute.py); a pack
naming anything else is refused when it loads.

`period`: True when the value counts what happened in the assessed year
(meetings, activities, trainings, surveys, work orders); otherwise the value
is the registry as it stands when the assessment runs, kept with the run.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    name: str
    title: str
    unit: str
    level: str = "community"  # community | street
    period: bool = False
    note: str = ""


METRICS = {m.name: m for m in [
    # size
    Metric("households", "户数", "户"),
    Metric("residents", "居民人数", "人"),
    Metric("party_members", "党员人数", "人"),
    # facilities (P-FAC-*)
    Metric("facility_area", "综合服务设施面积", "m²"),
    Metric("facility_area_per_100_households", "综合服务设施面积(每百户)", "m²"),
    Metric("street_centre_area", "街道(镇)综合服务中心面积", "m²", level="street"),
    Metric("station_area", "社区服务站面积", "m²"),
    Metric("activity_area_share", "居民活动用房占服务站面积比例", "%"),
    Metric("rooms_one_hall_five", "“一厅五室”具备项数", "项", note="服务大厅、文体活动室、议事协商室、图书阅览/档案室、维权调解室、警务室,共 6 项"),
    Metric("rooms_eight", "农村社区服务中心“八有”具备项数", "项", note="服务大厅、多功能会议室、文体活动室、图书阅览室、计生服务室、警务室、卫生室、便民超市,共 8 项"),
    Metric("home_care_station", "建有居家养老服务站", "%", note="有为 100,无为 0;用于计算达标社区比例"),
    Metric("publicity_boards", "宣传栏", "块"),
    Metric("disclosure_boards", "居务公开栏", "块"),
    # staff (P-STAFF-*)
    Metric("committee_members", "居(村)委会成员", "人"),
    Metric("committee_full_time_share", "居委会成员中专职的比例", "%"),
    Metric("households_per_committee_member", "每名居委会成员联系户数", "户"),
    Metric("full_time_staff", "专职服务人员", "人"),
    Metric("households_per_full_time_worker", "每名专职社区工作者服务户数", "户"),
    Metric("certified_social_workers_per_10k", "持证社会工作者(每万人)", "人"),
    Metric("certified_worker_share", "社区工作者持证比例", "%"),
    Metric("party_committee_members", "村(社区)党组织委员", "人"),
    Metric("cross_holding_share", "“两委”成员交叉任职比例", "%"),
    Metric("leader_training_days", "党组织书记、居(村)委会主任年度培训天数(最少者)", "天", period=True),
    Metric("member_training_days", "其他“两委”成员年度培训天数(最少者)", "天", period=True),
    Metric("director_trainings", "居(村)委会主任年度参加培训次数", "次", period=True),
    Metric("committee_member_trainings", "其他居(村)委会成员年度参加培训次数(最少者)", "次", period=True),
    # grids (P-GRID-*)
    Metric("grid_coverage", "网格覆盖率", "%"),
    Metric("grids_staffed_share", "网格配齐网格长和专职网格员的比例", "%"),
    # organisations and volunteers (P-ORG-*, P-VOL-*)
    Metric("social_orgs", "社区社会组织数", "个"),
    Metric("social_orgs_per_10k", "社会组织(每万人)", "个"),
    Metric("volunteer_orgs", "志愿服务组织数", "个"),
    Metric("volunteer_registration_rate", "注册志愿者占居民比例", "%"),
    Metric("volunteer_activities_per_year", "志愿/互助活动(每年)", "次", period=True),
    # self-governance (P-GOV-*)
    Metric("residents_meetings_per_year", "居民会议(每年)", "次", period=True),
    Metric("deliberation_meetings_per_year", "议事协商会议(每年)", "次", period=True),
    Metric("disclosure_quarters", "有居务公开的季度数", "个", period=True),
    Metric("disclosure_age_days", "最近一次居务公开距评估日天数", "天"),
    Metric("committee_directly_elected", "居委会由直接选举产生", "%", note="最近一次换届为直选为 100,否则为 0"),
    # work orders (issue 3)
    Metric("work_order_closure_rate", "工单结案率", "%", period=True),
    Metric("work_order_on_time_rate", "工单按期结案率", "%", period=True),
    Metric("work_order_satisfaction_rate", "工单满意率", "%", period=True),
    # surveys (P-EVAL-2, P-GRID-7, P-PROP-2)
    Metric("satisfaction_rate", "居民满意度(问卷)", "%", period=True),
    Metric("sense_of_security_rate", "群众安全感(问卷)", "%", period=True),
    Metric("property_satisfaction_rate", "物业服务满意度(问卷)", "%", period=True),
]}
