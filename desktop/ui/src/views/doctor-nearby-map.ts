// The map of « Près de chez moi » (MapLibre GL, offline basemap): the listed requests' sites clustered,
// green where the doctor covers everything, orange for a part; a site clicked brings its card into view,
// a cluster clicked zooms in. Loaded apart from the list (`import()`), which works without WebGL.
import maplibregl, { type GeoJSONSource } from "maplibre-gl";
import "maplibre-gl/dist/maplibre-gl.css";
import { BASEMAP_STYLE } from "../basemap";
import { errorBox } from "../dom";
import type { NearbyView } from "../generated";

/** The listed requests' sites as GeoJSON points. */
export function nearbyPoints(list: NearbyView[]): GeoJSON.FeatureCollection<GeoJSON.Point> {
  return {
    type: "FeatureCollection",
    features: list.map((r) => ({
      type: "Feature",
      properties: { id: r.id, complete: r.complete },
      geometry: { type: "Point", coordinates: [r.lon, r.lat] },
    })),
  };
}

/** The map beside the list; `focus` brings a request's card into view. */
export function nearbyMap(el: HTMLElement, focus: (id: string) => void): { show: (list: NearbyView[]) => void } {
  let map: maplibregl.Map | null = null;
  let pending: NearbyView[] | null = null;
  let ready = false;
  const draw = (list: NearbyView[]) => {
    if (!map || !ready) {
      pending = list;
      return;
    }
    const source = map.getSource("nearby") as GeoJSONSource | undefined;
    source?.setData(nearbyPoints(list));
    if (list.length > 0) {
      const bounds = new maplibregl.LngLatBounds();
      for (const r of list) bounds.extend([r.lon, r.lat]);
      map.fitBounds(bounds, { padding: 60, maxZoom: 8, duration: 0 });
    }
    el.dataset.sites = String(list.length);
  };
  requestAnimationFrame(() => {
    try {
      map = new maplibregl.Map({ container: el, style: BASEMAP_STYLE, center: [2.4, 46.6], zoom: 4.6, attributionControl: false });
    } catch (e) {
      el.replaceChildren(errorBox({ code: "webgl", message: String(e) }));
      return;
    }
    const m = map;
    m.addControl(new maplibregl.NavigationControl({ showCompass: false }));
    m.on("load", () => {
      m.addSource("nearby", { type: "geojson", data: nearbyPoints([]), cluster: true, clusterRadius: 40 });
      m.addLayer({ id: "nearby-clusters", type: "circle", source: "nearby", filter: ["has", "point_count"], paint: { "circle-color": "#0f766e", "circle-opacity": 0.8, "circle-radius": ["step", ["get", "point_count"], 12, 10, 18, 100, 26] } });
      m.addLayer({ id: "nearby-sites", type: "circle", source: "nearby", filter: ["!", ["has", "point_count"]], paint: { "circle-color": ["case", ["get", "complete"], "#15803d", "#c2410c"], "circle-radius": 7, "circle-stroke-color": "#fff", "circle-stroke-width": 2 } });
      m.on("click", "nearby-sites", (e) => {
        const id = e.features?.[0]?.properties?.id;
        if (typeof id === "string") focus(id);
      });
      m.on("click", "nearby-clusters", (e) => {
        const f = e.features?.[0];
        const cluster = f?.properties?.cluster_id as number | undefined;
        if (cluster === undefined || f?.geometry.type !== "Point") return;
        const center = f.geometry.coordinates as [number, number];
        void (m.getSource("nearby") as GeoJSONSource).getClusterExpansionZoom(cluster).then((zoom) => m.easeTo({ center, zoom }));
      });
      ready = true;
      el.dataset.ready = "true";
      if (pending) draw(pending);
    });
  });
  return { show: draw };
}

