"""Campaign reports: indicators in the browser, charts, consolidated downloads."""
