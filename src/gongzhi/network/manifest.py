"""The service network (三社联动, P-ORG-1..3): social organisations (registered/filed, filing steps, incubation), service projects from needs to evaluation (项目化运作), social-work teams, co-resident units (驻区单位) with commitments and evaluation."""
from gongzhi.core.modules import Module, register

MODULE = register(Module(name="network", label="三社联动"))
