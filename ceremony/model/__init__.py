"""Pure core: python-tuf objects in, objects and reports out. No I/O, clock or devices."""
