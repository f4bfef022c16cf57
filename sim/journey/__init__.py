"""The journey model: organisations forming, working in and leaving consortia and coalitions.

Free of I/O and plotting: :mod:`sim.io.records` turns a finished model into tables.
"""

from sim.journey.model import JourneyModel
from sim.journey.parameters import JourneyParameters

__all__ = ["JourneyModel", "JourneyParameters"]
