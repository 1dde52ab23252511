from gongzhi.workorders.selectors import unread_count


def inbox(request):
    """The unread count beside 消息 in the header (the kernel knows nothing of work orders)."""
    return {"unread_count": unread_count(request.user) if hasattr(request, "user") else 0}
