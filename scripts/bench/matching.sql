-- The PostgreSQL + PostGIS equivalent of `rempla_core::matching::match_request`, for
-- scripts/bench-matching.sh. Same rules (docs/matching.md): verified and active doctors of the specialty,
-- within their own radius of the site (great-circle distance on the same sphere: PostGIS's
-- `use_spheroid = false` uses the mean Earth radius 6,371,008.8 m, like core::geo) or in one of their
-- départements; thesed only; languages; declines; free time = open slots meeting a shift minus booked and
-- held slots, busy periods and the end of an intern's licence; hour caps applied shift by shift in
-- chronological order; complete if every shift is covered entirely, partial if something is.

CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS btree_gist;
SET timezone = 'UTC';

CREATE TABLE doctors (
    id uuid PRIMARY KEY,
    verified boolean NOT NULL,
    active boolean NOT NULL,
    specialties text[] NOT NULL,
    intern_until date,
    lat float8,
    lon float8,
    radius_km integer NOT NULL,
    departments text[] NOT NULL,
    languages text[] NOT NULL,
    base geography(Point, 4326)
);
CREATE TABLE slots (
    doctor_id uuid NOT NULL,
    starts timestamptz NOT NULL,
    ends timestamptz NOT NULL,
    status text NOT NULL,
    kind text NOT NULL,
    period tstzrange GENERATED ALWAYS AS (tstzrange(starts, ends)) STORED
);
CREATE TABLE busy (
    doctor_id uuid NOT NULL,
    starts timestamptz NOT NULL,
    ends timestamptz NOT NULL,
    period tstzrange GENERATED ALWAYS AS (tstzrange(starts, ends)) STORED
);
CREATE TABLE requests (
    id uuid PRIMARY KEY,
    specialty text NOT NULL,
    department text NOT NULL,
    zone text NOT NULL,
    lat float8 NOT NULL,
    lon float8 NOT NULL,
    thesed_only boolean NOT NULL,
    languages text[] NOT NULL,
    site geography(Point, 4326)
);
CREATE TABLE shifts (
    request_id uuid NOT NULL,
    idx integer NOT NULL,
    kind text NOT NULL,
    starts timestamptz NOT NULL,
    ends timestamptz NOT NULL,
    period tstzrange GENERATED ALWAYS AS (tstzrange(starts, ends)) STORED
);
CREATE TABLE declines (request_id uuid NOT NULL, doctor_id uuid NOT NULL);

-- Does adding `proposed` work to `booked` missions break a cap (24 h in a row, 48 h in any 168 h)?
-- The same windows as core::matching::caps: starts at run starts, run ends − 7 days, and the ends of the
-- range of starts whose window meets proposed work.
CREATE FUNCTION caps_breaks(booked tstzmultirange, proposed tstzmultirange) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    work tstzmultirange := booked + proposed;
    r tstzrange;
    t timestamptz;
    total interval;
BEGIN
    IF isempty(proposed) THEN
        RETURN false;
    END IF;
    FOR r IN SELECT unnest(work) LOOP
        IF upper(r) - lower(r) > interval '24 hours' AND tstzmultirange(r) && proposed THEN
            RETURN true;
        END IF;
    END LOOP;
    FOR t IN
        SELECT lower(x) FROM unnest(work) x
        UNION ALL SELECT upper(x) - interval '168 hours' FROM unnest(work) x
        UNION ALL SELECT lower(x) - interval '168 hours' FROM unnest(proposed) x
        UNION ALL SELECT upper(x) FROM unnest(proposed) x
    LOOP
        IF EXISTS (SELECT 1 FROM unnest(proposed) p
                   WHERE lower(p) <= t + interval '168 hours' AND t <= upper(p)) THEN
            SELECT coalesce(sum(upper(x) - lower(x)), interval '0')
              INTO total
              FROM unnest(work * tstzmultirange(tstzrange(t, t + interval '168 hours'))) x;
            IF total > interval '48 hours' THEN
                RETURN true;
            END IF;
        END IF;
    END LOOP;
    RETURN false;
END $$;

-- Chronological greedy: keep each shift's covered part if the caps still hold with it.
CREATE FUNCTION caps_keep(booked tstzmultirange, groups tstzmultirange[]) RETURNS tstzmultirange
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    accepted tstzmultirange := '{}';
    g tstzmultirange;
BEGIN
    FOREACH g IN ARRAY groups LOOP
        IF NOT isempty(g) AND NOT caps_breaks(booked, accepted + g) THEN
            accepted := accepted + g;
        END IF;
    END LOOP;
    RETURN accepted;
END $$;

CREATE FUNCTION match_request(rid uuid, max_radius_m float8)
RETURNS TABLE (doctor_id uuid, status text)
LANGUAGE sql STABLE AS $$
WITH r AS (
    SELECT q.id, q.specialty, q.department, q.zone, q.thesed_only, q.languages, q.site,
           min(s.starts) AS t0, max(s.ends) AS t1
      FROM requests q JOIN shifts s ON s.request_id = q.id
     WHERE q.id = rid
     GROUP BY q.id
),
sh AS (SELECT idx, period FROM shifts WHERE request_id = rid),
reach AS (
    -- Two index-driven branches rather than an OR the planner cannot index; the specialty is checked
    -- here so the set stays small, and the rest of the filters then join it by primary key (left to
    -- itself, the planner probed this set once per doctor of the specialty).
    SELECT d.id FROM doctors d, r
     WHERE d.verified AND d.active
       AND ST_DWithin(d.base, r.site, max_radius_m, false)
       AND ST_DWithin(d.base, r.site, d.radius_km * 1000.0, false)
       AND d.specialties @> ARRAY[r.specialty]
    UNION
    SELECT d.id FROM doctors d, r
     WHERE d.verified AND d.active AND d.departments @> ARRAY[r.department]
       AND d.specialties @> ARRAY[r.specialty]
),
cand AS MATERIALIZED (
    SELECT d.id, d.intern_until
      FROM reach JOIN doctors d ON d.id = reach.id, r
     WHERE (NOT r.thesed_only OR d.intern_until IS NULL)
       AND r.languages <@ d.languages
       AND NOT EXISTS (SELECT 1 FROM declines x WHERE x.request_id = rid AND x.doctor_id = d.id)
),
cal AS (
    SELECT c.id,
           coalesce((SELECT range_agg(s.period) FROM slots s
                      WHERE s.doctor_id = c.id AND s.status = 'open'
                        AND s.period && tstzrange(r.t0, r.t1)
                        AND EXISTS (SELECT 1 FROM sh WHERE sh.period && s.period)), '{}')
         - coalesce((SELECT range_agg(z.p) FROM (
                      SELECT s.period AS p FROM slots s
                       WHERE s.doctor_id = c.id AND s.status <> 'open' AND s.period && tstzrange(r.t0, r.t1)
                      UNION ALL
                      SELECT b.period FROM busy b
                       WHERE b.doctor_id = c.id AND b.period && tstzrange(r.t0, r.t1)
                      UNION ALL
                      SELECT tstzrange(greatest(e.t, r.t0), r.t1)
                        FROM (SELECT ((c.intern_until + 1)::timestamp AT TIME ZONE r.zone) AS t) e
                       WHERE c.intern_until IS NOT NULL AND e.t < r.t1) z), '{}') AS free,
           coalesce((SELECT range_agg(s.period) FROM slots s
                      WHERE s.doctor_id = c.id AND s.status = 'booked'
                        AND s.period && tstzrange(r.t0 - interval '168 hours', r.t1 + interval '168 hours')), '{}')
             AS booked
      FROM cand c, r
),
kept AS (
    SELECT cal.id,
           caps_keep(cal.booked,
                     (SELECT array_agg(tstzmultirange(sh.period) * cal.free ORDER BY sh.idx) FROM sh)) AS k
      FROM cal
     WHERE NOT isempty(cal.free)
)
SELECT kept.id,
       CASE WHEN (SELECT bool_and(tstzmultirange(sh.period) <@ kept.k) FROM sh) THEN 'complete' ELSE 'partial' END
  FROM kept
 WHERE NOT isempty(kept.k)
$$;
