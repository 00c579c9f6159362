// The offline basemap's style, shared by the facility's map and the doctor's « Près de chez moi »: the
// France outline and its départements from public/basemap (scripts/make-basemap.py, open data), no tile,
// glyph or sprite server.
import type { StyleSpecification } from "maplibre-gl";

export const BASEMAP_STYLE: StyleSpecification = {
  version: 8,
  sources: {
    france: { type: "geojson", data: "basemap/france.geojson" },
  },
  layers: [
    { id: "sea", type: "background", paint: { "background-color": "#dbe9f4" } },
    { id: "deps-fill", type: "fill", source: "france", filter: ["==", ["get", "kind"], "departement"], paint: { "fill-color": "#f7f5ef" } },
    { id: "deps-line", type: "line", source: "france", filter: ["==", ["get", "kind"], "departement"], paint: { "line-color": "#b9b3a3", "line-width": 0.6 } },
    { id: "france-line", type: "line", source: "france", filter: ["==", ["get", "kind"], "france"], paint: { "line-color": "#6b6558", "line-width": 1.2 } },
  ],
};
