"""The `mediator` command, one module per sub-command group."""
