"""The standards engine: policy packs, assessments, funding, surveys, case collection."""
from gongzhi.accounts.models import Role
from gongzhi.core.notices import NoticeKind
from gongzhi.core.modules import DemoPart, Module, NavEntry, PublicPage, capability, register

STAFF = (Role.ADMIN, Role.STREET, Role.COMMUNITY, Role.GRID, Role.DEPARTMENT)
# the unified assessment belongs to the civil-affairs line, not to departments (P-DUTY-4)
CIVIL_AFFAIRS = (Role.ADMIN, Role.STREET, Role.COMMUNITY, Role.GRID)

VIEW_PACKS = capability("view_packs", "查看政策包", *STAFF)
VIEW_ASSESSMENTS = capability("view_assessments", "查看评估结果", *CIVIL_AFFAIRS)
RUN_ASSESSMENTS = capability("run_assessments", "发起评估", Role.ADMIN, Role.STREET)
PUBLISH_RESULTS = capability("publish_results", "公示评估结果", Role.ADMIN)
MANAGE_SURVEYS = capability("manage_surveys", "管理问卷", Role.ADMIN, Role.STREET, Role.COMMUNITY)
ENTER_SURVEY_ANSWERS = capability("enter_survey_answers", "录入纸质问卷", Role.ADMIN, Role.COMMUNITY, Role.GRID)
ANSWER_SURVEYS = capability("answer_surveys", "填写问卷", Role.RESIDENT)
VIEW_CASES = capability("view_cases", "查看案例征集", *CIVIL_AFFAIRS)
SUBMIT_CASES = capability("submit_cases", "报送案例", Role.ADMIN, Role.STREET)
ORGANISE_CASES = capability("organise_cases", "组织案例征集", Role.ADMIN)
# the community-worker yearly review (P-EVAL-3): the street scores its communities' workers; each worker
# reads their own final results
REVIEW_WORKERS = capability("review_workers", "评价社区工作者", Role.ADMIN, Role.STREET)
VIEW_OWN_REVIEW = capability("view_own_review", "查看本人年度评价", Role.COMMUNITY, Role.GRID)

MODULE = register(Module(
    name="standards", label="标准评估",
    capabilities=(VIEW_PACKS, VIEW_ASSESSMENTS, RUN_ASSESSMENTS, PUBLISH_RESULTS, MANAGE_SURVEYS,
                  ENTER_SURVEY_ANSWERS, ANSWER_SURVEYS, VIEW_CASES, SUBMIT_CASES, ORGANISE_CASES, REVIEW_WORKERS,
                  VIEW_OWN_REVIEW),
    urls=(("standards/", "gongzhi.standards.urls"),),
    nav=(NavEntry("标准评估", "standards:runs", order=30, capability=VIEW_ASSESSMENTS),
         NavEntry("政策包", "standards:packs", order=31, capability=VIEW_PACKS, unless=VIEW_ASSESSMENTS),
         NavEntry("问卷", "standards:my_surveys", order=3, audience="resident"),
         NavEntry("评估公示", "standards:public", order=4, audience="resident")),
    public_pages=(PublicPage("评估结果公示", "standards:public",
                             "各社区按政策包考核评估的得分和等级,经区里公示后向社会公开。"),),
    demo=(DemoPart(order=60, build="gongzhi.standards.demo.build_part", label="服务中心、问卷与评估"),),
    extras={"metrics": ("gongzhi.standards.metrics.SURVEY_METRICS", "gongzhi.standards.rule_metrics.RULE_METRICS"),
            # the survey invitations (standards and the estates' yearly rating) as a notice kind (digests)
            "notice_kinds": (NoticeKind("survey", "问卷邀请", order=60),),
            # the registry's figures kept when a period closes, for its runs (closing.py)
            "periodic": (("gongzhi.standards.tasks.registry_close_sweep", 3600.0),),
            # the packs' cadre-review lines for gongzhi.cadres (below this module)
            "cadre_rules": ("gongzhi.standards.cadre_rules.for_village",)},
))
