"""Reading a list of people to enrol from a CSV file.

The reader only looks at the file: it never touches the database. Anything wrong
with the file as a whole raises ``CsvError`` with one sentence saying what to fix;
a problem with one row is recorded on that row (``PersonRow.problem``) so the
preview can show it and import the rest.

What the reader accepts is deliberately what spreadsheets write: comma or
semicolon separated (Dutch Excel uses semicolons), UTF-8 with or without a byte
order mark or Windows-1252, quoted fields, Dutch or English column names in any
order.
"""

import csv
import dataclasses
import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import single_line

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 150  # first and last name together, as the account's display name
MAX_DEPARTMENT_LENGTH = 120  # Membership.department

# Header names (after normalising: lower case, no spaces, hyphens or underscores).
COLUMNS = {
    "email": {"email", "emailadres", "emailaddress"},
    "first_name": {"voornaam", "firstname"},
    "last_name": {"achternaam", "lastname", "surname"},
    "department": {"afdeling", "department"},
}
REQUIRED = ("email", "first_name", "last_name")
COLUMN_LABELS = {
    "email": gettext_lazy("e-mail"),
    "first_name": gettext_lazy("first name"),
    "last_name": gettext_lazy("last name"),
    "department": gettext_lazy("department"),
}

# Why a row cannot be imported. Codes, not sentences: previews are kept in the
# session and shown later, possibly in another language.
BAD_EMAIL = "bad_email"
DUPLICATE = "duplicate"
MISSING_NAME = "missing_name"
TOO_LONG = "too_long"
TOO_MANY_VALUES = "too_many_values"
PROBLEMS = {
    BAD_EMAIL: gettext_lazy("not a valid email address"),
    DUPLICATE: gettext_lazy("this address is already on an earlier line of the file"),
    MISSING_NAME: gettext_lazy("first or last name is missing"),
    TOO_LONG: gettext_lazy("a name or department is too long"),
    TOO_MANY_VALUES: gettext_lazy("more values than the header has columns"),
}

# Control characters other than tab and line breaks: no spreadsheet writes them.
_BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_validate_email = EmailValidator()


class CsvError(Exception):
    """The file as a whole cannot be read; the message says what to fix."""


@dataclass(frozen=True)
class PersonRow:
    line: int  # the line in the file where the row starts (the header is line 1)
    email: str
    first_name: str
    last_name: str
    department: str = ""
    problem: str = ""  # one of PROBLEMS, or empty when the row can be imported

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def problem_text(self) -> str:
        return str(PROBLEMS[self.problem]) if self.problem else ""


def read_people_file(file) -> list[PersonRow]:
    """``read_people`` for an uploaded file, reading no more than the limit allows."""
    return read_people(file.read(MAX_BYTES + 1))


def read_people(data: bytes) -> list[PersonRow]:
    """Every data row of the file, each valid or with its problem; or CsvError."""
    text = _decode(data)
    lines = _LINE_BREAK.split(text)
    header_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        raise CsvError(_("The file is empty. Upload a CSV file with a header line and people."))
    delimiter = _delimiter(lines[header_index])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next((row for row in reader if any(cell.strip() for cell in row)), None)
        if header is None:
            raise CsvError(_("The file is empty. Upload a CSV file with a header line and people."))
        positions = _positions(header)
        raw_rows = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(raw_rows) == MAX_ROWS:
                raise CsvError(
                    _(
                        "The file has more than %(max)s people. Split it into files of at most "
                        "%(max)s rows and upload them one by one."
                    )
                    % {"max": number_format(MAX_ROWS, force_grouping=True)}
                )
            # The reader's line_num is where the row ends; a quoted line break makes
            # a row span lines, so count back.
            start = reader.line_num - sum(cell.count("\n") for cell in cells)
            raw_rows.append((start, cells))
    except csv.Error as error:
        raise CsvError(
            _(
                "Line %(line)s is not valid CSV (%(detail)s). Check the quotes on that line, "
                "or save the file again as CSV from your spreadsheet."
            )
            % {"line": reader.line_num, "detail": error}
        ) from error
    if not raw_rows:
        raise CsvError(
            _("The file has a header line but no people. Add one person per line below it.")
        )
    return _check_rows(raw_rows, positions, width=len(header))


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise CsvError(
            _(
                "The file is larger than 5 MB. Split it into smaller files and upload them "
                "one by one."
            )
        )
    if not data.strip():
        raise CsvError(_("The file is empty. Upload a CSV file with a header line and people."))
    not_text = CsvError(
        _(
            "This is not a text file (perhaps an Excel workbook). In your spreadsheet choose "
            "Save as → CSV, and upload that file."
        )
    )
    if b"\x00" in data:
        raise not_text
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise not_text from error
    if _BINARY.search(text):
        raise not_text
    return text


def _delimiter(header_line: str) -> str:
    # Separators inside quotes are part of a name, not between columns.
    outside_quotes = "".join(header_line.split('"')[::2])
    commas, semicolons = outside_quotes.count(","), outside_quotes.count(";")
    if commas and semicolons:
        raise CsvError(
            _(
                "The header line mixes commas and semicolons. Use one separator throughout the "
                "file: save it again as CSV from your spreadsheet."
            )
        )
    return ";" if semicolons else ","


def _normalise(name: str) -> str:
    return "".join(c for c in name.lower() if c not in " \t-_.\ufeff\u00a0")


def _positions(header: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    unknown = []
    for index, cell in enumerate(header):
        key = _normalise(cell)
        if not key:
            continue  # a column without a name (a trailing separator) is ignored
        column = next((column for column, names in COLUMNS.items() if key in names), None)
        if column is None:
            unknown.append(cell.strip())
        elif column in positions:
            raise CsvError(
                _("The column “%(column)s” appears twice in the header line. Keep one of them.")
                % {"column": cell.strip()}
            )
        else:
            positions[column] = index
    missing = [column for column in REQUIRED if column not in positions]
    if missing or unknown:
        expected = _(
            "The first line must name the columns e-mail, voornaam and achternaam, and "
            "optionally afdeling (English names work too: email, first name, last name, "
            "department), separated by commas or semicolons."
        )
        if unknown:
            found = ", ".join(f"“{name[:40]}”" for name in unknown[:3])
            raise CsvError(_("Unknown column %(found)s.") % {"found": found} + " " + expected)
        raise CsvError(
            _("Missing column %(missing)s.")
            % {"missing": ", ".join(str(COLUMN_LABELS[column]) for column in missing)}
            + " "
            + expected
        )
    return positions


def _check_rows(raw_rows, positions: dict[str, int], *, width: int) -> list[PersonRow]:
    seen: set[str] = set()
    rows = []
    for line, cells in raw_rows:
        values = {
            column: single_line(cells[index]) if index < len(cells) else ""
            for column, index in positions.items()
        }
        email = values["email"].lower()
        row = PersonRow(
            line=line,
            email=email,
            first_name=values["first_name"],
            last_name=values["last_name"],
            department=values.get("department", ""),
        )
        problem = person_problem(row)
        if not problem and any(cell.strip() for cell in cells[width:]):
            problem = TOO_MANY_VALUES
        if not problem and email in seen:
            problem = DUPLICATE
        if not problem:
            seen.add(email)
        rows.append(dataclasses.replace(row, problem=problem))
    return rows


def person_problem(person: PersonRow) -> str:
    """Why one person cannot be enrolled as given, or an empty string."""
    try:
        if len(person.email) > MAX_EMAIL_LENGTH:
            raise ValidationError("too long")
        _validate_email(person.email)
    except ValidationError:
        return BAD_EMAIL
    if not person.first_name or not person.last_name:
        return MISSING_NAME
    if len(person.display_name) > MAX_NAME_LENGTH or len(person.department) > MAX_DEPARTMENT_LENGTH:
        return TOO_LONG
    return ""
