"""Files: AI usage, pull requests and tickets from sources without a connector, as CSV or JSONL."""
