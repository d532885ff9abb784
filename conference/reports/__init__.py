"""Dashboard, exports, certificates, networking directory and privacy tools."""
