"""Campaigns: deadlines, response states and review (issue 4, in progress)."""
