"""The upper committee's side: many chi bộ's results together, the HTXSNV cap pooled, the decision drafted.

Pure parts (no file is touched): ``model``, ``pool``, ``checks``, ``history``, ``combine``, ``columns``.
I/O shells: ``read`` (inputs, in parallel), ``frames`` + ``xlsx`` (summary workbook, pandas), ``annex``
(.docx), ``xlsxpatch`` + ``writeback`` (decided levels back into each chi bộ's workbook), ``demo``.
"""
