"""What a long-lived web worker does once it has loaded the app."""

from __future__ import annotations

import gc


def settle_after_loading() -> None:
    """The app, its modules and templates live as long as the worker: moved out of the
    garbage collector's generations (gc.freeze), so that a full collection, which a
    report page's allocations set off every few views, walks only what requests made.
    A national campaign's page walked 280,000 loaded objects at such a collection, some
    200 ms in one view of five."""
    gc.collect()
    gc.freeze()
