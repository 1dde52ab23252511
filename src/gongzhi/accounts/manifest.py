"""Accounts: users and their posts (a role at a place)."""
from gongzhi.accounts.models import Role
from gongzhi.core.modules import DemoPart, Module, NavEntry, capability, register

MANAGE_ACCOUNTS = capability("manage_accounts", "管理账号", Role.ADMIN)

MODULE = register(Module(
    name="accounts", label="账号",
    capabilities=(MANAGE_ACCOUNTS,),
    urls=(("accounts/", "gongzhi.accounts.urls"),),
    nav=(NavEntry("账号", "accounts:list", order=80, capability=MANAGE_ACCOUNTS),),
    demo=(DemoPart(order=30, build="gongzhi.accounts.demo.build", label="演示账号"),),
    extras={"demo_counts": (("gongzhi.accounts.demo.build", "gongzhi.accounts.demo.count_existing"),)},
))
