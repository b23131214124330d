"""The composition root: the runtime that wires every service, the web app factory, the CLI, the demo and
the simulator."""
