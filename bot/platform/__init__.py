"""Shared vocabulary, settings, clock and YAML helpers: the leaf layer, importing nothing else of Mediator."""
