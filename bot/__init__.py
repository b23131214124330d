"""Mediator's core, in sub-packages named for the stages of the data flow (docs/ARCHITECTURE.md):

intake (reviews in) -> conversation (one turn decides) -> outbox (messages out) or handoff (staff take over);
policy (admins shape it); reports (read it back). Below: store, understanding, retrieval and platform (the shared
vocabulary and settings). At the edges: web (HTTP) and app (the composition root, CLI, demo).
"""
