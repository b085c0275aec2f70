"""A table as shown on a dashboard page, downloaded as CSV or as an Excel workbook (.xlsx, with openpyxl)."""

import csv
import io
from collections.abc import Sequence

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from gateway.coverage.export import cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def as_csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    """UTF-8 with a byte order mark, so that spreadsheet programs read Vietnamese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode()


def as_xlsx(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    bold = Font(bold=True)
    heading = []
    for text in header:
        value = WriteOnlyCell(sheet, value=text)
        value.font = bold
        heading.append(value)
    sheet.append(heading)
    for row in rows:
        cells = []
        for text in row:
            value = WriteOnlyCell(sheet, value=text)
            value.data_type = "s"  # text as text: a leading '=' is never a formula
            cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def download(
    name: str, kind: str, title: str, header: Sequence[str], rows: Sequence[Sequence[str]]
) -> Response:
    if kind == "xlsx":
        body, media = as_xlsx(title, header, rows), XLSX
    else:
        body, media = as_csv(header, rows), "text/csv; charset=utf-8"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}.{kind}"'}
    )
