"""What the desk already knows: resolved tickets, saved replies and Markdown articles, ranked
against a new request (issue 39). Pure apart from reading the articles' folder."""
