"""The indicator engine (pure: pandas, no Flask, no database)."""
