// The change sequence, and positions for the entries written before there was one:
// in the order of their time, then id (the order the feed used before).
MERGE (s:ChangeSequence {id: 'changes'}) ON CREATE SET s.last = 0;
MATCH (c:Change) WHERE c.seq IS NULL
WITH c ORDER BY c.at, c.id
WITH collect(c) AS entries
MATCH (s:ChangeSequence {id: 'changes'})
WITH s, s.last AS base, entries
SET s.last = base + size(entries)
WITH base, entries
UNWIND range(0, size(entries) - 1) AS i
WITH entries[i] AS c, base + i + 1 AS position
SET c.seq = position;
