"""One module per group of HTTP routes; bot/app/web.py mounts them."""
