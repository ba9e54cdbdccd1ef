"""Use cases. Each public function takes the acting user (or None for a guest) and checks access."""
