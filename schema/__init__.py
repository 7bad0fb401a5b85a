"""The GraphQL layer: Strawberry types, inputs and root fields over the query plans."""
