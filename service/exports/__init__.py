"""Exports of the graph, or of a subgraph, in formats graph tools read."""
