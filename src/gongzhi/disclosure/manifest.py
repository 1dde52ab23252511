"""The community's disclosure board (居务公开, P-GOV-4): categories, published items, quarterly freshness and the printable poster; other modules publish through its services."""
from gongzhi.core.modules import Module, register

MODULE = register(Module(name="disclosure", label="居务公开"))
