def scope(request):
    s = getattr(request, "scope", None)
    return {"scope": s}
