"""Plane geometry of the maps (results.geometry): no database, no survey, only points and boxes."""

from results.geometry import (
    Projection,
    View,
    clip,
    clipped,
    inside,
    outlines,
    place_label,
    ring_path,
    text_colour,
)


def square(west, north, east, south):
    return ((west, north), (east, north), (east, south), (west, south))


def test_a_projection_measures_kilometres_east_and_south_of_its_origin():
    projection = Projection(origin=(8.0, 58.0), km_per_degree=(60.0, 111.0))
    assert projection.point(9.0, 57.0) == (60.0, 111.0)
    assert projection.box((8.0, 9.0), (57.0, 58.0)) == (0.0, 0.0, 60.0, 111.0)


def test_a_view_draws_its_box_scaled_from_its_corner():
    view = View("inset", (10.0, 20.0, 30.0, 60.0), scale=2, x=100, y=50)
    assert (view.width, view.height) == (40, 80)
    assert view.point(10, 20) == (100, 50) and view.point(30, 60) == (140, 130)
    assert view.holds(15, 30) and not view.holds(31, 30)
    assert view.touches((0, 0, 11, 21)) and not view.touches((0, 0, 9, 21))


def test_inside_follows_the_even_odd_rule_so_a_hole_is_outside():
    polygons = ((square(0, 0, 10, 10), square(4, 4, 6, 6)),)
    assert inside((2, 2), polygons)
    assert not inside((5, 5), polygons)  # in the hole
    assert not inside((11, 5), polygons)


def test_clipping_cuts_a_ring_to_the_box_and_drops_one_wholly_outside():
    cut = clip(square(-5, 0, 5, 10), (0, 0, 20, 20))
    assert sorted(cut) == sorted(square(0, 0, 5, 10))
    assert clip(square(30, 30, 40, 40), (0, 0, 20, 20)) == ()


def test_outlines_keep_the_shapes_reaching_into_the_view_in_its_pixels_and_clip_them():
    view = View("main", (0.0, 0.0, 10.0, 10.0), scale=2, x=5, y=5)
    shapes = {
        "in": ((square(1, 1, 2, 2),),),
        "across": ((square(8, 8, 12, 12),),),
        "away": ((square(50, 50, 60, 60),),),
    }
    found = outlines(view, shapes)
    assert set(found) == {"in", "across"}
    assert found["in"] == (square(7, 7, 9, 9),)
    cut = clipped(view, found)
    assert sorted(cut["across"][0]) == sorted(square(21, 21, 25, 25))


def test_path_data_is_one_absolute_point_then_relative_tenths():
    assert ring_path(((0, 0), (10, 0), (10, 10))) == "M0 0l10 0 0 10z"
    assert ring_path(((10, 10), (0, 10), (0, 0))) == "M10 10l-10 0 0-10z"  # a minus sign separates
    assert ring_path(((0, 0), (0.01, 0), (2.5, 0), (2.5, 1))) == "M0 0l2.5 0 0 1z"  # repeats (to 0.1 px) dropped


def test_a_label_sits_in_its_shape_when_there_is_room_else_at_sea_with_a_leader():
    view = View("main", (0.0, 0.0, 100.0, 100.0), scale=1, x=0, y=0)
    island = ((square(49, 49, 51, 51),),)
    roomy = place_label(view, (50, 50), 10, [island], label_room=5.5, font_size=9)
    assert (roomy.x, roomy.y, roomy.leader) == ("50.0", "53.0", None)  # baseline a third of the font lower
    small = place_label(view, (50, 50), 1, [island], label_room=5.5, font_size=9)
    assert float(small.x) < 49 and small.leader[:2] == ("50.0", "50.0")  # west first, a line back to the shape
    coast = ((square(20, 40, 45, 60),),)  # land to the west: the label goes east
    east = place_label(view, (50, 50), 1, [island, coast], label_room=5.5, font_size=9)
    assert float(east.x) > 51 and east.leader


def test_text_is_black_or_white_whichever_reads_better():
    assert text_colour("#F0E442") == "#000000"  # on yellow
    assert text_colour("#0072B2") == "#FFFFFF"  # on dark blue
    assert text_colour("url(#hatch)") == "#000000"
