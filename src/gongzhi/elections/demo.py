"""The demo's term elections (filled in below)."""


def build(ctx):
    return None


def count_existing():
    return {}
