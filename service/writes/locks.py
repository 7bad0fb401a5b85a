"""Write locks on nodes, so that read-then-write steps of concurrent transactions serialise.

A write transaction sets ``_lock`` on the node it is about to change to a fresh token
and removes it in its last statement, so no token outlives the transaction. On Neo4j
the first SET takes the node's exclusive lock until commit. On the embedded store, two
transactions that both modified the node conflict at commit and the driver retries the
loser, which then reads the winner's result. (Setting and removing the property in one
statement is not enough there: the record is not seen as modified.)
"""

from __future__ import annotations

import secrets


def lock_token() -> str:
    return secrets.token_hex(8)
