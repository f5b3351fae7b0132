"""Application flows: what the desk does for each request, between the store and Slack."""
