"""The guided ceremony: what the keyholder TUI shows and asks for, as plain views and intents.

Between the TUI and the flows (cli > tui > guided > flows): screens render the views defined
here (frozen dataclasses of strings, numbers and tuples) and call the intents of the
`Session` facade (guided/session.py); everything that touches python-tuf, keys, devices or
files happens here or in the flows this layer calls, never in the user interface (design.md
section 3). The words a screen shows about the ceremony are written here, not in flows/.
"""
