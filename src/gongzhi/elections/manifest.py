"""Committee elections (换届选举): plan, election committee, voter roll, candidates, voting tallies, results; writes the ledger's election row."""
from gongzhi.core.modules import Module, register

MODULE = register(Module(name="elections", label="换届选举"))
