"""Query plans: each root field's whole selection becomes one Cypher statement."""
