"""The one owner of the corridor rules: whom a corridor serves, and who must use it.

Three parts of Safe Passage apply these rules and must agree: single routes
(``safepassage.routing``), the planner (``safepassage.planner.problem``) and the independent plan
checker (``safepassage.planner.check``). They all call the functions here; none restates a rule.

A *group* is a set of people or goods moving together: the origin they leave from, the vehicle
class they travel in and what they carry. Evacuees of a travel mode travel as
:data:`EVACUEE_VEHICLE` says (``drive`` -> ``car``, ``walk`` -> ``pedestrian``) carrying people.

- A corridor **serves** a cargo by its purpose: ``evacuation`` corridors serve people, ``aid``
  corridors serve everything else (food, medicine, fuel, other), ``both`` serves all.
- A group **must use** a corridor when the corridor is in force (agreed or open), says
  ``evacuees_must_use``, serves people (purpose ``evacuation`` or ``both``) and the group carries
  people, admits the group's vehicle class, and serves the group's origin (an empty ``origins``
  list serves every origin). An aid-only corridor, one not in force, or one the vehicle may not
  use obliges nobody.
- When several corridors oblige the same group, the first in the scenario's order is the one
  applied (``safepassage validate`` warns about the others).
"""

from __future__ import annotations

from collections.abc import Mapping

from safepassage.scenario.model import Corridor, Scenario
from safepassage.scenario.vocabulary import Cargo, CorridorPurpose, TravelMode, VehicleClass

__all__ = ["EVACUEE_VEHICLE", "binding_corridor", "binding_corridors", "corridor_serves", "must_use"]

#: Vehicle class whose closures (curfew exemptions, restricted areas, corridor classes) apply to
#: evacuees of each travel mode; planner, checker and validation use this one table.
EVACUEE_VEHICLE: Mapping[TravelMode, VehicleClass] = {
    TravelMode.DRIVE: VehicleClass.CAR,
    TravelMode.WALK: VehicleClass.PEDESTRIAN,
}


def corridor_serves(corridor: Corridor, cargo: Cargo) -> bool:
    """Whether ``corridor``'s purpose covers movements carrying ``cargo``."""
    if corridor.purpose is CorridorPurpose.BOTH:
        return True
    wants_evacuation = cargo is Cargo.PEOPLE
    return (corridor.purpose is CorridorPurpose.EVACUATION) == wants_evacuation


def must_use(corridor: Corridor, origin_id: str, vehicle: VehicleClass, cargo: Cargo) -> bool:
    """Whether a group leaving ``origin_id`` in a ``vehicle`` carrying ``cargo`` must use ``corridor``."""
    return (
        corridor.evacuees_must_use
        and corridor.is_in_force
        and cargo is Cargo.PEOPLE
        and corridor_serves(corridor, cargo)
        and vehicle in corridor.allowed_vehicle_classes
        and (not corridor.origins or origin_id in corridor.origins)
    )


def binding_corridors(
    scenario: Scenario, origin_id: str, vehicle: VehicleClass, cargo: Cargo = Cargo.PEOPLE
) -> list[Corridor]:
    """Every corridor the group must use, in the scenario's order."""
    return [c for c in scenario.corridors if must_use(c, origin_id, vehicle, cargo)]


def binding_corridor(
    scenario: Scenario, origin_id: str, vehicle: VehicleClass, cargo: Cargo = Cargo.PEOPLE
) -> Corridor | None:
    """The corridor the group must use (the first binding one in the scenario's order), or None."""
    binding = binding_corridors(scenario, origin_id, vehicle, cargo)
    return binding[0] if binding else None
