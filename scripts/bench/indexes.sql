-- What a good DBA would create for this workload (after the bulk load, which is faster without them).
UPDATE doctors SET base = ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography WHERE lat IS NOT NULL;
UPDATE requests SET site = ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography;
-- Spatial: only proposable doctors are ever searched.
CREATE INDEX doctors_base_gist ON doctors USING gist (base) WHERE verified AND active;
CREATE INDEX doctors_departments_gin ON doctors USING gin (departments) WHERE verified AND active;
CREATE INDEX doctors_specialties_gin ON doctors USING gin (specialties);
-- Per-doctor time lookups: (doctor, period) with btree_gist.
CREATE INDEX slots_doctor_period_gist ON slots USING gist (doctor_id, period);
CREATE INDEX busy_doctor_period_gist ON busy USING gist (doctor_id, period);
CREATE INDEX shifts_request ON shifts (request_id, idx);
CREATE INDEX declines_request_doctor ON declines (request_id, doctor_id);
CREATE INDEX requests_site_gist ON requests USING gist (site);
VACUUM ANALYZE;
