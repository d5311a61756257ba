"""AI Choice: the platform-neutral conversation core."""
