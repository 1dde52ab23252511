"""Property services (P-PROP-1..3): estates and management modes, property firms and managers, contracts, owners' committees, four-party coordination, evaluations, credit scores and the blacklist."""
from gongzhi.core.modules import Module, register

MODULE = register(Module(name="estates", label="物业服务"))
