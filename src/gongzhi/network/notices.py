"""The service projects' notices (kernel registry core.notices; digests group them): a project published for
application (the provider accounts of the street's social organisations), an application decided (the
applicants), a contract signed (the organisation and the community's workers), an activity announced (the
project's beneficiaries with an account, and the organisation), an evaluation due (the community's workers,
from the sweep). Each occasion is sent once per project (NoticeSent), whatever repeats it."""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from gongzhi.accounts.models import Role, User
from gongzhi.core.notices import NoticeKind, capability_named
from gongzhi.core.scope import Scope

PROJECT_KIND = "network"
ACTIVITY_KIND = "netactivity"
PROJECT_SUBJECT = "network.serviceproject"


def project_for(user, pk):
    """The project if `user` may read it now: through view_network, or as one of its beneficiaries."""
    from gongzhi.network.models import Beneficiary, ServiceProject
    from gongzhi.network.selectors import projects_in
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    scope = Scope.for_user_capability(user, capability_named("view_network"))
    if scope.assignments and projects_in(scope).filter(pk=pk).exists():
        return ServiceProject.objects.get(pk=pk)
    resident_id = getattr(user, "resident_id", None)
    if resident_id and Beneficiary.objects.filter(project_id=pk, resident_id=resident_id,
                                                  removed_on__isnull=True).exists():
        return ServiceProject.objects.get(pk=pk)
    return None


def project_visible(user, notice) -> bool:
    if notice.subject_type == PROJECT_SUBJECT and notice.subject_id:
        return project_for(user, notice.subject_id) is not None
    return True


def kinds(view_network) -> tuple[NoticeKind, ...]:
    return (NoticeKind(PROJECT_KIND, "服务项目进展", capability=view_network,
                       visible="gongzhi.network.notices.project_visible", order=45),
            NoticeKind(ACTIVITY_KIND, "社区服务活动", visible="gongzhi.network.notices.project_visible", order=46))


# -- who is told ---------------------------------------------------------------------------------
def staff_of(org_ids) -> set[int]:
    from gongzhi.network.models import ProviderStaff
    today = timezone.localdate()
    return set(ProviderStaff.objects.filter(organisation_id__in=list(org_ids), started_on__lte=today).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=today)).values_list("user_id", flat=True))


def community_workers(community) -> set[int]:
    return set(User.objects.filter(is_active=True, assignments__active=True, assignments__role=Role.COMMUNITY,
                                   assignments__place=community).values_list("pk", flat=True))


def beneficiary_accounts(project) -> set[int]:
    from gongzhi.network.models import Beneficiary
    return set(User.objects.filter(is_active=True, resident__in=Beneficiary.objects.filter(
        project=project, removed_on__isnull=True).values("resident_id")).values_list("pk", flat=True))


def send_once(project, key: str, user_ids, text: str, *, kind: str = PROJECT_KIND) -> int:
    """Tell `user_ids` once per (project, key): call inside the step's transaction, so a refused or rolled
    back step sends nothing; a second call with the same key sends nothing either."""
    from gongzhi.network.models import NoticeSent
    from gongzhi.workorders import notify
    try:
        with transaction.atomic():
            NoticeSent.objects.create(project=project, key=key[:40])
    except IntegrityError:
        return 0
    return notify.notify(user_ids, order=None, kind=kind, text=text, subject=project)
