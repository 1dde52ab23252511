"""Implementation and supervision (执行、协助、监督): projects carrying out adopted results, milestones, costs, helpers, and the supervision committee's sign-offs."""
from gongzhi.core.modules import Module, register

MODULE = register(Module(name="projects", label="项目执行与监督"))
