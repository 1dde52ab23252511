"""Notice preferences and digests (通知设置与摘要): each user chooses per notice kind 即时, 每日摘要, 每周摘要
or 不发送; a periodic task sends each due digest once; residents follow topics, projects and elections."""
import os

from gongzhi.accounts.models import Role
from gongzhi.core.modules import DemoPart, Module, NavEntry, capability, register

# following a topic, a project or an election: the roles that read them (each followable's own access
# function then decides, through the caller's posts, whether this one is theirs to see)
FOLLOW = capability("follow_things", "关注议题、项目和选举", Role.ADMIN, Role.STREET, Role.COMMUNITY, Role.GRID,
                    Role.RESIDENT)

MODULE = register(Module(
    name="digests", label="通知设置与摘要",
    capabilities=(FOLLOW,),
    urls=(("digests/", "gongzhi.digests.urls"),),
    nav=(NavEntry("通知设置", "digests:prefs", order=98, audience="everyone"),),
    demo=(DemoPart(order=65, build="gongzhi.digests.demo.build", label="通知摘要与关注"),),
    extras={
        # workorders.notify asks it which recipients take a notice as a digest or not at all (core.notices)
        "notice_routes": ("gongzhi.digests.routing.hold",),
        # the due digests, every GONGZHI_DIGEST_EVERY seconds across all nodes (core.jobs)
        "periodic": (("gongzhi.digests.tasks.send_digests", float(os.environ.get("GONGZHI_DIGEST_EVERY", "900"))),),
    },
))
