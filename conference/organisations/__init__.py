"""Carrier organisations (Programmträger), their local structures, quotas."""
