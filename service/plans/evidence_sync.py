"""The statements that keep the whole-graph evidence summaries in step with the graph.

The graph's version is the change log's last position (``ChangeSequence.last``,
service/writes/changelog.py): every write through the write path moves it, in the same
transaction as the data. A summary built at version V is brought up to date from the
entries after V: their entity ids (both ends, for a relationship) name what changed, and
the interventions whose evidence facts reach one of those ids are fetched again.

Both statements return, in one round trip, the version, the outcome columns (when the
taxonomy may have changed), the ids of the interventions to fetch and the facts of the
first ``$chunk`` of them; the rest are fetched by id (evidence_facts.fetch), so no one
statement outlasts the request deadline on a large graph.
"""

from __future__ import annotations

from typing import Final

from service.plans.evidence_facts import OUTCOME_FACTS, intervention_facts

_OUTCOMES: Final = f"""
  MATCH (o:Outcome)
  WITH o ORDER BY o.domain, o.name, o.id
  RETURN collect({OUTCOME_FACTS}) AS outcomes"""

_FIRST_CHUNK: Final = f"""
CALL (affected) {{
  MATCH (i:Intervention) WHERE i.id IN affected[0..$chunk]
  WITH i ORDER BY i.name, i.id
  RETURN collect({intervention_facts(areas=True)}) AS interventions
}}"""

# The version, and the change at the version ``$held`` of a snapshot's file: whether
# this graph reached that version through the same last change (evidence_files.py).
VERSION: Final = """
OPTIONAL MATCH (s:ChangeSequence {id: 'changes'})
WITH s.last AS version
OPTIONAL MATCH (held:Change {seq: $held})
RETURN version, held.id AS heldChange
"""

# Everything: the first build, or after more changes than are worth tracing. The last
# change's id tells one graph from another that reached the same version
# (evidence_files.py).
FULL: Final = f"""
OPTIONAL MATCH (s:ChangeSequence {{id: 'changes'}})
WITH s.last AS version
OPTIONAL MATCH (last:Change {{seq: version}})
WITH version, last.id AS lastChange
CALL () {{{_OUTCOMES}
}}
CALL () {{
  MATCH (i:Intervention)
  WITH i ORDER BY i.name, i.id
  RETURN collect(i.id) AS affected
}}
{_FIRST_CHUNK}
RETURN version, lastChange, outcomes, true AS taxonomyChanged, affected, interventions,
  [] AS changes
"""

# What an intervention's evidence facts read (evidence_facts.intervention_facts), as
# paths from a node a change names to the interventions whose facts hold it, each from
# an index lookup on the id. A variant's facts are part of its parent's, hence the
# parents below.
_REACHED: Final = """
  UNWIND touched AS tid
  WITH tid,
    COLLECT { MATCH (i:Intervention {id: tid}) RETURN i.id AS id }
    + COLLECT { MATCH (:Finding {id: tid})-[:OF]->(i:Intervention) RETURN i.id AS id }
    + COLLECT { MATCH (:Study {id: tid})-[:EVALUATES]->(i:Intervention) RETURN i.id AS id }
    + COLLECT { MATCH (:Study {id: tid})-[:REPORTS]->(:Finding)-[:OF]->(i:Intervention)
                RETURN i.id AS id }
    + COLLECT { MATCH (:Trial {id: tid})<-[:REPORTS_ON]-(:Study)-[:REPORTS]->(:Finding)
                      -[:OF]->(i:Intervention) RETURN i.id AS id }
    + COLLECT { MATCH (:Rating {id: tid})-[:RATES]->(i:Intervention) RETURN i.id AS id }
    + COLLECT { MATCH (:Caveat {id: tid})-[:QUALIFIES]->(i:Intervention) RETURN i.id AS id }
    + COLLECT { MATCH (:Caveat {id: tid})-[:QUALIFIES]->(:Rating)-[:RATES]->(i:Intervention)
                RETURN i.id AS id }
    + COLLECT { MATCH (:Agency {id: tid})-[:DELIVERS|FUNDS|PARTICIPATES_IN]->(i:Intervention)
                RETURN i.id AS id }
    + COLLECT { MATCH (:Agency {id: tid})-[:CONDUCTED]->(:Study)-[:REPORTS]->(:Finding)
                      -[:OF]->(i:Intervention) RETURN i.id AS id }
    AS reached
  UNWIND reached AS id
  WITH DISTINCT id
  MATCH (i:Intervention {id: id})
  OPTIONAL MATCH (i)-[:VARIANT_OF]->(p:Intervention)
  WITH collect(DISTINCT i.id) + collect(DISTINCT p.id) AS affected
  RETURN affected"""

# A relationship's change reaches the interventions through its end nearer to them in
# the facts: the finding of (f)-[:ON_OUTCOME]->(o), the intervention of (s)-[:EVALUATES]->(i).
_FROM_END_NEARER: Final = "['ON_OUTCOME', 'REPORTS_ON', 'TARGETS', 'SCOPED_TO']"

# The changes after ``$known``, at most ``$maxChanges`` of them (more: build anew). They
# are looked up by position, one index lookup each: a range over ``seq`` scans the log.
SINCE: Final = f"""
OPTIONAL MATCH (s:ChangeSequence {{id: 'changes'}})
WITH s.last AS version
OPTIONAL MATCH (last:Change {{seq: version}})
WITH version, last.id AS lastChange
CALL (version) {{
  UNWIND range($known + 1, CASE WHEN version > $known + $maxChanges
                                THEN $known + $maxChanges ELSE version END) AS position
  MATCH (c:Change {{seq: position}})
  WITH c ORDER BY c.seq
  RETURN collect({{operation: c.operation, type: c.entityType, id: c.entityId}}) AS changes
}}
WITH version, lastChange, changes,
  [c IN changes | CASE
     WHEN NOT c.operation IN ['LINK', 'UPDATE_LINK', 'UNLINK'] THEN c.id
     WHEN c.type IN {_FROM_END_NEARER} THEN head(split(c.id, '->'))
     ELSE last(split(c.id, '->')) END] AS touched,
  any(c IN changes WHERE c.type IN ['Outcome', 'PART_OF']) AS taxonomyChanged
CALL (taxonomyChanged) {{
  WITH taxonomyChanged WHERE taxonomyChanged{_OUTCOMES}
}}
CALL (touched) {{{_REACHED}
}}
{_FIRST_CHUNK}
RETURN version, lastChange, outcomes, taxonomyChanged, affected, interventions, changes, touched
"""
