"""Front ends: each package maps one platform onto the core's neutral events and replies."""
