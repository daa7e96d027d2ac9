"""Paths to the shared real-data samples, for tests in every layer."""

from tests.conftest import REALDATA

GDELT2_SAMPLE = REALDATA / "gdelt" / "gdelt2_events_sample_2017.export.CSV"
