"""The ceremonies as explicit steps over model, keys and store."""
