"""The engine: sits above the rule packs and asks them; ``compute(case) -> Result``."""

from .compute import RulesError, compute
from .voting import passes, vote_level

__all__ = ["compute", "RulesError", "passes", "vote_level"]
