"""Downloads people open in Excel or WPS: one way to keep text from running as a formula, and one way
to write an .xlsx answer (the dashboard, 学员管理, survey results, the teaching evaluation)."""

import io

from django.http import HttpResponse

# A cell starting with one of these is run as a formula by Excel (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def spreadsheet_safe(value):
    """Text a spreadsheet shows as typed: a leading apostrophe keeps a would-be formula text. Numbers,
    dates and None pass unchanged."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return f"'{value}"
    return value


def workbook_response(filename, sheets):
    """An .xlsx download of `sheets`, each (title, headers, rows): bold frozen headers, columns as wide
    as their text (bounded), every text cell stored as text. `filename` has no extension and is ASCII."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([spreadsheet_safe(header) for header in headers])
        for heading in sheet[1]:
            heading.font = Font(bold=True)
        widths = [len(str(header)) for header in headers]
        for row in rows:
            sheet.append([spreadsheet_safe(value) for value in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the text
            for index, value in enumerate(row):
                widths[index] = max(widths[index], min(60, len(str(value if value is not None else ""))))
        sheet.freeze_panes = "A2"
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = min(80, 2 * width + 2)
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response
