"""Moving in from another desk: `python -m bot import csv|zendesk|jira FILE`.

One pure parser per source turns its rows into `records.ImportedTicket`s (or `Problem`s with
their line); `people` finds the people in Slack; `build` makes each record the desk's own
ticket; `importer` writes them through the store's transactions, silently and safe to run
again; `command` is the command line's part.
"""
