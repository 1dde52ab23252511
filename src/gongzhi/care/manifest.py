"""Care for key groups (P-CARE-1..6): groups derived from the registry, ability assessments and care plans, service orders, stations and the 30-minute circle, the visit network, hardship reports, disabled residents."""
from gongzhi.core.modules import Module, register

MODULE = register(Module(name="care", label="关爱服务"))
