"""Spreadsheet writers. Pure: no Flask, no database; they take rows and give bytes."""
