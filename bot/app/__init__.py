"""The composition root: the runtime that wires every service, the web app, the CLI, the demo and the simulator."""
