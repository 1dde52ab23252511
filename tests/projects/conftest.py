import datetime as dt

import pytest

from gongzhi.governance import services as topics
from gongzhi.projects import services
from tests.factories import household, resident, user


class Setup:
    """Community A of the world with a topic answered 转入协商 (raised by 张三, supported by a neighbour),
    a project opened from it by the community worker, and a supervision committee of two residents."""

    def __init__(self, w):
        self.w = w
        self.today = dt.date.today()
        self.topic = topics.topic_raise(place=w.comm_a, category="facilities", title="增设休闲座椅",
                                        text="小广场没有座椅", raised_as="resident", by=w.resident_user)
        neighbour = resident(household(w.grid_a1), name="周八")
        self.neighbour = user("nb_a", "resident", w.comm_a, resident=neighbour)
        topics.support(topic=self.topic, by=self.neighbour)
        self.topic = topics.answer(topic_id=self.topic.pk, version=self.topic.version, kind="deliberation",
                                   text="下月议事会商议", by=w.community_worker_a)
        self.project = services.project_open(
            community=w.comm_a, title="小广场增设座椅", basis="议事会通过", owner=w.community_worker_a,
            starts_on=self.today - dt.timedelta(days=10), ends_on=self.today + dt.timedelta(days=50),
            by=w.community_worker_a, source_topic=self.topic)
        m1 = resident(household(w.grid_a2), name="吴九")
        m2 = resident(household(w.grid_a2), name="郑十")
        self.member_user = user("sup1", "resident", w.comm_a, resident=m1)
        self.member2_user = user("sup2", "resident", w.comm_a, resident=m2)
        self.member = services.member_add(community=w.comm_a, resident=m1, started_on=self.today - dt.timedelta(days=5),
                                          by=w.community_worker_a)
        self.member2 = services.member_add(community=w.comm_a, resident=m2, post="chair",
                                           started_on=self.today - dt.timedelta(days=5), by=w.community_worker_a)

    def version(self):
        self.project.refresh_from_db()
        return self.project.version

    def milestone(self, title="采购座椅", days=20, done=False):
        m = services.milestone_add(project_id=self.project.pk, version=self.version(), title=title,
                                   due_on=self.today + dt.timedelta(days=days), by=self.w.community_worker_a)
        if done:
            m = services.milestone_progress(milestone_id=m.pk, version=m.version, percent=100, done=True,
                                            by=self.w.community_worker_a)
        return m


@pytest.fixture
def setup(world):
    return Setup(world)
