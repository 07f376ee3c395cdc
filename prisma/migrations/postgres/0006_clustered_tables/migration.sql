-- Nothing to do on PostgreSQL: 0006 stores three SQLite tables in primary-key order (WITHOUT ROWID),
-- a notion PostgreSQL's heap tables do not have. Kept so both databases number their migrations alike.
SELECT 1;
