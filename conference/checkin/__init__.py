"""Door scanning: checkpoints, check-ins, the scan API and live counts."""
