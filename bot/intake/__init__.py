"""Reviews come in: validate, dedupe, triage, store, and open the case."""
