"""The results' filters (results.filters): file names, a download job's parameters and back, descriptions."""

import json

import pytest
from django.utils import translation

from results.filters import NO_FILTERS, Filters, file_stem
from results.forms import FilterForm

EVERY_KIND_OF_FILTERS = [
    NO_FILTERS,
    Filters(region="hovedstaden"),
    Filters(kind="bogbus"),
    Filters(region="sjaelland", kind="filial"),
]


class Round:
    slug = "bs2009"


def test_file_name_holds_the_filters_that_are_set_between_the_stem_and_the_suffix():
    stem = file_stem(Round)
    assert stem == "borgerservice-bs2009"
    assert NO_FILTERS.file_name(stem, "xlsx") == "borgerservice-bs2009.xlsx"
    assert NO_FILTERS.file_name(stem, "xlsx", suffix="koder") == "borgerservice-bs2009-koder.xlsx"
    assert Filters(region="hovedstaden").file_name(stem, "pdf", suffix="rapport") == (
        "borgerservice-bs2009-hovedstaden-rapport.pdf"
    )
    assert Filters(kind="bogbus").file_name(stem, "svg", suffix="kort") == "borgerservice-bs2009-bogbus-kort.svg"
    assert Filters(region="sjaelland", kind="filial").file_name(stem, "pptx") == (
        "borgerservice-bs2009-sjaelland-filial.pptx"
    )


@pytest.mark.parametrize("filters", EVERY_KIND_OF_FILTERS)
def test_a_job_stores_the_filters_as_json_and_reads_them_back(filters):
    stored = json.loads(json.dumps(filters.job_params()))  # as the Job row's JSON field keeps them
    assert Filters.from_job_params(stored) == filters
    assert Filters.from_job_params({**stored, "options": {"codes": True}}) == filters


def test_job_parameters_keep_the_stored_shape():
    # Jobs queued before a release are still read: {"filters": {"region": …}}, and none at all for all libraries.
    assert Filters(region="hovedstaden").job_params() == {"filters": {"region": "hovedstaden"}}
    assert NO_FILTERS.job_params() == {"filters": {}}
    assert Filters.from_job_params({"filters": {"kind": "filial"}}) == Filters(kind="filial")
    assert Filters.from_job_params({}) == NO_FILTERS
    with pytest.raises(ValueError):
        Filters.from_job_params({"filters": {"region": "skaane"}})


def test_filters_from_the_forms_cleaned_data():
    form = FilterForm({"region": "midtjylland", "kind": ""})
    assert form.is_valid()
    assert Filters.from_cleaned_data(form.cleaned_data) == Filters(region="midtjylland")
    empty = FilterForm({})
    assert empty.is_valid()
    assert Filters.from_cleaned_data(empty.cleaned_data) == NO_FILTERS
    # A value outside the choices never reaches cleaned_data; the valid one still counts.
    wrong = FilterForm({"region": "skaane", "kind": "filial"})
    assert not wrong.is_valid()
    assert Filters.from_cleaned_data(wrong.cleaned_data) == Filters(kind="filial")
    # A command's options are read the same way; None (not given) means all.
    assert Filters.from_cleaned_data({"region": None, "kind": "bogbus", "output": "x.pdf"}) == Filters(kind="bogbus")
    with pytest.raises(ValueError):
        Filters.from_cleaned_data({"region": "skaane"})


def test_description_names_the_filters_that_are_set():
    with translation.override("da"):
        assert NO_FILTERS.description == ""
        assert NO_FILTERS.labels == ()
        assert Filters(region="midtjylland").description == "Region Midtjylland"
        assert Filters(kind="filial").description == "Filial"
        assert Filters(region="midtjylland", kind="bogbus").description == "Region Midtjylland, Bogbus"
        # The page and the workbook name both filters, "all" included.
        assert (str(NO_FILTERS.region_label), str(NO_FILTERS.kind_label)) == ("Alle regioner", "Alle bibliotekstyper")
