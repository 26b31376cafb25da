-- Lists filtered by market (and stage): a rep walking one hall, a manager's market view.
-- Serves `market = ? [AND stage = ?]` in list order for any set of teams, where the
-- team indexes would have to read every lead of a branch and sort them.
CREATE INDEX leads_market_stage_created_idx ON leads (market, stage, created_at DESC, id DESC) WHERE archived_at IS NULL;
