"""The HTTP edge: request dependencies, errors, routes and the static pages."""
