"""Markets, stalls and vendors: where scales are used in trade."""
