"""Importers of platform export files: reading, detection, parsing (no database)."""
