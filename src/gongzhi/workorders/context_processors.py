from django.utils.functional import SimpleLazyObject

from gongzhi.workorders.selectors import unread_count


def inbox(request):
    """The unread count beside 消息 in the header (the kernel knows nothing of work orders);
    counted only when a template shows it, not for every partial."""
    if not hasattr(request, "user"):
        return {"unread_count": 0}
    return {"unread_count": SimpleLazyObject(lambda: unread_count(request.user))}
