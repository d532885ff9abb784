"""Badge tokens, badge and ticket PDFs."""
