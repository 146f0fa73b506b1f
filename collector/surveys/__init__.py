"""Answering a survey through a school's link, without an account."""
