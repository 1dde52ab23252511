"""The projects' notice kind, and the project as a thing residents follow (gongzhi.digests)."""
from __future__ import annotations

from gongzhi.core.notices import Followable, NoticeKind, capability_named
from gongzhi.core.scope import Scope

PROJECT_SUBJECT = "projects.project"


def project_for(user, pk):
    """The project if `user` may read it now (VIEW_PROJECTS through their posts), else None."""
    from gongzhi.projects.selectors import projects_in
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if not 0 < pk < 2**63:
        return None
    return projects_in(Scope.for_user_capability(user, capability_named("view_projects"))).filter(pk=pk).first()


def project_visible(user, notice) -> bool:
    if notice.subject_type == PROJECT_SUBJECT and notice.subject_id:
        return project_for(user, notice.subject_id) is not None
    return True


def kinds(view_projects) -> tuple[NoticeKind, ...]:
    return (NoticeKind("project", "项目进展", capability=view_projects,
                       visible="gongzhi.projects.notices.project_visible", order=40),)


FOLLOW_PROJECT = Followable("project", "项目", kind="project", subject_type=PROJECT_SUBJECT,
                            access="gongzhi.projects.notices.project_for")
