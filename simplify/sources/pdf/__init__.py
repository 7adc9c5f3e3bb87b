"""PDF with a text layer -> Lines, read as its author made it.

A tagged PDF is read through its logical structure tree (``tagged``: paragraphs, notes at their marks, tables,
figures, artifacts, in the author's order) on every page the tree covers; other pages, and untagged PDFs, go to
the layout reader (``layout``: columns, bands, type sizes). Both start from the same characters, read in sandboxed
children (``sandbox``), grouped into fragments (``chars``) and judged by their type (``typography``: body and
heading sizes, furniture, footnote markers, printed ruby). ``reader.pdf_to_lines`` chooses per page.
"""

from .limits import DEFAULT_LIMITS, PdfError, PdfLimits
from .reader import PdfText, pdf_to_lines

__all__ = ["DEFAULT_LIMITS", "PdfError", "PdfLimits", "PdfText", "pdf_to_lines"]
