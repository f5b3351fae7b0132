"""The sandbox: the whole desk against a local Slack, with a web page to play every role."""
