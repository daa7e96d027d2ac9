"""How lib functions let the dashboard's cache serve the queries they share.

A lib function that runs an expensive query which another function on the same
page also runs takes ``cache``: the page passes ``ui.cached`` (keyed on store,
data version and arguments), so the query runs once per data version; tests,
the CLI and exports pass nothing and call the query directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Cache = Callable[[Callable[..., Any]], Callable[..., Any]]


def direct(func: Callable[..., Any]) -> Callable[..., Any]:
    """No cache: call the function itself."""
    return func
