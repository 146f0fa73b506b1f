"""Registries: records with a passport that units keep across campaigns."""
