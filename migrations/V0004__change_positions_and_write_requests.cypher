// The change feed pages by each entry's position in commit order (seq), taken from one
// (:ChangeSequence) node; writes record their answer under their idempotency key.
CREATE INDEX change_seq IF NOT EXISTS FOR (n:Change) ON (n.seq);
CREATE INDEX change_request_key IF NOT EXISTS FOR (n:Change) ON (n.requestKey);
CREATE CONSTRAINT change_sequence_id IF NOT EXISTS FOR (n:ChangeSequence) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT write_request_key IF NOT EXISTS FOR (n:WriteRequest) REQUIRE n.key IS UNIQUE;
