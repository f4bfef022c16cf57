"""Agent-based simulation of consortium and coalition formation."""

__version__ = "0.1.0"
