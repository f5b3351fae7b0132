"""The desk's own world: tickets, priorities, SLA policies. No Slack, no TinyDB, no clocks.

Everything here takes the current time as an argument, so it can be tested with plain tables.
"""
