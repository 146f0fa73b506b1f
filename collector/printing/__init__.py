"""Printed documents: a unit report's blank form and its filled report for signature, and
the PDF of any print-ready page (the analytical report's too), made without the network."""
