"""OpenAI organization usage: completions per user and day, with cost estimated from a price table."""
