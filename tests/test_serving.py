"""A web worker's settling once it has loaded the app (collector/serving.py, called by
gunicorn.conf.py's post_worker_init): what was loaded is out of the collector's walks,
and what requests make afterwards is still collected."""

from __future__ import annotations

import gc
import weakref

from collector.serving import settle_after_loading


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def test_what_was_loaded_is_frozen_and_later_garbage_still_collected(app):
    try:
        settle_after_loading()
        assert gc.get_freeze_count() > 0
        # Nothing loaded is left in the generations a full collection walks...
        assert len(gc.get_objects()) < gc.get_freeze_count()
        # ...and a cycle made by a request afterwards is still freed.
        made = Node()
        gone = weakref.ref(made)
        del made
        gc.collect()
        assert gone() is None
    finally:
        gc.unfreeze()
