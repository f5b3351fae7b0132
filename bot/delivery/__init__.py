"""Drawing what the outbox owes and recording where it went, apart from the features that owe
it (issue 36, "one shape for the middle").

- `places`: a posted message's address as stored (`channel:ts`; typed, `store.records.Place`);
- `drawing`: the pure drawings of what is drawn when it is sent (a ticket's card, the
  requester's confirmation, a notice, the storm card, the weekly chart's name);
- `renderers`: the registry, one renderer per kind of owed message (`bot.domain.owed`),
  each turning it and what it reads of the store into what is posted (`Drawn`);
- `kept`: what a delivered message's place is recorded as, typed, chosen by its kind;
- `records`: store-level reads and writes of records the features keep (drafts, digests,
  reports) that delivering needs.

Nothing here imports a feature flow (`bot.flows.*`; `tests/test_delivery_shape.py` checks):
what needs a feature (a Home's view, a weekly report's chart, what a delivered card changes
for the Homes and the storm card) is handed in as `renderers.Features` by the composition
root (`bot.app`).
"""
