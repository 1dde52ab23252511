"""Work-item admission and burden reduction (准入与减负, P-DUTY-1..6): the two lists, admission requests, enforcement where work enters a community, certificates, purchased services, evaluations."""
from gongzhi.core.modules import Module, register

MODULE = register(Module(name="admission", label="准入与减负"))
