"""Domain rules as pure functions: rating-scale mapping, evidence judgement, local fit."""
