"""Records of what happened (core.models.AppendOnly) are written once: changing or deleting one
is refused with the record's own message, and the row stays as it was."""
import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.governance import services
from gongzhi.governance.models import TopicEvent
from gongzhi.projects.models import CostEntry, ProjectEvent


@pytest.mark.parametrize("model", [TopicEvent, ProjectEvent, CostEntry])
def test_subclasses_name_themselves(model):
    assert model.refuse_change != "记录不可修改" and model.refuse_delete != "记录不可删除"


def test_a_topic_step_is_neither_changed_nor_deleted(world):
    services.topic_raise(place=world.comm_a, by=world.resident_user, category="facilities", title="楼道灯",
                         text="坏了", raised_as="resident")
    event = TopicEvent.objects.get()
    event.note = "改写"
    with pytest.raises(ValueError, match="议题记录不可修改"):
        event.save()
    with pytest.raises(ValueError, match="议题记录不可删除"):
        event.delete()
    assert TopicEvent.objects.get().note == "" and timezone.now() - event.at < dt.timedelta(minutes=5)
