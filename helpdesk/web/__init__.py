"""Reflex layer: thin State classes that read input, call a service and hold what the page shows."""
