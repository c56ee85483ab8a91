"""Use cases: plain functions taking and returning domain objects (see docs/design.md)."""
__all__: list[str] = []
