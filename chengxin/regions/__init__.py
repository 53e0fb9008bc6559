"""GB/T 2260 administrative divisions: the spine of every jurisdiction."""
