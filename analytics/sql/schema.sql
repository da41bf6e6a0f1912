-- The current schema, applied to a new database file. Older files are upgraded by store.MIGRATIONS.
-- Fact rows are never updated in place except to mark them replaced: views asb and crime hold the live rows.

CREATE TABLE IF NOT EXISTS schema_version (
    version     INTEGER NOT NULL,
    applied_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE SEQUENCE IF NOT EXISTS batch_ids START 1;

-- The audit trail: one row per load, never deleted.
CREATE TABLE IF NOT EXISTS batches (
    id              INTEGER PRIMARY KEY DEFAULT nextval('batch_ids'),
    file_name       VARCHAR NOT NULL,
    sha256          VARCHAR NOT NULL CHECK (length(sha256) = 64),
    size_bytes      BIGINT NOT NULL CHECK (size_bytes >= 0),
    source          VARCHAR NOT NULL CHECK (length(source) > 0),
    kind            VARCHAR NOT NULL CHECK (kind IN ('asb', 'crime', 'asb+crime', 'measures', 'outcomes')),
    format          VARCHAR NOT NULL CHECK (format IN ('police-uk', 'police-uk-outcomes', 'asb', 'crime', 'measures')),
    sheet           VARCHAR,
    loaded_by       VARCHAR NOT NULL,
    loaded_at       TIMESTAMP NOT NULL,
    rows_read       BIGINT NOT NULL CHECK (rows_read >= 0),
    rows_loaded     BIGINT NOT NULL CHECK (rows_loaded >= 0),
    rows_rejected   BIGINT NOT NULL CHECK (rows_rejected >= 0),
    months          VARCHAR[] NOT NULL,
    status          VARCHAR NOT NULL CHECK (status IN ('loaded', 'partly replaced', 'replaced', 'rolled back')),
    replaces        INTEGER[] NOT NULL DEFAULT [],
    rolled_back_by  VARCHAR,
    rolled_back_at  TIMESTAMP,
    warnings        VARCHAR[] NOT NULL DEFAULT [],
    force           VARCHAR,  -- a police.uk batch's force ("Falls within"); NULL for force extracts
    CHECK (rows_read = rows_loaded + rows_rejected)
);

-- ASB incidents. police.uk rows have a month but no date, reference or call type.
CREATE TABLE IF NOT EXISTS asb_incidents (
    batch_id       INTEGER NOT NULL,
    source         VARCHAR NOT NULL,
    source_row     INTEGER NOT NULL CHECK (source_row > 0),
    incident_ref   VARCHAR,
    reported_date  TIMESTAMP,
    month          DATE NOT NULL CHECK (day(month) = 1),
    district       VARCHAR NOT NULL,
    call_type      VARCHAR,
    location       VARCHAR,
    lsoa_code      VARCHAR,
    latitude       DOUBLE CHECK (latitude BETWEEN -90 AND 90),
    longitude      DOUBLE CHECK (longitude BETWEEN -180 AND 180),
    caller_ref     VARCHAR,
    vulnerable     BOOLEAN,
    repeat_caller  BOOLEAN,
    replaced_by    INTEGER,
    caller_key     VARCHAR  -- caller_ref ignoring case and spaces (analytics/domain/callers.py), set at load
);

-- A caller lookup at first contact is an index probe on the key, never a scan of every incident.
CREATE INDEX IF NOT EXISTS asb_incidents_caller_key ON asb_incidents (caller_key);

-- Recorded crimes. offence_group is canonical (ref_offence_groups.name) when the reference file knows it;
-- outcome is as given, outcome_code its canonical outcome (ref_outcomes.outcome) or NULL.
CREATE TABLE IF NOT EXISTS crimes (
    batch_id       INTEGER NOT NULL,
    source         VARCHAR NOT NULL,
    source_row     INTEGER NOT NULL CHECK (source_row > 0),
    crime_ref      VARCHAR,
    recorded_date  TIMESTAMP,
    month          DATE NOT NULL CHECK (day(month) = 1),
    district       VARCHAR NOT NULL,
    offence_group  VARCHAR NOT NULL,
    victim_based   BOOLEAN,
    outcome        VARCHAR,
    outcome_code   VARCHAR,
    outcome_date   TIMESTAMP,
    location       VARCHAR,
    lsoa_code      VARCHAR,
    latitude       DOUBLE CHECK (latitude BETWEEN -90 AND 90),
    longitude      DOUBLE CHECK (longitude BETWEEN -180 AND 180),
    replaced_by    INTEGER
);

-- Named measures (analytics/measures): engagement and satisfaction figures an analyst uploads. One row per
-- measure, period and area; a period is a day, an ISO week or a month (grain), and counts in one month: a week's is
-- the month of its Thursday. district NULL is force-wide. Survey measures carry the number surveyed, and their value
-- is the number satisfied. Replaced rows keep replaced_by, as fact rows do.
CREATE TABLE IF NOT EXISTS measure_values (
    batch_id      INTEGER NOT NULL,
    source        VARCHAR NOT NULL,
    source_row    INTEGER NOT NULL CHECK (source_row > 0),
    measure       VARCHAR NOT NULL,
    grain         VARCHAR NOT NULL CHECK (grain IN ('day', 'week', 'month')),
    period        VARCHAR NOT NULL,
    period_start  DATE NOT NULL,
    period_end    DATE NOT NULL CHECK (period_end >= period_start),
    month         DATE NOT NULL CHECK (day(month) = 1),
    district      VARCHAR,
    value         DOUBLE NOT NULL CHECK (value >= 0),
    surveyed      INTEGER CHECK (surveyed > 0),
    replaced_by   INTEGER,
    CHECK (surveyed IS NULL OR value <= surveyed)
);

-- Outcome events from police.uk outcomes files: one row per outcome given to a crime (by its Crime ID) in a month,
-- dated the month's last day (an outcome is never counted before it could have happened). Events for Crime IDs not
-- loaded are kept: they match when those crimes are loaded. A crime's latest event is its outcome (view crime).
CREATE TABLE IF NOT EXISTS outcome_events (
    batch_id      INTEGER NOT NULL,
    source        VARCHAR NOT NULL,
    source_row    INTEGER NOT NULL CHECK (source_row > 0),
    crime_ref     VARCHAR NOT NULL,
    month         DATE NOT NULL CHECK (day(month) = 1),
    outcome_date  DATE NOT NULL CHECK (outcome_date = last_day(month)),
    outcome       VARCHAR NOT NULL,
    outcome_code  VARCHAR,
    district      VARCHAR NOT NULL,
    location      VARCHAR,
    lsoa_code     VARCHAR,
    latitude      DOUBLE CHECK (latitude BETWEEN -90 AND 90),
    longitude     DOUBLE CHECK (longitude BETWEEN -180 AND 180),
    replaced_by   INTEGER
);

-- Rows refused within a batch loaded with --accept-valid-rows, one row per problem.
CREATE TABLE IF NOT EXISTS rejected_rows (
    batch_id     INTEGER NOT NULL,
    source_row   INTEGER NOT NULL,
    column_name  VARCHAR,
    value        VARCHAR,
    reason       VARCHAR NOT NULL
);

-- Column mappings remembered per source and format, so next month's file maps itself.
CREATE TABLE IF NOT EXISTS column_mappings (
    source         VARCHAR NOT NULL,
    format         VARCHAR NOT NULL CHECK (format IN ('asb', 'crime')),
    file_column    VARCHAR NOT NULL,
    canonical      VARCHAR NOT NULL,
    updated_by     VARCHAR NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (source, format, file_column)
);

-- The register of process changes and interventions (analytics.interventions). Never deleted: an entry is withdrawn
-- (withdrawn_by/at/reason) or corrected, which withdraws it and records the corrected entry (replaces = its id).
CREATE SEQUENCE IF NOT EXISTS intervention_ids START 1;

CREATE TABLE IF NOT EXISTS interventions (
    id                INTEGER PRIMARY KEY DEFAULT nextval('intervention_ids'),
    started           DATE NOT NULL,
    district          VARCHAR,  -- NULL: force-wide
    type              VARCHAR NOT NULL CHECK (type IN ('pspo', 'closure_order', 'dispersal_order', 'task_force',
                                                       'recording_rule', 'new_system', 'other')),
    affects           VARCHAR NOT NULL CHECK (affects IN ('asb', 'crime', 'both')),
    description       VARCHAR NOT NULL CHECK (length(trim(description)) > 0),
    recorded_by       VARCHAR NOT NULL,
    recorded_at       TIMESTAMP NOT NULL,
    replaces          INTEGER,
    withdrawn_by      VARCHAR,
    withdrawn_at      TIMESTAMP,
    withdrawn_reason  VARCHAR,
    CHECK ((withdrawn_by IS NULL) = (withdrawn_at IS NULL))
);

-- Reference tables, kept in step with data/reference/*.csv by store.sync_reference().
CREATE TABLE IF NOT EXISTS ref_districts (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, population INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS ref_offence_groups (name VARCHAR PRIMARY KEY, crime_type VARCHAR NOT NULL, victim_based BOOLEAN NOT NULL);
CREATE TABLE IF NOT EXISTS ref_outcomes (outcome VARCHAR PRIMARY KEY, description VARCHAR NOT NULL, outcome_group VARCHAR NOT NULL, solved BOOLEAN NOT NULL, pending BOOLEAN NOT NULL);
CREATE TABLE IF NOT EXISTS ref_call_types (call_type VARCHAR PRIMARY KEY, category VARCHAR NOT NULL);
-- Measures: households by district (the denominator of a share of households) and each measure's target.
CREATE TABLE IF NOT EXISTS ref_households (code VARCHAR PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, households INTEGER NOT NULL CHECK (households > 0), source VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS ref_targets (measure VARCHAR NOT NULL, district VARCHAR NOT NULL, target_type VARCHAR NOT NULL, value DOUBLE NOT NULL, note VARCHAR NOT NULL, PRIMARY KEY (measure, district));

-- Live rows only: rows of rolled-back batches are deleted, replaced rows keep replaced_by.
CREATE OR REPLACE VIEW asb AS
SELECT a.*, coalesce(t.category, 'Unclassified') AS category
FROM asb_incidents a LEFT JOIN ref_call_types t ON t.call_type = a.call_type
WHERE a.replaced_by IS NULL;

-- The latest live outcome event of each crime ID of a source; within a month the later row of the file.
CREATE OR REPLACE VIEW latest_outcome AS
SELECT source, crime_ref, outcome, outcome_code, outcome_date
FROM outcome_events
WHERE replaced_by IS NULL
QUALIFY row_number() OVER (PARTITION BY source, crime_ref ORDER BY month DESC, batch_id DESC, source_row DESC) = 1;

-- A crime's outcome is its latest outcome event when one is loaded (police.uk outcomes files), else the outcome its
-- own file gave. pending: the outcome may still change (ref_outcomes.pending), or no outcome is recorded at all.
CREATE OR REPLACE VIEW crime AS
SELECT c.*,
       coalesce(g.crime_type, c.offence_group) AS crime_type,
       coalesce(c.victim_based, g.victim_based, false) AS vbc,
       coalesce(o.solved, false) AS solved,
       coalesce(o.pending, c.outcome IS NULL) AS pending,
       coalesce(o.outcome_group, CASE WHEN c.outcome IS NULL THEN 'No outcome recorded' ELSE 'Other outcome' END) AS outcome_group
FROM (
    SELECT f.* REPLACE (
               CASE WHEN e.crime_ref IS NULL THEN f.outcome ELSE e.outcome END AS outcome,
               CASE WHEN e.crime_ref IS NULL THEN f.outcome_code ELSE e.outcome_code END AS outcome_code,
               CASE WHEN e.crime_ref IS NULL THEN f.outcome_date ELSE CAST(e.outcome_date AS TIMESTAMP) END AS outcome_date)
    FROM crimes f
    LEFT JOIN latest_outcome e ON e.source = f.source AND e.crime_ref = f.crime_ref
    WHERE f.replaced_by IS NULL
) c
LEFT JOIN ref_offence_groups g ON g.name = c.offence_group
LEFT JOIN ref_outcomes o ON o.outcome = c.outcome_code;

-- Monthly aggregates of the live rows, so a page's figures never scan incident rows. Each is a GROUP BY over the
-- fact tables (analytics/sql/aggregates/), rebuilt for the (source, month) slices a load, replacement or roll-back
-- touches, and wholly when a reference file that classifies crimes changes, in the same transaction
-- (store.refresh_aggregates). They never hold a zero count: a slice with no live rows has no aggregate rows.

-- One row: a number that goes up with every refresh of the aggregates and every reference edit, so a reader checks
-- whether the figures it kept are current with one tiny read (analytics.figures.kept).
CREATE TABLE IF NOT EXISTS aggregates_version (version BIGINT NOT NULL);  -- a row per commit that changed them
INSERT INTO aggregates_version SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM aggregates_version);

-- Live rows per source, kind ('asb', 'crime', 'outcomes'), month and batch; for crimes also the latest day recorded
-- (a police.uk crime, which has only a month, on the month's last day), the latest outcome date and how many carry
-- one (the data date and whether outcomes are dated: figures/outcome_dates.sql).
CREATE TABLE IF NOT EXISTS fact_months (
    source         VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL CHECK (kind IN ('asb', 'crime', 'outcomes')),
    month          DATE NOT NULL,
    batch_id       INTEGER NOT NULL,
    live           BIGINT NOT NULL CHECK (live > 0),
    last_recorded  DATE,
    last_outcome   DATE,
    dated          BIGINT
);

-- Live ASB incidents per source, month, district (as stored) and call type; the category comes from ref_call_types
-- when read (view asb_counts), so an edit of the call types file needs no rebuild.
CREATE TABLE IF NOT EXISTS asb_monthly (
    source     VARCHAR NOT NULL,
    month      DATE NOT NULL,
    district   VARCHAR NOT NULL,
    call_type  VARCHAR,
    n          BIGINT NOT NULL CHECK (n > 0)
);

CREATE OR REPLACE VIEW asb_counts AS
SELECT a.*, coalesce(t.category, 'Unclassified') AS category
FROM asb_monthly a LEFT JOIN ref_call_types t ON t.call_type = a.call_type;

-- Live crimes (view crime) per source, month, district, crime type and whether victim-based: the counts and the
-- breakdowns by crime type and district.
CREATE TABLE IF NOT EXISTS crime_monthly (
    source      VARCHAR NOT NULL,
    month       DATE NOT NULL,
    district    VARCHAR NOT NULL,
    crime_type  VARCHAR NOT NULL,
    vbc         BOOLEAN NOT NULL,
    n           BIGINT NOT NULL CHECK (n > 0)
);

-- Live crimes per source, month, district, whether victim-based and their outcome: solved, pending, whether an
-- outcome is recorded, outcome group (the cohort solved rate, its maturity, the outcome breakdown).
CREATE TABLE IF NOT EXISTS crime_outcomes (
    source         VARCHAR NOT NULL,
    month          DATE NOT NULL,
    district       VARCHAR NOT NULL,
    vbc            BOOLEAN NOT NULL,
    solved         BOOLEAN NOT NULL,
    pending        BOOLEAN NOT NULL,
    recorded       BOOLEAN NOT NULL,  -- outcome IS NOT NULL
    outcome_group  VARCHAR NOT NULL,
    n              BIGINT NOT NULL CHECK (n > 0)
);

-- Victim-based crimes per source, month and district by the days they are solved: a crime counts as solved as at
-- day D when solved_from <= D and (solved_to IS NULL or D < solved_to). A crime with police.uk outcome events has
-- one span per event month whose winning event is a positive outcome, from that event's date to the next event's;
-- any other crime one open span from its own positive outcome's date. solved_to IS NULL: solved now, since
-- solved_from (the outcome-date basis).
CREATE TABLE IF NOT EXISTS crime_solved (
    source       VARCHAR NOT NULL,
    month        DATE NOT NULL,
    district     VARCHAR NOT NULL,
    solved_from  DATE NOT NULL,
    solved_to    DATE,
    n            BIGINT NOT NULL CHECK (n > 0)
);

-- The ASB Case Review register (analytics/casework/reviews.py). Applications are never deleted, only withdrawn;
-- every change to a field is a row of case_review_changes with who made it and when.
CREATE SEQUENCE IF NOT EXISTS case_review_ids START 1;
CREATE TABLE IF NOT EXISTS case_reviews (
    id                 INTEGER PRIMARY KEY DEFAULT nextval('case_review_ids'),
    received           DATE NOT NULL,
    applicant          VARCHAR NOT NULL CHECK (applicant IN ('victim', 'other')),
    consent            BOOLEAN,  -- an application on the victim's behalf: whether the victim consented
    district           VARCHAR NOT NULL,
    caller_ref         VARCHAR,
    caller_key         VARCHAR,
    incidents          INTEGER CHECK (incidents >= 0),        -- incidents the decision counts
    incidents_found    INTEGER CHECK (incidents_found >= 0),  -- found in the loaded extracts at receipt
    lookup_source      VARCHAR,
    threshold_met      BOOLEAN,  -- NULL until decided
    threshold_reasons  VARCHAR,
    panel_date         DATE,
    agencies           VARCHAR[] NOT NULL DEFAULT [],
    recommendations    VARCHAR,
    response_date      DATE,
    secondary_review   BOOLEAN NOT NULL DEFAULT false,
    working_days       INTEGER NOT NULL CHECK (working_days BETWEEN 1 AND 260),
    due_from           VARCHAR NOT NULL CHECK (due_from IN ('receipt', 'panel')),
    withdrawn_on       DATE,
    withdrawn_reason   VARCHAR,
    synthetic          BOOLEAN NOT NULL DEFAULT false,
    created_by         VARCHAR NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    updated_by         VARCHAR NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    CHECK ((withdrawn_on IS NULL) = (withdrawn_reason IS NULL)),
    CHECK (applicant = 'other' OR consent IS NULL)
);

CREATE SEQUENCE IF NOT EXISTS case_review_change_ids START 1;
CREATE TABLE IF NOT EXISTS case_review_changes (
    id          INTEGER PRIMARY KEY DEFAULT nextval('case_review_change_ids'),
    review_id   INTEGER,  -- NULL for a change to the register's settings
    field       VARCHAR NOT NULL,
    old_value   VARCHAR,
    new_value   VARCHAR,
    changed_by  VARCHAR NOT NULL,
    changed_at  TIMESTAMP NOT NULL
);

-- The register's settings (working days to respond, the event they count from, the case review threshold) when
-- changed from their defaults, and the secret that makes caller pseudonyms in internal summaries unguessable.
CREATE TABLE IF NOT EXISTS casework_settings (
    name        VARCHAR PRIMARY KEY,
    value       VARCHAR NOT NULL,
    updated_by  VARCHAR NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
INSERT INTO casework_settings
SELECT 'pseudonym_salt', sha256(gen_random_uuid()::VARCHAR || gen_random_uuid()::VARCHAR), 'schema', now()
WHERE NOT EXISTS (SELECT 1 FROM casework_settings WHERE name = 'pseudonym_salt');
