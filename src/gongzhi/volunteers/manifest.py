"""Volunteers (P-VOL-1..3): self sign-up and registration, teams, activities with QR check-in/out, confirmed hours, star levels, certificates with public verification, the neighbourly time bank (double-entry points)."""
from gongzhi.core.modules import Module, register

MODULE = register(Module(name="volunteers", label="志愿服务"))
