"""The MSSanté screens: the mailbox settings and the background delivery of the outbox."""
