"""Buyer messages come in: every channel's messages, keywords, consent and deep-link binding, one way."""
