"""The evacuation planner: capacity- and window-aware plans with a proven lower bound, and their checker."""
