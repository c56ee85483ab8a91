"""Safe Passage: plan and monitor humanitarian evacuation corridors on real road networks."""

from safepassage.errors import SafePassageError

__version__ = "0.1.0"

__all__ = ["SafePassageError", "__version__"]
