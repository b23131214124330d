"""Staff take over: the case card, take over, reply, grant, hand back and close."""
