"""rulebook: an organisation's own documents imported as clauses, answered from and curated."""
