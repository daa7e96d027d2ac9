"""Editing the store from the app, with history: one record at a time, deletes that know what cites them,
reverts of any audited write or whole import, and what an import would change before it commits.

Modules: ``records`` (which tables and fields can be edited, readable names, saving one record through
the bundle's own validation and upsert), ``delete`` (what cites a record; refuse or cascade),
``revert`` (put back an audited write or a whole import, itself audited), ``diff`` (a bundle's staged
rows against the store, and likely duplicate actors). No streamlit here: views/data.py lays it out.
"""

from lib.edits.records import EditRefused

__all__ = ["EditRefused"]
