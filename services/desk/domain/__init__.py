"""Pure rules of the desk: the ticket lifecycle (a state table), access, routing, working days, numbering,
clock, input validation and the stored vocabulary. It imports nothing of the desk but itself (and kernel)."""
