"""Everything that speaks Slack: the Web API gateway, Block Kit builders, text rules."""
