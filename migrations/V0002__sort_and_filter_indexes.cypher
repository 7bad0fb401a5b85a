// Range indexes on the properties the list queries sort and filter on.
CREATE INDEX intervention_name IF NOT EXISTS FOR (n:Intervention) ON (n.name);
CREATE INDEX intervention_kind IF NOT EXISTS FOR (n:Intervention) ON (n.kind);
CREATE INDEX agency_name IF NOT EXISTS FOR (n:Agency) ON (n.name);
CREATE INDEX agency_sector IF NOT EXISTS FOR (n:Agency) ON (n.sector);
CREATE INDEX study_year IF NOT EXISTS FOR (n:Study) ON (n.year);
CREATE INDEX study_design IF NOT EXISTS FOR (n:Study) ON (n.design);
CREATE INDEX outcome_name IF NOT EXISTS FOR (n:Outcome) ON (n.name);
CREATE INDEX rating_scheme IF NOT EXISTS FOR (n:Rating) ON (n.scheme);
