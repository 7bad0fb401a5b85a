// Countries are stored as ISO 3166-1 alpha-2 codes (service/countries.py). Records written
// before that kept the name they were given; the UK's nations and names, and the United
// States, are rewritten here. Any other name still reads correctly, and is rewritten to
// its code the next time the record is written.
MATCH (n:Study) WHERE n.country IN ['United Kingdom', 'UK', 'U.K.', 'Great Britain', 'Britain', 'England', 'Wales', 'Scotland', 'Northern Ireland', 'England and Wales'] SET n.country = 'GB';
MATCH (n:Agency) WHERE n.country IN ['United Kingdom', 'UK', 'U.K.', 'Great Britain', 'Britain', 'England', 'Wales', 'Scotland', 'Northern Ireland', 'England and Wales'] SET n.country = 'GB';
MATCH (n:Study) WHERE n.country IN ['United States', 'USA', 'U.S.', 'U.S.A.', 'United States of America'] SET n.country = 'US';
MATCH (n:Agency) WHERE n.country IN ['United States', 'USA', 'U.S.', 'U.S.A.', 'United States of America'] SET n.country = 'US';
