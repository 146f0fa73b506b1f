"""A demo region (Kaluga oblast) to show the platform on: units, reference figures, users."""
