/*
 * Wayfinder's progressive enhancements, bundled by scripts/build-assets.mjs into
 * web/static/vendor/wayfinder.js. Every page works without it; it only adds:
 * NHS.UK components' behaviour (skip link focus, error summary focus), a print button, a copy
 * link button and, when a tile server is configured, the optional map of results.
 */
import { SkipLink } from "nhsuk-frontend/dist/nhsuk/components/skip-link/skip-link.mjs";
import { ErrorSummary } from "nhsuk-frontend/dist/nhsuk/components/error-summary/error-summary.mjs";

function start(Component, selector) {
  document.querySelectorAll(selector).forEach((element) => {
    try {
      new Component(element);
    } catch (error) {
      // A component that cannot start must not stop the others.
      console.warn(error);
    }
  });
}

start(SkipLink, '[data-module="nhsuk-skip-link"]');
start(ErrorSummary, '[data-module="nhsuk-error-summary"]');

document.querySelectorAll(".wf-print-button").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});

document.querySelectorAll(".wf-copy").forEach((button) => {
  const field = document.querySelector(button.dataset.copy);
  if (!field || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      button.textContent = "Link copied";
    } catch {
      field.select();
    }
  });
});

const map = document.getElementById("wf-map");
if (map) {
  const details = map.closest("details");
  const draw = () => {
    if (map.dataset.drawn || !window.L) return;
    map.dataset.drawn = "1";
    const points = JSON.parse(map.dataset.points || "[]");
    const leaflet = window.L.map(map);
    window.L.tileLayer(map.dataset.tiles, { maxZoom: 18, attribution: "Map data: OpenStreetMap contributors" }).addTo(leaflet);
    const markers = points.map((p) => {
      const link = document.createElement("a");
      link.href = p.href;
      link.textContent = p.name;
      return window.L.marker([p.lat, p.lon], { alt: p.name }).bindPopup(link).addTo(leaflet);
    });
    if (markers.length) leaflet.fitBounds(window.L.featureGroup(markers).getBounds().pad(0.2));
  };
  // Tiles are only fetched once the person asks for the map.
  if (details) details.addEventListener("toggle", () => details.open && draw());
  else window.addEventListener("load", draw);
}
