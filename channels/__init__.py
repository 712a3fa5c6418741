"""Channel senders: consume notify.<channel>, deliver, report every attempt."""
