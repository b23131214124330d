"""Reports read it back: what happened to a shop's cases in a period, as HTML, CSV or JSON."""
