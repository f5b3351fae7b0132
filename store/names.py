"""The names of the store's tables: what the desk keeps, by what key.

Only the store knows how tables are held. Flows read and write the side tables through their
typed twins in `store.records` (`tx.get(records.DRAFTS, key)` gives a `Draft`); a name alone,
with documents (`tx.record(DRAFTS, key)`), is the old road, kept while flows move off it.
"""

TICKETS = "tickets"
DRAFTS = "drafts"  # intake conversations, by conversation key (kept a day after they end)
DMS = "dms"  # person -> their DM with the desk (`D…`), as their messages and deliveries showed it
THREADS = "threads"  # "channel:ts" of each ticket's threads (requester's and card's) -> number
HANDLED = "handled"  # what has been acted on already (a message, a form) -> when, for retries
STORMS = "storms"  # incident storms: the new tickets grouped in one triage card, by storm key
STORM_OF = "storm_of"  # ticket number -> the storm whose card shows it
OUTBOX = "outbox"  # message id -> what the desk owes (`bot.domain.owed.Owed`), in line by `seq`
RATINGS_AT = "ratings_at"  # ticket number -> where its rating request was posted ("channel:ts")
OPEN_SURVEYS = "open_surveys"  # ticket number -> where its rating request is, until it closes
RESOLVED_AT = "resolved_at"  # ticket number -> where its latest resolution message is ("channel:ts")
SIGNED = "signed"  # "timestamp:signature" of each command, click and form -> when: replays refused
HOMES = "homes"  # person -> when they first opened the desk's Home tab (theirs is kept up to date)
CONFIRMED_AT = "confirmed_at"  # ticket number -> its confirmation in a channel thread ("channel:ts")
CONFIRMATION = "confirmation"  # ticket number -> its confirmation elsewhere (a DM, a mention's thread)
AWAY = "away"  # agent -> until when they are away (ISO time; "" for until they are back)
TURNS = "turns"  # team name -> the agent its round-robin assigned last
BEGAN = "began"  # "desk" -> when the desk first started (ISO time): no report of a period before
# month ("2026-03") -> {"ranges": [[first, last], ...], "opened_from": ISO}: its archive file
ARCHIVED = "archived"
IMPORTED = "imported"  # "source:id" of each ticket moved in from another desk -> {"n": number, "fp": ...}
OUTSIDERS = "outsiders"  # "ext:key" of a person an import found no Slack user for -> their name
LOOKED_UP = "looked_up"  # an e-mail address an import asked Slack about -> the user found ("": nobody)
ANSWERED = (
    "answered"  # intake draft id -> {at, person, category, by}: solved by a suggested answer, no ticket
)
LINKED_TO = "linked_to"  # ticket number -> the parent it is handled with (`/desk link`)
LINKS = "links"  # parent ticket number -> its linked tickets' numbers
ROLLUPS = "rollups"  # "day|team|agent" -> counters of what happened that UTC day (`bot.domain.rollup`)
REPORTS = "reports"  # the week's Monday (ISO; "<week>:<team>" with several teams) -> the leads' weekly report
DIGESTS = "digests"  # local day (ISO; "<day>:<team>" with several teams) -> the leads' digest
IDENTITY = "identity"  # "bot" -> the fields of auth.test the desk uses (`bot.flows.identity`)
PARKED_TOLD = "parked_told"  # "<place>|<cause>" -> when the leads were told of messages parked there

# Records kept per ticket number (keyed by it, or naming it: THREADS), which leave memory with
# their ticket: TinyDB's archive drops them, a PostgreSQL desk keeps them in the database only.
BY_TICKET = (RATINGS_AT, RESOLVED_AT, CONFIRMED_AT, CONFIRMATION, STORM_OF)
