"""Benchmark the social-media pages of Nordic public bodies against their peers.

The package holds the domain: the store (DuckDB), the organisation registry,
periods, peer groups, metric definitions, the views behind each page, the demo
data and the command line. Nothing here imports Streamlit except `ui.py`.
"""

__version__ = "0.1.0"
