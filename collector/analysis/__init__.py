"""After the figures: the analysis of a campaign for a territory (misses against targets,
peers and the unit's own last campaign, and each unit's series over the form's campaigns)."""
