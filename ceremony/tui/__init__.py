"""The Textual keyholder interface (renders flow views, sends intents)."""
