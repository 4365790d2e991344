"""`wayfinder import template`: the documented spreadsheet people fill in (XLSX or CSV)."""

from __future__ import annotations

import csv
from pathlib import Path

from directory.vocab import ACCESSIBILITY_FEATURES

from importers.spreadsheet import COLUMNS

HELP: dict[str, tuple[str, str]] = {  # field -> (what to write, example)
    "id": ("Your own reference for the row, if you have one. Keep it the same next time.", "HW-001"),
    "name": ("Required. What the activity is called.", "Heaton Park Health Walk"),
    "description": ("What happens, in plain words.", "A gentle one-hour walk with a cup of tea after."),
    "organisation": ("Who runs it.", "Heaton Walking Group"),
    "organisation_website": ("The organisation's website.", "https://example.org"),
    "venue": ("Where it happens.", "Heaton Park Pavilion"),
    "address": ("Street address.", "Heaton Park Road"),
    "town": ("Town or city.", "Newcastle upon Tyne"),
    "postcode": ("Postcode, in any case and spacing.", "NE6 5AP"),
    "latitude": ("Optional; found from the postcode when blank.", ""),
    "longitude": ("Optional; found from the postcode when blank.", ""),
    "when": ("Days and times in words: 'Mon & Wed 10-12', '1st Monday of the month 7-9pm', "
             "'fortnightly Thursday 2pm', 'By appointment'.", "Tuesdays 10am-11am"),
    "cost": ("'Free', '£2', '£2.50 (concessions £1)', 'donation'.", "Free"),
    "ages": ("'18+', '16-25', 'under 18', 'All ages'.", "18+"),
    "min_age": ("Or give the youngest age as a number.", ""),
    "max_age": ("And the oldest age as a number.", ""),
    "gender": ("'women', 'men', or blank for everyone.", ""),
    "categories": ("Categories separated by ';' (names from Wayfinder's list).", "Health walks"),
    "accessibility": ("Separated by ';': " + "; ".join(ACCESSIBILITY_FEATURES.values()) + ".",
                      "Step-free access; Accessible toilet"),
    "website": ("A web page about the activity.", ""),
    "email": ("Contact email.", "walks@example.org"),
    "phone": ("Contact phone (format the column as text to keep the leading 0).", "0191 000 0000"),
    "contact_name": ("Who to ask for.", "Sam"),
    "referral": ("'Just turn up', 'link worker', 'GP' - any that apply.", "Just turn up"),
    "delivery": ("'in person', 'online', 'phone' - any that apply.", "in person"),
    "languages": ("Languages other than English, separated by ';'.", ""),
    "eligibility": ("Who it is for, in words.", "Anyone who can walk for an hour at an easy pace."),
    "last_checked": ("When someone last checked it is still running (a date).", "14/03/2026"),
}


def write_template(path: str | Path) -> Path:
    """Write the template; `.csv` gives header + example, anything else an XLSX with a Help sheet."""
    path = Path(path)
    fields = list(COLUMNS)
    header = [COLUMNS[f][0] for f in fields]
    example = [HELP.get(f, ("", ""))[1] for f in fields]
    if path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerow(example)
        return path
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Activities"
    sheet.append(header)
    sheet.append(example)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = max(14, len(str(column[0].value)) + 4)
        column[0].number_format = "@"
    phone_col = sheet.cell(row=1, column=fields.index("phone") + 1).column_letter
    for row in range(2, 1000):
        sheet[f"{phone_col}{row}"].number_format = "@"  # keep the leading zero of phone numbers
    help_sheet = book.create_sheet("Help")
    help_sheet.append(["Column", "What to write", "Example", "Also accepted as"])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for f in fields:
        what, ex = HELP.get(f, ("", ""))
        help_sheet.append([COLUMNS[f][0], what, ex, ", ".join(COLUMNS[f][1:])])
    help_sheet.column_dimensions["B"].width = 90
    book.save(path)
    return path
