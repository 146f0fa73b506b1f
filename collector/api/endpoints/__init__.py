"""The API's routes beyond the first few (collector.api.views), one module per resource,
each with its own blueprint (collector.api.blueprint.ApiBlueprint) that the app factory
registers."""
