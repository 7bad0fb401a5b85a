// API keys (hashes only) and the change log: outside the evidence model, never exported.
CREATE CONSTRAINT api_client_id IF NOT EXISTS FOR (n:ApiClient) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT change_id IF NOT EXISTS FOR (n:Change) REQUIRE n.id IS UNIQUE;
CREATE INDEX change_at IF NOT EXISTS FOR (n:Change) ON (n.at);
CREATE INDEX change_entity IF NOT EXISTS FOR (n:Change) ON (n.entityId);
CREATE INDEX change_client IF NOT EXISTS FOR (n:Change) ON (n.client);
