"""The keyholder TUI (Textual): screens render the session's views and send its intents.

It imports only `ceremony.guided.*` and `ceremony.errors` from the project (an import-linter
contract and tests/tui/test_contract.py check it): no python-tuf, keys, devices or files here.
"""
