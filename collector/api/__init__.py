"""The JSON API (/api/v1): personal access tokens, the route table its OpenAPI
description is made from, and problem details (RFC 9457) for its errors."""
