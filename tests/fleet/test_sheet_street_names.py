"""Street names of a route: OSM name, else ref; blanks dropped; consecutive repeats collapsed."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from asciimap import AsciiNetwork
from safepassage.fleet.street_names import collapse_names, path_street_names, route_text
from safepassage.network import load_network

from .hand_schedules import MAP, WAYS


def test_collapse_drops_blanks_and_consecutive_repeats() -> None:
    names = ["Prospekt Myru", "Prospekt Myru", "", "  ", "M14", "M14", "Prospekt Myru"]
    assert collapse_names(names) == ["Prospekt Myru", "M14", "Prospekt Myru"]
    assert route_text(collapse_names(names)) == "Prospekt Myru → M14 → Prospekt Myru"
    assert route_text([]) == "(unnamed roads)"


def test_repeats_separated_only_by_unnamed_links_collapse() -> None:
    assert collapse_names(["A", "", "A", "B"]) == ["A", "B"]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(["A", "B", "C", "", " "]), max_size=30))
def test_collapsed_names_never_repeat_and_keep_order(names: list[str]) -> None:
    out = collapse_names(names)
    assert all(a != b for a, b in itertools.pairwise(out))
    assert all(name.strip() for name in out)
    kept = [n.strip() for n in names if n.strip()]
    assert set(out) == set(kept)
    assert (out[0], out[-1]) == (kept[0], kept[-1]) if kept else out == []


def test_names_along_a_real_path_use_name_then_ref(ascii_network: Callable[..., AsciiNetwork]) -> None:
    drawn = ascii_network(MAP, WAYS, grid_m=50.0)
    network = load_network(drawn.path, use_cache=False)
    ids = [drawn.osm_id(c) for c in "gpxe"]
    assert path_street_names(network, ids) == ["Depot Road", "Prospekt Myru", "M14"]
    # the unnamed street s-e leaves no name; the one-way side street is named
    assert path_street_names(network, [drawn.osm_id(c) for c in "pxse"]) == ["Prospekt Myru", "Side Street"]
    # a hop with no road (g to e) gives no name rather than a wrong one
    assert path_street_names(network, [drawn.osm_id("g"), drawn.osm_id("e")]) == []
