"""A service desk that lives in Slack."""
