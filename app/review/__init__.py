"""Monthly review exports (PDF, HTML, CSV, Markdown); see docs/review.md."""
