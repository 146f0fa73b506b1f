"""Data entry: respondents fill the forms assigned to their units."""
