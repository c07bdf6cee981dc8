"""Questionnaire workbooks for the tests: a version downloaded, edited cell by cell, read back."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from questionnaire.services.authoring import version_workbook_write
from questionnaire.services.definition.xlsform_read import WorkbookProblems, read_xlsform


def workbook_bytes(questionnaire) -> bytes:
    handle = BytesIO()
    version_workbook_write(questionnaire=questionnaire, handle=handle)
    return handle.getvalue()


def row_of(ws, name) -> int:
    """Return the row of the question (or choice) *name*: the first with that name that is not a group's row."""
    return next(
        row
        for row in range(2, ws.max_row + 1)
        if ws.cell(row=row, column=2).value == name and "group" not in str(ws.cell(row=row, column=1).value)
    )


def edited(data: bytes, edit) -> BytesIO:
    """Return the workbook *data* after *edit(workbook)*, as a file to upload."""
    workbook = load_workbook(BytesIO(data))
    edit(workbook)
    handle = BytesIO()
    workbook.save(handle)
    handle.seek(0)
    handle.name = "borgerservice.xlsx"
    return handle


def set_cell(sheet, name, column, value):
    def edit(workbook):
        ws = workbook[sheet]
        ws.cell(row=row_of(ws, name), column=COLUMNS[column], value=value)

    return edit


COLUMNS = {"type": 1, "name": 2, "label": 3, "hint": 4, "required": 5, "relevant": 6, "constraint": 7}


def problems_of(handle) -> list:
    with pytest.raises(WorkbookProblems) as error:
        read_xlsform(handle)
    return error.value.problems
