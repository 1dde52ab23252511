"""`{% load digests %}{% follow_button "topic" topic.pk %}`: the follow button a topic, project or
election page shows a signed-in user (nothing for visitors). The page that shows the thing has already
checked the caller may see it; the follow view checks again."""
from django import template

from gongzhi.digests import services

register = template.Library()


@register.inclusion_tag("digests/follow_button.html", takes_context=True)
def follow_button(context, target: str, pk):
    request = context.get("request")
    user = getattr(request, "user", None)
    show = bool(user is not None and user.is_authenticated and pk)
    return {"show": show, "target": target, "pk": pk, "csrf_token": context.get("csrf_token"),
            "following": show and services.is_following(user, target, pk),
            "next": request.get_full_path() if request is not None else ""}
