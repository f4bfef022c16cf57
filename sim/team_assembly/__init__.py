"""The pure team-assembly model of Guimerà, Uzzi, Spiro and Amaral (Science, 2005)."""

from sim.team_assembly.model import TEAM_MEASURES, TeamAssemblyModel
from sim.team_assembly.parameters import TeamAssemblyParameters

__all__ = ["TEAM_MEASURES", "TeamAssemblyModel", "TeamAssemblyParameters"]
