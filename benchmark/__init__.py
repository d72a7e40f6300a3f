"""Benchmark the social-media pages of Nordic public bodies against their peers.

The package holds the domain: the store (DuckDB), the organisation registry,
periods, peer groups, metric definitions, the views behind each page, the demo
data and the command line. Nothing here imports Streamlit except `ui.py` and `ui_links.py`.
"""

import os

# openpyxl parses workbooks with lxml whenever lxml is installed (python-pptx brings it), and that
# path ignores defusedxml: an uploaded .xlsx with an entity bomb would be expanded. Forced off here,
# before any module of the package imports openpyxl; importers/reading_workbooks.py refuses to read
# a workbook if openpyxl was imported with lxml anyway.
os.environ["OPENPYXL_LXML"] = "False"

__version__ = "0.1.0"
