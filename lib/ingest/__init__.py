"""Importers: each parses a file, validates every row, then applies it in one transaction."""
