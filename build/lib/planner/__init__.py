"""Beratung Mobil planner: client list → geocoded visits → OR-Tools tours → maps and sheets."""

__version__ = "0.1.0"
