"""Webhooks (issue 25): a coordinator's URL told of events of their territory. Events
come from the audit records the services leave (events.py), deliveries are signed and
sent by a job (delivery.py), registered and read through services.py."""
