// Trials group the publications of one sample; caveats qualify ratings, interventions
// and studies; people can be developers. Each has a stable id, unique per label.
CREATE CONSTRAINT trial_id IF NOT EXISTS FOR (n:Trial) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT caveat_id IF NOT EXISTS FOR (n:Caveat) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT person_id IF NOT EXISTS FOR (n:Person) REQUIRE n.id IS UNIQUE;
