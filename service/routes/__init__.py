"""HTTP routes besides GraphQL, each area in a module of its own."""
