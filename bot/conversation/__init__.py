"""One turn decides: the case in context, the stage machine (flow), the engine that runs a turn, and timers."""
