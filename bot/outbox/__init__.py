"""Messages go out: consent and the contact ledger, quiet hours, channel order, delivery and its status."""
