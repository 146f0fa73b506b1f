"""Where the API lives and the media type of its errors (the routes themselves are
declared on the blueprint, collector.api.views, and described from there)."""

from __future__ import annotations

API_PREFIX = "/api/v1"
# RFC 9457 problem details.
PROBLEM = "application/problem+json"
