// The change log keeps the indexes its readers use: position (seq), entity, client and
// time. Entries are numbered by looking them up through their entity, and nothing looks
// one up by its own id or by request key, so those two go: each index costs every entry
// written, and a bulk import writes one entry per record.
DROP CONSTRAINT change_id IF EXISTS;
DROP INDEX change_request_key IF EXISTS;
