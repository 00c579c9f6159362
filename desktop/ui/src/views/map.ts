// Map of France, offline: the basemap (France outline, départements, communes) ships with the app in
// public/basemap (made by scripts/make-basemap.py from open data); no tile server, no glyph server (no
// text layers: names show in popups). Request sites are clustered by MapLibre's GeoJSON clustering.
// Clicking a site lists that request's candidates beside the map (from the candidates endpoint); clicking
// a cluster of one site's requests lists them there and the candidates of the soonest. Doctors
// are not drawn: the API does not publish their home location (privacy), only their distance to the site.
import maplibregl, { type GeoJSONSource } from "maplibre-gl";
import { BASEMAP_STYLE as STYLE } from "../basemap";
import "maplibre-gl/dist/maplibre-gl.css";
import { api } from "../ipc";
import { go, state } from "../app";
import { errorBox, h } from "../dom";
import { t } from "../i18n";
import { showCandidates, showSite } from "./map-candidates";
import type { DesktopError, Request } from "../generated";

interface CompactCommunes {
  fields: string[];
  rows: [number, number, number, string][];
}

/** Turns the compact commune rows into GeoJSON points. */
export function communePoints(c: CompactCommunes): GeoJSON.FeatureCollection<GeoJSON.Point> {
  return {
    type: "FeatureCollection",
    features: c.rows.map(([lon, lat, population, name]) => ({
      type: "Feature",
      properties: { name, population },
      geometry: { type: "Point", coordinates: [lon, lat] },
    })),
  };
}

/** Request sites as GeoJSON points (one per request, at its site). */
export function requestPoints(requests: Request[]): GeoJSON.FeatureCollection<GeoJSON.Point> {
  return {
    type: "FeatureCollection",
    features: requests.map((r) => ({
      type: "Feature",
      properties: { id: r.id, specialty: r.specialty, shifts: r.shifts.length },
      geometry: { type: "Point", coordinates: [r.location.lon, r.location.lat] },
    })),
  };
}


export function mapView(): HTMLElement {
  const el = h("div", { id: "map", class: "map", role: "region", "aria-label": t("map.title") });
  const err = h("div", {});
  const panel = h("aside", { id: "map-candidates", "aria-live": "polite" }, h("p", { class: "muted" }, t("map.pickSite")));
  const section = h(
    "section",
    { id: "map-screen" },
    h("h2", {}, t("map.title")),
    h("p", { class: "muted" }, t("map.legend")),
    err,
    h("div", { class: "map-layout" }, el, panel),
    h("p", { class: "attribution" }, t("map.attribution")),
  );
  requestAnimationFrame(() => {
    let map: maplibregl.Map;
    try {
      map = new maplibregl.Map({ container: el, style: STYLE, center: [2.4, 46.6], zoom: 4.6, attributionControl: false });
    } catch (e) {
      err.replaceChildren(errorBox({ code: "webgl", message: String(e) }));
      return;
    }
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }));
    map.on("load", () => {
      void (async () => {
        try {
          const communes = (await (await fetch("basemap/communes.json")).json()) as CompactCommunes;
          map.addSource("communes", { type: "geojson", data: communePoints(communes) });
          map.addLayer({ id: "communes", type: "circle", source: "communes", minzoom: 7, paint: { "circle-radius": ["interpolate", ["linear"], ["zoom"], 7, 1, 11, 3], "circle-color": "#8a8578" } });
          const requests = await api.listRequests(state.facilityId);
          map.addSource("requests", { type: "geojson", data: requestPoints(requests), cluster: true, clusterRadius: 40 });
          map.addLayer({ id: "clusters", type: "circle", source: "requests", filter: ["has", "point_count"], paint: { "circle-color": "#0f766e", "circle-opacity": 0.8, "circle-radius": ["step", ["get", "point_count"], 12, 10, 18, 100, 26] } });
          map.addLayer({ id: "sites", type: "circle", source: "requests", filter: ["!", ["has", "point_count"]], paint: { "circle-color": "#c2410c", "circle-radius": 7, "circle-stroke-color": "#fff", "circle-stroke-width": 2 } });
          const byId = new Map(requests.map((r) => [r.id, r]));
          map.on("click", "clusters", (e) => {
            const f = e.features?.[0];
            const id = f?.properties?.cluster_id as number | undefined;
            if (id === undefined || f?.geometry.type !== "Point") return;
            const center = f.geometry.coordinates as [number, number];
            const source = map.getSource("requests") as GeoJSONSource;
            void (async () => {
              // Requests of one site share its point: zooming never splits them, so the panel lists them.
              const leaves = await source.getClusterLeaves(id, 200, 0);
              const sites = new Set(leaves.map((l) => (l.geometry.type === "Point" ? l.geometry.coordinates.join(",") : "")));
              if (sites.size === 1) {
                const here = leaves.map((l) => byId.get(String(l.properties?.id ?? ""))).filter((r): r is Request => r !== undefined);
                await showSite(panel, here);
              } else {
                map.easeTo({ center, zoom: await source.getClusterExpansionZoom(id) });
              }
            })();
          });
          // Where the sites and clusters are drawn, for the end-to-end test's real pointer clicks.
          map.on("idle", () => {
            const drawn = map.queryRenderedFeatures({ layers: ["clusters", "sites"] }).map((f) => {
              const at = map.project((f.geometry as GeoJSON.Point).coordinates as [number, number]);
              return { layer: f.layer.id, n: Number(f.properties?.point_count ?? 1), x: Math.round(at.x), y: Math.round(at.y) };
            });
            el.dataset.drawn = JSON.stringify(drawn);
          });
          map.on("click", "sites", (e) => {
            const f = e.features?.[0];
            if (!f || f.geometry.type !== "Point") return;
            const id = String(f.properties?.id ?? "");
            void showCandidates(panel, id);
            const link = h("button", { class: "link" }, t("dashboard.candidates"));
            link.addEventListener("click", () => go({ name: "candidates", requestId: id }));
            new maplibregl.Popup().setLngLat(f.geometry.coordinates as [number, number]).setDOMContent(h("div", {}, String(f.properties?.specialty ?? ""), " ", link)).addTo(map);
          });
          map.on("click", "communes", (e) => {
            const f = e.features?.[0];
            if (!f || f.geometry.type !== "Point") return;
            new maplibregl.Popup().setLngLat(f.geometry.coordinates as [number, number]).setText(`${String(f.properties?.name ?? "")} (${String(f.properties?.population ?? "")} hab.)`).addTo(map);
          });
          section.dataset.ready = "true";
        } catch (e) {
          err.replaceChildren(errorBox(e as DesktopError));
        }
      })();
    });
  });
  return section;
}
