"""Read the data sheet of a .xls / .et / .xlsb / .ods with python-calamine, in a child process with a memory cap.

Run as a script by reading.py (`python office_sheet.py DATA_SHEET NOTES_SHEET MAX_BYTES < file`), never imported
by the product: calamine builds each sheet as one dense block from its first to its last used cell, so a 6 kB
.xls with cells in A1 and IV65536 asks for 16.7 million cells (1 GB). The cap (RLIMIT_AS) turns that into a
refusal instead of a server out of memory; the parent's timeout bounds the time. Imports only the standard
library and python_calamine, so the child starts in a few tens of milliseconds.

Output on stdout (pickle): (sheet name, rows) with rows as lists from A1, "" as None, trailing blanks dropped.
Exit 3: no data sheet; 4: calamine refused the file (message on stderr); killed or MemoryError: too large.
"""

from __future__ import annotations

import io
import pickle
import resource
import sys


def main(data_sheet: str, notes_sheet: str, max_bytes: int) -> int:
    resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))
    data = sys.stdin.buffer.read()
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = workbook.sheet_names
        chosen = data_sheet if data_sheet in names else next((n for n in names if n != notes_sheet), None)
        if chosen is None:
            return 3
        sheet = workbook.get_sheet_by_name(chosen)
        # Rows come from row 1, columns from the first used one: pad back to A so columns keep Excel's letters.
        first_column = (sheet.start or (0, 0))[1]
        rows = []
        for values in sheet.iter_rows():
            row = [None] * first_column + [None if value == "" else value for value in values]
            while row and row[-1] is None:
                row.pop()
            rows.append(row)
    except MemoryError:
        return 5
    except Exception as error:  # calamine raises its own error types, and ValueError/OSError for broken parts
        print(f"{type(error).__name__}: {error}"[:300], file=sys.stderr)
        return 4
    sys.stdout.buffer.write(pickle.dumps((chosen, rows), protocol=pickle.HIGHEST_PROTOCOL))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
