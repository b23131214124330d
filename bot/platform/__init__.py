"""Shared vocabulary, settings, clock, YAML helpers and text folding: the leaf layer, importing nothing else of
Mediator."""
