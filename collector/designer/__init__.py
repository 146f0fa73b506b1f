"""The form designer: coordinators build and change form schemas in the browser."""
