"""Workshop phases, sign-up (first come first served) and allocation by ranked preference."""
