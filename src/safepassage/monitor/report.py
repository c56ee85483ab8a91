"""One incident report as it comes out of a feed, before it is stored or merged.

Every feed parser (ACLED, UCDP, CAP, air-raid alerts, GeoJSON, the CLI) produces these; the store
keeps them (idempotently, keyed by ``feed`` and ``source_id``) and the monitor merges and judges
them. Location and time carry their uncertainty, from the feed's precision codes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from safepassage.scenario.vocabulary import HazardKind, SourceType, Verification

__all__ = ["IncidentReport", "RowError"]


@dataclass(frozen=True)
class IncidentReport:
    """A single report from a single feed row."""

    feed: str  # "acled", "ucdp", "cap", "alerts", "geojson", "cli"
    source_id: str  # the feed's own id for the row (ACLED event_id_cnty, UCDP id, CAP identifier...)
    kind: HazardKind
    observed_at: dt.datetime  # timezone-aware, UTC
    lat: float | None
    lon: float | None
    radius_m: float  # location uncertainty (from geo_precision / where_prec / region size)
    time_uncertainty_s: float  # from time_precision / date_prec
    source_name: str
    source_type: SourceType
    verification: Verification = Verification.UNVERIFIED
    ended_at: dt.datetime | None = None
    fatalities: int | None = None
    location_name: str = ""
    description: str = ""
    line: int = 0  # line in the feed file (0 for reports not from a file)
    raw: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> tuple[str, str]:
        """Identity used for idempotent ingest: the same row ingested twice is one report."""
        return (self.feed, self.source_id)


@dataclass(frozen=True)
class RowError:
    """A feed row that could not be read: skipped, and reported with file:line and the reason."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"
