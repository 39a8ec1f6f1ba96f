"""The pure core: no I/O, no xlwings, openpyxl or docx imports (a test enforces it)."""
