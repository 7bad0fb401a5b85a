"""Who is calling: bearer JWTs from partners' identity providers, or API keys."""
