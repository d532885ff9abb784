"""Staff users, roles, login, API tokens."""
