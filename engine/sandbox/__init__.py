"""Expression checking and budgets: what a condition, script, DMN cell or timer may do, and for how long."""
