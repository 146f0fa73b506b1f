"""Publishing form schemas as immutable versions (`flask schemas check/load`)."""
