"""The workspace on disk: atomic writes, the roster, staged proposals, exports."""
