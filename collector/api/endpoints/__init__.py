"""The API's routes beyond the first few (collector.api.views), one module per resource;
each registers on the API blueprint (collector.api.blueprint) when imported."""
