"""Text folding lives in bot/platform/folding.py, so retrieval (which may not import understanding) folds the
knowledge and the buyer's question exactly as the NLU folds a message; this name stays for its readers."""

from bot.platform.folding import fold, normalise, plain

__all__ = ["fold", "normalise", "plain"]
